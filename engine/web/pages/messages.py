"""The member page's words in French (the default) and English; admins read English."""

from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"

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
    "handle_empty": {"fr": "Indiquez un identifiant.", "en": "Enter a handle."},
    "cooldown": {"fr": "Bouton de nouveau disponible dans {remaining}",
                 "en": "Button available again in {remaining}"},
    "cooldown_at": {"fr": "(le {at} UTC)", "en": "(on {at} UTC)"},
    "cooldown_refused": {"fr": "Vous avez déjà demandé une vérification ; patientez jusqu'à "
                                "la fin du délai.",
                         "en": "You already asked for a check; wait until the delay is over."},
    "checking": {"fr": "Vérification en cours…", "en": "Checking…"},
    "checking_hint": {"fr": "Nous lisons votre profil ; cette page se met à jour toute seule.",
                      "en": "We are reading your profile; this page updates by itself."},
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
}


def pick_lang(value: str | None) -> str:
    """The requested language when known, French otherwise."""
    return value if value in LANGUAGES else DEFAULT_LANG


def say(key: str, lang: str, **values: object) -> str:
    return MESSAGES[key][pick_lang(lang)].format(**values)


def duration(seconds: float) -> str:
    """``3725`` → ``"1:02:05"``: the countdown's text, the same with or without JavaScript."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
