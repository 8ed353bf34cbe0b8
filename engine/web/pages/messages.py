"""The member page's words in French (the default) and English; admins read English.

:data:`MESSAGES` holds one text per language; :data:`COUNTED_MESSAGES` one text per language and
CLDR plural category (``one``, ``other``), chosen by Babel for the count (French says
"0 publication comptée", English "0 posts counted"). Values are put in with
:meth:`str.format`; times are already human (:mod:`engine.service.human_dates`) when they get
here.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal

LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"
_LOCALES = {"fr": "fr_FR", "en": "en_US"}

MESSAGES: dict[str, dict[str, str]] = {
    "linked_as": {"fr": "Compte lié : @{handle}", "en": "Linked account: @{handle}"},
    "link_intro": {"fr": "Indiquez votre identifiant {platform} pour participer.",
                   "en": "Enter your {platform} handle to take part."},
    "handle_label": {"fr": "Identifiant {platform}", "en": "{platform} handle"},
    "link_button": {"fr": "Lier ce compte", "en": "Link this account"},
    "handle_invalid": {"fr": "« {handle} » n'est pas un identifiant {platform} valide.",
                       "en": "\"{handle}\" is not a valid {platform} handle."},
    "handle_taken": {"fr": "Ce compte {platform} est déjà lié à un autre membre.",
                     "en": "This {platform} account is already linked to another member."},
    "handle_verified": {"fr": "Ce compte {platform} a été vérifié par un autre membre : il ne "
                              "peut pas être lié à nouveau.",
                        "en": "Another member proved this {platform} account is theirs: it "
                              "cannot be linked again."},
    "handle_empty": {"fr": "Indiquez un identifiant.", "en": "Enter a handle."},
    "cooldown": {"fr": "Bouton de nouveau disponible dans {remaining}",
                 "en": "Button available again in {remaining}"},
    "cooldown_at": {"fr": "(le {at})", "en": "(on {at})"},
    "cooldown_refused": {"fr": "Vous avez déjà demandé une vérification ; patientez jusqu'à "
                                "la fin du délai.",
                         "en": "You already asked for a check; wait until the delay is over."},
    "cooldown_refused_at": {"fr": "Vous avez déjà demandé une vérification {platform} : le "
                                  "bouton revient le {at}.",
                            "en": "You already asked for a {platform} check: the button comes "
                                  "back on {at}."},
    "goal_met_refused": {"fr": "Cette mission est déjà terminée pour vous : elle ne prend plus "
                               "de demande.",
                         "en": "You have already completed this mission: it takes no more "
                               "requests."},
    "checking": {"fr": "Vérification en cours…", "en": "Checking…"},
    "checking_hint": {"fr": "Nous lisons votre profil ; cette page se met à jour toute seule.",
                      "en": "We are reading your profile; this page updates by itself."},
    "queued_title": {"fr": "Vérification en file d'attente",
                     "en": "Check waiting in the queue"},
    "queued_at": {"fr": "Votre demande attend son tour ; elle est prévue vers le {at}. Cette "
                        "page se met à jour toute seule.",
                  "en": "Your request is waiting for its turn; it is expected around {at}. "
                        "This page updates by itself."},
    "queued_soon": {"fr": "Votre demande attend son tour ; elle devrait partir dans un "
                          "instant. Cette page se met à jour toute seule.",
                    "en": "Your request is waiting for its turn; it should start in a moment. "
                          "This page updates by itself."},
    "retrying_title": {"fr": "Vérification retardée", "en": "Check delayed"},
    "retrying": {"fr": "Nous n'avons pas pu lire votre profil : {cause}.",
                 "en": "We could not read your profile: {cause}."},
    "retrying_at": {"fr": "Prochain essai automatique le {at} ({delay}). Vous n'avez rien à "
                          "faire : le résultat s'affichera ici.",
                    "en": "Next automatic try on {at} ({delay}). There is nothing to do: the "
                          "answer will show here."},
    "retrying_soon": {"fr": "Un nouvel essai automatique part dans un instant ; le résultat "
                            "s'affichera ici.",
                      "en": "A new automatic try starts in a moment; the answer will show "
                            "here."},
    "outcome": {"fr": "Résultat", "en": "Outcome"},
    "counted": {"fr": "{count} publication(s) comptée(s) lors de la dernière vérification.",
                "en": "{count} post(s) counted by the last check."},
    "not_counted": {"fr": "Aucune nouvelle publication comptée lors de la dernière "
                          "vérification.",
                    "en": "No new post counted by the last check."},
    "other_posts": {"fr": "Autres publications vues ({count})",
                    "en": "Other posts seen ({count})"},
    "hashtag_required": {"fr": "Hashtag à utiliser : #{hashtag}",
                         "en": "Hashtag to use: #{hashtag}"},
    "mission_closed": {"fr": "Cette mission n'accepte plus de participations.",
                       "en": "This mission no longer accepts entries."},
    "refused": {"fr": "La demande n'a pas pu être prise en compte.",
                "en": "The request could not be accepted."},
    "switch_lang": {"fr": "English", "en": "Français"},
    "link_rejected_title": {"fr": "Lien invalide", "en": "Invalid link"},
    "link_rejected": {"fr": "Ce lien a expiré ou a été modifié. Demandez un nouveau lien sur "
                            "la plateforme communautaire.",
                      "en": "This link has expired or was altered. Ask for a new link on the "
                            "community platform."},
    # The mission's facts.
    "facts_title": {"fr": "La mission", "en": "The mission"},
    "reward_label": {"fr": "Récompense", "en": "Reward"},
    "progress_label": {"fr": "Progression", "en": "Progress"},
    "earned_label": {"fr": "Points gagnés", "en": "Points earned"},
    "window_label": {"fr": "Période", "en": "Dates"},
    "hashtags_label": {"fr": "Hashtags", "en": "Hashtags"},
    "window_both": {"fr": "du {start} au {end}", "en": "from {start} to {end}"},
    "window_from": {"fr": "depuis le {start}, sans date de fin",
                    "en": "from {start}, no end date"},
    "window_until": {"fr": "jusqu'au {end}", "en": "until {end}"},
    "window_open": {"fr": "sans limite de dates", "en": "no start or end date"},
    "window_left": {"fr": "Se termine {delay}.", "en": "Ends {delay}."},
    "window_no_end": {"fr": "Pas de date de fin.", "en": "No end date."},
    "window_not_started": {"fr": "Commence {delay} : les publications d'avant ne comptent pas.",
                           "en": "Starts {delay}: earlier posts do not count."},
    "window_ended": {"fr": "La période de la mission s'est terminée le {end} : seules les "
                           "publications d'avant cette date comptent.",
                     "en": "The mission's period ended on {end}: only posts published before "
                           "then count."},
    "cap_day": {"fr": " (au plus {cap} par jour)", "en": " (at most {cap} a day)"},
    "cap_week": {"fr": " (au plus {cap} par semaine)", "en": " (at most {cap} a week)"},
    "counted_posts_title": {"fr": "Publications comptées", "en": "Posts that counted"},
    "published_on": {"fr": "publiée le {at}", "en": "published on {at}"},
    "credited_on": {"fr": "comptée le {at}", "en": "counted on {at}"},
    "complete_title": {"fr": "Mission terminée", "en": "Mission complete"},
    "zone_utc": {"fr": "Heures indiquées en UTC.", "en": "Times are shown in UTC."},
    "zone_named": {"fr": "Heures indiquées dans votre fuseau horaire ({zone}).",
                   "en": "Times are shown in your time zone ({zone})."},
    # Ownership of the linked account (R11).
    "verified": {"fr": "Compte vérifié le {at}", "en": "Account verified on {at}"},
    "verified_short": {"fr": "Compte vérifié", "en": "Account verified"},
    "proof_title": {"fr": "Prouvez que ce compte est à vous",
                    "en": "Prove that this account is yours"},
    "proof_optional": {"fr": "Prouver que ce compte est à vous",
                       "en": "Prove that this account is yours"},
    "proof_contested": {"fr": "Un autre membre a aussi lié @{handle}. Personne n'est crédité "
                              "pour ce compte tant que son propriétaire ne l'a pas prouvé.",
                        "en": "Another member linked @{handle} too. Nobody is credited for this "
                              "account until its owner proves it."},
    "proof_required": {"fr": "Cette communauté demande de prouver que le compte est à vous "
                             "avant de compter vos publications.",
                       "en": "This community asks you to prove the account is yours before "
                             "your posts count."},
    "proof_code_label": {"fr": "Votre code", "en": "Your code"},
    "proof_where_instagram": {"fr": "Ajoutez ce code à la bio de votre profil Instagram, ou à "
                                    "la légende d'une publication récente.",
                              "en": "Add this code to your Instagram profile's bio, or to the "
                                    "caption of a recent post."},
    "proof_where_tiktok": {"fr": "Ajoutez ce code à la bio (« signature ») de votre profil "
                                 "TikTok, ou à la légende d'une vidéo récente.",
                           "en": "Add this code to your TikTok profile's bio (its "
                                 "\"signature\"), or to the caption of a recent video."},
    "proof_where_youtube": {"fr": "Ajoutez ce code à la description de votre chaîne YouTube, "
                                  "ou à la description d'une vidéo récente.",
                            "en": "Add this code to your YouTube channel's description, or to "
                                  "the description of a recent video."},
    "proof_where_other": {"fr": "Ajoutez ce code à la bio de votre profil {platform}, ou à la "
                                "légende d'une publication récente.",
                          "en": "Add this code to your {platform} profile's bio, or to the "
                                "caption of a recent post."},
    "proof_then": {"fr": "Appuyez ensuite sur le bouton : la vérification lit le code. Une fois "
                         "le compte vérifié, vous pouvez retirer le code.",
                   "en": "Then press the button: the check reads the code. Once the account is "
                         "verified, you may remove the code."},
    "proof_pending_code": {"fr": "Votre code de vérification est en préparation ; revenez dans "
                                 "un instant.",
                           "en": "Your verification code is being prepared; come back in a "
                                 "moment."},
    # Select your post (R4).
    "select_title": {"fr": "Vérifier une publication précise",
                     "en": "Check one particular post"},
    "select_intro": {"fr": "Choisissez une publication vue lors de la dernière vérification, "
                           "ou collez le lien d'une publication : nous vous disons tout ce "
                           "qui l'empêche de compter.",
                     "en": "Pick a post seen at the last check, or paste a post's link: we "
                           "tell you everything that keeps it from counting."},
    "select_seen": {"fr": "Publications vues le {at}", "en": "Posts seen on {at}"},
    "select_url_label": {"fr": "Lien d'une publication {platform}",
                         "en": "Link to a post on {platform}"},
    "select_url_or": {"fr": "… ou lien d'une publication {platform}",
                      "en": "… or link to a post on {platform}"},
    "select_button": {"fr": "Vérifier cette publication", "en": "Check this post"},
    "select_recheck": {"fr": "Vous l'avez modifiée depuis ? Vérifiez-la à nouveau",
                       "en": "Changed it since? Check it again"},
    "select_nothing": {"fr": "Choisissez une publication ou collez son lien.",
                       "en": "Pick a post or paste its link."},
    "select_bad_url": {"fr": "« {url} » n'est pas le lien d'une publication {platform}. "
                             "Copiez le lien depuis le bouton « Partager » de la publication.",
                       "en": "\"{url}\" is not a link to a post on {platform}. Copy the link "
                             "from the post's \"Share\" button."},
    "answer_title": {"fr": "Publication {post}", "en": "Post {post}"},
    "answer_from_check": {"fr": "D'après la vérification du {at} :",
                          "en": "From the check of {at}:"},
    "answer_pending": {"fr": "La publication choisie sera vérifiée dès que possible ; la "
                             "réponse s'affichera ici.",
                       "en": "The chosen post will be checked as soon as possible; the answer "
                             "will show here."},
    "answer_counts": {"fr": "Elle compte pour la mission.", "en": "It counts for the mission."},
    "answer_fails": {"fr": "Elle ne compte pas :", "en": "It does not count:"},
    # Every criterion a post can fail (R6), said plainly.
    "crit_hashtag_missing": {"fr": "le hashtag #{hashtag} n'y est pas{found} ; ajoutez-le à la "
                                   "légende.",
                             "en": "#{hashtag} is not in it{found}; add it to the caption."},
    "crit_found": {"fr": " (hashtags lus : {tags})", "en": " (hashtags read: {tags})"},
    "crit_hashtag_near_miss": {"fr": "le hashtag {near} ressemble à #{hashtag} mais n'est pas "
                                     "le bon : corrigez la faute de frappe.",
                               "en": "{near} looks like #{hashtag} but is not it: fix the "
                                     "typo."},
    "crit_before_window": {"fr": "publiée le {published}, avant le début de la mission "
                                 "({start}).",
                           "en": "published on {published}, before the mission started "
                                 "({start})."},
    "crit_after_window": {"fr": "publiée le {published}, après la fin de la mission ({end}).",
                          "en": "published on {published}, after the mission ended ({end})."},
    "crit_already_counted": {"fr": "elle a déjà été comptée pour cette mission (une "
                                   "publication ne compte qu'une fois).",
                             "en": "it was already counted for this mission (a post counts "
                                   "once)."},
    "crit_used_elsewhere": {"fr": "elle a déjà été récompensée par une autre mission ; "
                                  "publiez-en une nouvelle.",
                            "en": "another mission already rewarded it; publish a new one."},
    "crit_goal_already_met": {"fr": "l'objectif de la mission était déjà atteint.",
                              "en": "the mission's goal was already met."},
    "crit_cap_reached": {"fr": "le plafond de publications récompensées pour la période est "
                               "atteint ; revenez la période suivante.",
                         "en": "the cap of rewarded posts for the period is reached; come back "
                               "next period."},
    "crit_ownership_unproven": {"fr": "la propriété du compte n'est pas encore prouvée : "
                                      "ajoutez votre code de vérification (voir plus haut).",
                                "en": "the account's ownership is not proved yet: add your "
                                      "verification code (see above)."},
    "crit_below_threshold": {"fr": "elle n'a pas encore atteint le seuil de vues ou de « J'aime » "
                                   "de la mission ; elle sera revue plus tard.",
                             "en": "it has not reached the mission's views or likes threshold "
                                   "yet; it will be looked at again later."},
    "crit_post_not_recent": {"fr": "elle ne fait pas partie des publications les plus "
                                   "récentes de @{handle} : seules celles-ci sont lues.",
                             "en": "it is not among @{handle}'s most recent posts: only those "
                                   "are read."},
    "crit_other": {"fr": "critère non rempli ({code}).", "en": "criterion not met ({code})."},
    # Verdict names, for the badges beside the posts seen.
    "verdict_counted": {"fr": "comptée", "en": "counted"},
    "verdict_already_counted": {"fr": "déjà comptée", "en": "already counted"},
    "verdict_used_elsewhere": {"fr": "autre mission", "en": "other mission"},
    "verdict_goal_already_met": {"fr": "objectif déjà atteint", "en": "goal already met"},
    "verdict_cap_reached": {"fr": "plafond atteint", "en": "cap reached"},
    "verdict_hashtag_missing": {"fr": "hashtag absent", "en": "hashtag missing"},
    "verdict_hashtag_near_miss": {"fr": "faute de frappe", "en": "hashtag typo"},
    "verdict_before_window": {"fr": "trop tôt", "en": "too early"},
    "verdict_after_window": {"fr": "trop tard", "en": "too late"},
    "verdict_ownership_unproven": {"fr": "propriété non prouvée", "en": "ownership unproven"},
    "verdict_below_threshold": {"fr": "seuil non atteint", "en": "below threshold"},
}

COUNTED_MESSAGES: dict[str, dict[str, dict[str, str]]] = {
    "points": {"fr": {"one": "{n} point", "other": "{n} points"},
               "en": {"one": "{n} point", "other": "{n} points"}},
    "reward_posts": {"fr": {"one": "{points} pour {n} publication comptée",
                            "other": "{points} pour {n} publications comptées"},
                     "en": {"one": "{points} for {n} counted post",
                            "other": "{points} for {n} counted posts"}},
    "reward_recurring": {"fr": {"one": "{points} par publication comptée",
                                "other": "{points} par publication comptée"},
                         "en": {"one": "{points} for every counted post",
                                "other": "{points} for every counted post"}},
    "progress_posts": {"fr": {"one": "{n} publication comptée sur {goal}",
                              "other": "{n} publications comptées sur {goal}"},
                       "en": {"one": "{n} of {goal} posts counted",
                              "other": "{n} of {goal} posts counted"}},
    "progress_recurring": {"fr": {"one": "{n} publication comptée",
                                  "other": "{n} publications comptées"},
                           "en": {"one": "{n} post counted", "other": "{n} posts counted"}},
    "complete": {"fr": {"one": "Bravo ! Vous avez gagné {points} avec {n} publication comptée.",
                        "other": "Bravo ! Vous avez gagné {points} avec {n} publications "
                                 "comptées."},
                 "en": {"one": "Well done! You earned {points} with {n} counted post.",
                        "other": "Well done! You earned {points} with {n} counted posts."}},
}


def pick_lang(value: str | None) -> str:
    """The requested language when known, French otherwise."""
    return value if value in LANGUAGES else DEFAULT_LANG


def say(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of :data:`MESSAGES` in ``lang`` with ``values`` put in."""
    return MESSAGES[key][pick_lang(lang)].format(**values)


def say_count(key: str, lang: str, n: int, **values: object) -> str:
    """The text ``key`` of :data:`COUNTED_MESSAGES` for the count ``n`` in ``lang``.

    The plural category comes from Babel (CLDR): French counts 0 and 1 as singular. ``{n}`` is
    the count written the locale's way (``12 000``, ``12,000``).
    """
    chosen = pick_lang(lang)
    locale = Locale.parse(_LOCALES[chosen])
    forms = COUNTED_MESSAGES[key][chosen]
    text = forms.get(locale.plural_form(abs(n)), forms["other"])
    return text.format(n=format_decimal(n, locale=locale), **values)


def has_message(key: str) -> bool:
    """Whether :data:`MESSAGES` has a text called ``key``."""
    return key in MESSAGES


def duration(seconds: float) -> str:
    """``3725`` → ``"1:02:05"``: the countdown's text, the same with or without JavaScript."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
