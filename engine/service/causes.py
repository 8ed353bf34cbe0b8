"""Plain words, in French and English, for why a platform could not be read.

One sentence per :class:`~engine.models.UnavailableCause` and one for ``layout_changed``, said
to a member: what happened and whose side it is on. The diagnosis and the member page use the
same words, so they never disagree (a DNS failure is never called a rate limit).
"""

from __future__ import annotations

from engine.models import UnavailableCause

LAYOUT_CHANGED = "layout_changed"

CAUSE_TEXTS: dict[str, dict[str, str]] = {
    UnavailableCause.NETWORK: {
        "fr": "{platform} n'a pas pu être joint (panne réseau de notre côté ou du sien)",
        "en": "{platform} could not be reached (a network failure on our side or theirs)",
    },
    UnavailableCause.RATE_LIMITED: {
        "fr": "{platform} limite le nombre de consultations et nous demande d'attendre",
        "en": "{platform} limits how often profiles can be read and asked us to wait",
    },
    UnavailableCause.LOGIN_WALL: {
        "fr": "{platform} a demandé une connexion pour afficher le profil",
        "en": "{platform} asked for a login before showing the profile",
    },
    UnavailableCause.BOT_CHALLENGE: {
        "fr": "{platform} a répondu par une vérification anti-robot",
        "en": "{platform} answered with an anti-robot check",
    },
    UnavailableCause.SERVER_ERROR: {
        "fr": "{platform} a une panne de son côté",
        "en": "{platform} is having an outage on its side",
    },
    UnavailableCause.HELD_BACK: {
        "fr": "{platform} a indiqué que le compte a des publications mais ne les a pas "
              "montrées",
        "en": "{platform} said the account has posts but did not show them",
    },
    UnavailableCause.QUOTA: {
        "fr": "le quota quotidien de l'API officielle de {platform} est épuisé",
        "en": "the daily quota of {platform}'s official API is used up",
    },
    UnavailableCause.BACKEND_ERROR: {
        "fr": "un problème de notre côté a empêché la lecture du profil (l'équipe est "
              "prévenue)",
        "en": "a problem on our side kept us from reading the profile (the team is told)",
    },
    LAYOUT_CHANGED: {
        "fr": "{platform} a changé la présentation de ses pages ; nous nous adaptons",
        "en": "{platform} changed how its pages look; we are adapting",
    },
}


def cause_text(cause: str | None, status: str, platform: str, lang: str) -> str:
    """Why ``platform`` could not be read, in ``lang`` (``fr`` or ``en``).

    ``cause`` is the check's :class:`~engine.models.UnavailableCause` value (None for checks
    recorded before causes existed: the words then say only that it did not answer);
    ``status`` is the check's account status (``layout_changed`` has words of its own).
    """
    key = LAYOUT_CHANGED if status == LAYOUT_CHANGED else cause
    texts = CAUSE_TEXTS.get(key or "")
    if texts is None:
        return ("{platform} n'a pas répondu" if lang == "fr"
                else "{platform} did not answer").format(platform=platform)
    return texts[lang].format(platform=platform)
