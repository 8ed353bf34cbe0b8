"""R10: "why was I not rewarded?" for one member and one mission, in French or English.

Each line has a stable code and plain words built from the seed's checklist: make the account
public, check the handle, fix the hashtag typo, publish on the grid rather than in stories, post
within the window, wait for the automatic re-check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage.models import CheckRow, ClaimRow, CreditRow, LedgerRow, SeenPostRow
from engine.verdicts import Verdict

from . import ownership
from .causes import cause_text
from .context import Service
from .human_dates import human_instant, plural_category
from .members import linked_handle, linked_row, load_member_row
from .missions import DEFAULT_LABEL, DEFAULT_LABEL_EN, load_mission_row, to_mission
from .records import Diagnosis, DiagnosisLine, Mission
from .thresholds import Threshold, number_text, threshold_of

LANGUAGES = ("fr", "en")

# A text, or for a counted one a text per CLDR plural category ("one", "other"), picked by
# Babel for the value that COUNTED names in that language (French counts 0 and 1 as one).
TEXTS: dict[str, dict[str, str | dict[str, str]]] = {
    "rewarded": {
        "fr": {"one": "Bravo : {points} point gagné avec cette mission.",
               "other": "Bravo : {points} points gagnés avec cette mission."},
        "en": {"one": "Well done: {points} point earned with this mission.",
               "other": "Well done: {points} points earned with this mission."},
    },
    "progress": {
        "fr": {"one": "Progression : {count} publication comptée sur {goal}.",
               "other": "Progression : {count} publications comptées sur {goal}."},
        "en": {"one": "Progress: {count} of {goal} post counted.",
               "other": "Progress: {count} of {goal} posts counted."},
    },
    "no_handle": {
        "fr": "Aucun compte {platform} n'est lié à votre profil : ajoutez votre identifiant "
              "et vérifiez qu'il est exact.",
        "en": "No {platform} account is linked to your profile: add your handle and check "
              "that it is right.",
    },
    "no_claim": {
        "fr": "Vous n'avez pas encore cliqué sur « {label} » pour {platform}.",
        "en": "You have not pressed \"{label}\" for {platform} yet.",
    },
    "check_pending": {
        "fr": "La vérification de votre profil {platform} est en cours ; revenez dans quelques "
              "instants.",
        "en": "Your {platform} profile is being checked; come back in a moment.",
    },
    "recheck_scheduled": {
        "fr": "Rien de nouveau n'a été compté sur {platform}. La plateforme peut mettre environ "
              "5 minutes à afficher une nouvelle publication : une nouvelle vérification "
              "automatique aura lieu vers le {at}, sans attendre le délai du bouton.",
        "en": "Nothing new has counted on {platform}. Platforms can take about 5 minutes to "
              "show a new post: an automatic re-check will run around {at}, without waiting "
              "for the button.",
    },
    "platform_unavailable": {
        "fr": "{platform} n'a pas pu être lu : {cause}. La vérification est relancée "
              "automatiquement, prochain essai vers le {at}.",
        "en": "{platform} could not be read: {cause}. The check is retried automatically, "
              "next try around {at}.",
    },
    "claim_unavailable": {
        "fr": "{platform} n'a pas pu être lu pendant 24 heures (dernière cause : {cause}) ; "
              "réessayez plus tard en cliquant à nouveau sur le bouton.",
        "en": "{platform} could not be read for 24 hours (last cause: {cause}); try again "
              "later with the button.",
    },
    "account_private": {
        "fr": "Votre compte {platform} @{handle} est privé : passez-le en public pour que vos "
              "publications puissent être vues.",
        "en": "Your {platform} account @{handle} is private: make it public so that your "
              "posts can be seen.",
    },
    "account_not_found": {
        "fr": "Le compte {platform} @{handle} est introuvable : vérifiez l'identifiant lié à "
              "votre profil.",
        "en": "The {platform} account @{handle} does not exist: check the handle linked to "
              "your profile.",
    },
    "no_posts": {
        "fr": "Aucune publication n'est visible sur @{handle} : publiez sur la grille du "
              "profil, pas en story (les stories ne sont pas lues).",
        "en": "No post is visible on @{handle}: publish on the profile's grid, not in a story "
              "(stories are not read).",
    },
    "post_not_recent": {
        "fr": "La publication choisie ne fait pas partie des plus récentes de @{handle} : "
              "seules les dernières publications de la grille sont lues.",
        "en": "The post you chose is not among @{handle}'s most recent ones: only the latest "
              "posts of the grid are read.",
    },
    "hashtag_missing": {
        "fr": "{url} : le hashtag #{hashtag} est absent{found} ; ajoutez-le dans la légende "
              "d'une publication de la grille (pas en story).",
        "en": "{url}: #{hashtag} is missing{found}; add it to the caption of a post on the "
              "grid (not a story).",
    },
    "hashtag_near_miss": {
        "fr": "{url} : corrigez la faute de frappe du hashtag : {near} au lieu de #{hashtag}.",
        "en": "{url}: fix the hashtag typo: {near} instead of #{hashtag}.",
    },
    "before_window": {
        "fr": "{url} : publiée avant le début de la mission ({start}) ; publiez pendant la "
              "période de la mission.",
        "en": "{url}: published before the mission started ({start}); post within the "
              "mission's period.",
    },
    "after_window": {
        "fr": "{url} : publiée après la fin de la mission ({end}).",
        "en": "{url}: published after the mission ended ({end}).",
    },
    "already_counted": {
        "fr": "{url} : déjà comptée pour cette mission ; une publication ne compte qu'une fois.",
        "en": "{url}: already counted for this mission; a post counts once.",
    },
    "used_elsewhere": {
        "fr": "{url} : déjà récompensée par une autre mission ; publiez-en une nouvelle.",
        "en": "{url}: already rewarded by another mission; publish a new one.",
    },
    "goal_already_met": {
        "fr": "{url} : l'objectif de la mission était déjà atteint.",
        "en": "{url}: the mission's goal was already met.",
    },
    "cap_reached": {
        "fr": "{url} : le plafond de publications récompensées pour la période est atteint ; "
              "revenez la période suivante.",
        "en": "{url}: the cap of rewarded posts for the period is reached; come back next "
              "period.",
    },
    # R11: ownership (texts owned by engine.service.ownership's rules).
    "ownership_pending": {
        "fr": "Prouvez que le compte {platform} @{handle} est le vôtre : ajoutez le code {proof} "
              "dans {place}. Il sera lu à la prochaine vérification ; vous pourrez l'enlever "
              "ensuite.{contest}",
        "en": "Prove that the {platform} account @{handle} is yours: add the code {proof} to "
              "{place}. The next check reads it; you may remove it afterwards.{contest}",
    },
    "ownership_lost": {
        "fr": {"one": "Un autre membre a prouvé que le compte {platform} @{handle} est le sien : "
                      "il n'est plus lié à votre profil, et le {points} point gagné avec ses "
                      "publications a été repris. Si ce compte est le vôtre, contactez les "
                      "administrateurs de la communauté.",
               "other": "Un autre membre a prouvé que le compte {platform} @{handle} est le "
                        "sien : il n'est plus lié à votre profil, et les {points} points gagnés "
                        "avec ses publications ont été repris. Si ce compte est le vôtre, "
                        "contactez les administrateurs de la communauté."},
        "en": {"one": "Another member proved that the {platform} account @{handle} is theirs: "
                      "it is no longer linked to your profile, and the {points} point earned "
                      "with its posts was taken back. If this account is yours, contact the "
                      "community's admins.",
               "other": "Another member proved that the {platform} account @{handle} is "
                        "theirs: it is no longer linked to your profile, and the {points} "
                        "points earned with its posts were taken back. If this account is "
                        "yours, contact the community's admins."},
    },
    "ownership_unproven": {
        "fr": "{url} : correspond à la mission, comptée dès que la propriété du compte est "
              "prouvée.",
        "en": "{url}: matches the mission; it counts once you prove the account is yours.",
    },
    # Performance missions (issue 17): how far the post is from the threshold.
    "below_threshold": {
        "fr": "{url} : {seen} {what} sur {needed} nécessaires ; {next}",
        "en": "{url}: {seen} {what} of {needed} needed; {next}",
    },
    "below_threshold_unknown": {
        "fr": "{url} : {platform} n'a pas donné le nombre de {what} de cette publication (il "
              "en faut {needed}) ; elle ne compte pas tant qu'il n'est pas connu ; {next}",
        "en": "{url}: {platform} did not give this post's number of {what} ({needed} needed); "
              "it does not count while the number is unknown; {next}",
    },
    "threshold_next": {
        "fr": "nouvelle vérification automatique vers le {at}.",
        "en": "re-checked automatically around {at}.",
    },
    # Only the automatic re-checks are over: a new claim that sees the post at or above the
    # threshold still credits it.
    "threshold_over": {
        "fr": "plus aucune vérification automatique n'est prévue : demandez une nouvelle "
              "vérification quand elle atteint {needed} {what}.",
        "en": "no automatic re-check is left: ask for a new check once it reaches {needed} "
              "{what}.",
    },
    "metric_views": {"fr": "vues", "en": "views"},
    "metric_likes": {"fr": "« J'aime »", "en": "likes"},
}


# Which value a counted text agrees with, per language ("1 publication comptée sur 3", but
# "1 of 3 posts counted").
COUNTED: dict[str, dict[str, str]] = {
    "rewarded": {"fr": "points", "en": "points"},
    "progress": {"fr": "count", "en": "goal"},
    "ownership_lost": {"fr": "points", "en": "points"},
}


def _say(code: str, lang: str, **values: object) -> str:
    """The text ``code`` in ``lang`` with ``values`` put in; a counted text in the plural
    category Babel (CLDR) gives for the value :data:`COUNTED` names."""
    text = TEXTS[code][lang]
    if isinstance(text, dict):
        count = int(cast(int, values[COUNTED[code][lang]]))
        text = text.get(plural_category(lang, count), text["other"])
    return text.format(**values)


def diagnose(service: Service, member_id: str, mission_id: int, lang: str = "fr",
             zone: tzinfo | None = None) -> Diagnosis:
    """Explain, platform by platform, what happened to the member's claims for the mission.

    ``lang`` is ``fr`` or ``en``; the times in the texts (next try, window bounds) are human
    and localised (:func:`~engine.service.human_dates.human_instant`) in ``zone``, the member's
    time zone (UTC when None, and then the texts say "UTC").
    """
    if lang not in LANGUAGES:
        raise InvalidInput(f"the language (lang, --lang) must be fr or en, not {lang!r}")
    lines: list[DiagnosisLine] = []

    def add(code: str, where: str | None = None, link: str | None = None,
            **values: object) -> None:
        lines.append(DiagnosisLine(code=code, text=_say(code, lang, **values),
                                   platform=where, post_url=link))

    with service.db.sessions() as session:
        load_member_row(session, member_id)
        row = load_mission_row(session, mission_id)
        mission = to_mission(session, row)
        points = int(session.scalar(select(func.coalesce(func.sum(LedgerRow.points), 0)).where(
            LedgerRow.member_id == member_id, LedgerRow.mission_id == mission_id)) or 0)
        credited = int(session.scalar(select(func.count(CreditRow.id)).where(
            CreditRow.member_id == member_id, CreditRow.mission_id == mission_id,
            CreditRow.revoked_at.is_(None))) or 0)
        if points:
            add("rewarded", points=points)
        if mission.goal == "posts" and mission.goal_posts:
            add("progress", count=min(credited, mission.goal_posts), goal=mission.goal_posts)
        for action in mission.actions:
            platform = action.platform
            title = service.engine.platform(platform).title
            handle = linked_handle(session, member_id, platform)
            if handle is None:
                lost = _lost_handle(session, member_id, mission_id, platform)
                if lost is not None:
                    add("ownership_lost", platform, platform=title, handle=lost[0],
                        points=lost[1])
                add("no_handle", platform, platform=title)
                continue
            claim = session.scalar(select(ClaimRow).where(
                ClaimRow.member_id == member_id, ClaimRow.mission_id == mission_id,
                ClaimRow.platform == platform).order_by(ClaimRow.id.desc()).limit(1))
            if claim is None:
                label = (DEFAULT_LABEL_EN if lang == "en" and mission.label == DEFAULT_LABEL
                         else mission.label)
                add("no_claim", platform, platform=title, label=label)
                continue
            check = session.scalar(select(CheckRow).where(CheckRow.claim_id == claim.id)
                                   .order_by(CheckRow.id.desc()).limit(1))
            at = human_instant(claim.due_at, lang, zone) if claim.due_at else ""
            if check is None:
                add("check_pending", platform, platform=title)
                continue
            cause = cause_text(check.cause, check.status, title, lang)
            if claim.state == "unavailable":
                add("claim_unavailable", platform, platform=title, cause=cause)
                continue
            if check.status in ("unavailable", "layout_changed"):
                add("platform_unavailable", platform, platform=title, at=at, cause=cause)
                continue
            link = linked_row(session, member_id, platform)
            if link is not None and not ownership.is_credited(link, service.settings.ownership):
                contest = ((" Un autre membre a lié le même compte : le premier qui le prouve "
                            "le garde." if lang == "fr" else " Another member linked the same "
                            "account: the first to prove it keeps it.") if link.contested else "")
                add("ownership_pending", platform, platform=title, handle=link.handle,
                    proof=link.verification_code or "", contest=contest,
                    place=ownership.CODE_PLACES.get(platform, {}).get(
                        lang, "la bio du compte" if lang == "fr" else "the account's bio"))
            if check.status == "private":
                add("account_private", platform, platform=title, handle=check.handle)
            elif check.status == "not_found":
                add("account_not_found", platform, platform=title, handle=check.handle)
            elif _post_lines(session, check, claim, action.hashtag, mission, add, lang, zone,
                             title):
                continue  # the threshold lines say when the next re-check is
            if claim.state == "rechecking":
                add("recheck_scheduled", platform, platform=title, at=at)
    return Diagnosis(member_id=member_id, mission_id=mission_id, lang=lang,
                     rewarded=points > 0, points=points, lines=tuple(lines))


def _lost_handle(session: Session, member_id: str, mission_id: int,
                 platform: str) -> tuple[str, int] | None:
    """The handle whose ownership the member lost for this mission's posts on ``platform``,
    and the points taken back (from the compensating ledger rows), or None."""
    handle = session.scalar(select(CreditRow.handle).where(
        CreditRow.member_id == member_id, CreditRow.mission_id == mission_id,
        CreditRow.platform == platform, CreditRow.revoked_at.is_not(None))
        .order_by(CreditRow.revoked_at.desc()).limit(1))
    if handle is None:
        return None
    taken = session.scalar(select(func.coalesce(func.sum(LedgerRow.points), 0)).where(
        LedgerRow.member_id == member_id, LedgerRow.mission_id == mission_id,
        LedgerRow.reason == ownership.TRANSFER_REASON)) or 0
    return handle, -int(taken)


def _post_lines(session: Session, check: CheckRow, claim: ClaimRow, hashtag: str,
                mission: Mission, add: Callable[..., None], add_lang: str,
                zone: tzinfo | None, title: str) -> bool:
    """One line per post of ``check`` that did not count; True when one of them is below the
    mission's threshold (its line says when the next re-check is)."""
    seen = list(session.scalars(select(SeenPostRow).where(SeenPostRow.check_id == check.id)
                                .order_by(SeenPostRow.published_at.desc())))
    if claim.post_id and not seen:
        add("post_not_recent", check.platform, claim.post_url, handle=check.handle)
        return False
    if not seen:
        add("no_posts", check.platform, handle=check.handle)
        return False
    threshold = threshold_of(mission)
    below = False
    start = human_instant(mission.start_at, add_lang, zone) if mission.start_at else "-"
    end = human_instant(mission.end_at, add_lang, zone) if mission.end_at else "-"
    for post in seen:
        if post.verdict == "counted":
            continue
        if post.verdict == Verdict.BELOW_THRESHOLD and threshold is not None:
            below = True
            code, values = threshold_line(threshold, getattr(post, threshold.metric), claim,
                                          add_lang, zone, title)
            add(code, check.platform, post.url, url=post.url, **values)
            continue
        # The near-miss detail starts with the tag that was typed ("#sumer2025 is not …").
        near = post.detail.split(" ", 1)[0] if post.detail.startswith("#") else post.detail
        # The tags as the member wrote them, in any script (#อนิเมะ, #نرم‌افزار).
        tags = " ".join(f"#{tag}" for tag in post.hashtags)
        found = ((f" (hashtags lus : {tags})" if add_lang == "fr" else f" (hashtags read: {tags})")
                 if tags else "")
        add(post.verdict, check.platform, post.url, url=post.url, hashtag=hashtag,
            near=near, start=start, end=end, found=found)
    return below


def threshold_line(threshold: Threshold, seen: int | None, claim: ClaimRow, lang: str,
                   zone: tzinfo | None, title: str) -> tuple[str, dict[str, str]]:
    """The diagnosis code and values saying how far a ``below_threshold`` post is from the
    mission's threshold: ``seen`` (None: the platform did not give it) against the number
    needed, and the claim's next re-check (``due_at`` while ``rechecking``) or that the
    re-checks are over. The text is ``TEXTS[code][lang]`` with the values and ``url``."""
    values = {"what": _say(f"metric_{threshold.metric}", lang),
              "needed": number_text(threshold.needed, lang), "platform": title}
    values["next"] = (_say("threshold_next", lang, at=human_instant(claim.due_at, lang, zone))
                      if claim.state == "rechecking" and claim.due_at else
                      _say("threshold_over", lang, **values))
    if seen is None:
        return "below_threshold_unknown", values
    return "below_threshold", {**values, "seen": number_text(seen, lang)}
