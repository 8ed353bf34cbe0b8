"""The console's members (``/admin/members``, issue 11 item 3): search by member id or handle
(paginated: only one page of rows is read), one member's page (linked accounts with their
ownership and the form to mark one verified with a reason, balance, ledger with reasons, claims
with their checks and causes, the diagnosis per mission claimed), and member page links for a
mission (created here, shown in a read-only field with a copy button; the same link as
``social-missions member link-url`` and the API's ``POST /member-links``).

Every form carries the session's CSRF token and works without JavaScript. Dates are in the
community's time zone (named at the foot of the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.errors import InvalidInput
from engine.service.causes import cause_text
from engine.service.context import Service
from engine.service.diagnosis import diagnose
from engine.service.errors import NotFound
from engine.service.human_dates import human_instant
from engine.service.member_ids import member_id_problem
from engine.service.members import (
    claimed_missions,
    claims_page,
    ledger_page,
    member_summary,
    search_members,
    unlink_account,
)
from engine.service.missions import list_missions
from engine.service.ownership import TRANSFER_REASON, mark_verified
from engine.service.records import Diagnosis, Member, Mission
from engine.web.member_links import MAX_LIFETIME, sign_member_link
from engine.web.pages.rendering import service_of

from .base import (
    Catalogue,
    community_zone,
    console_lang,
    refuse_form_post,
    render_console,
    signed_in_admin,
    text_error,
    to_login,
)

router = APIRouter()

PAGE_SIZE = 50  # members per page of the search
LEDGER_PAGE = 50
CLAIMS_PAGE = 20
DIAGNOSED_MISSIONS = 10
MEMBER_ID_MAX = 200
REASON_MAX = 500
LINK_DAYS = 7
MAX_LINK_DAYS = MAX_LIFETIME.days
MAX_PAGE = 100_000

TEXTS = Catalogue({
    "title": {"fr": "Membres", "en": "Members"},
    "intro": {"fr": "Cherchez un membre par son identifiant sur votre plateforme ou par un "
                    "compte lié (début de l'identifiant ou du compte).",
              "en": "Find a member by their id on your platform or by a linked account (the "
                    "start of the id or of the handle)."},
    "search_label": {"fr": "Identifiant du membre ou compte (@…)",
                     "en": "Member id or handle (@…)"},
    "search": {"fr": "Chercher", "en": "Search"},
    "results": {"fr": "Membres trouvés", "en": "Members found"},
    "all_members": {"fr": "Tous les membres", "en": "All members"},
    "no_result": {"fr": "Aucun membre ne correspond à « {query} ».",
                  "en": "No member matches \"{query}\"."},
    "no_member_yet": {"fr": "Aucun membre pour l'instant : un membre apparaît dès qu'il lie un "
                            "compte depuis sa page.",
                      "en": "No members yet: a member appears once they link an account from "
                            "their page."},
    "col_member": {"fr": "Membre", "en": "Member"},
    "col_accounts": {"fr": "Comptes liés", "en": "Linked accounts"},
    "col_balance": {"fr": "Solde", "en": "Balance"},
    "no_account": {"fr": "Aucun compte lié", "en": "No linked account"},
    "points": {"fr": "{n} point(s)", "en": "{n} point(s)"},
    "previous": {"fr": "← Page précédente", "en": "← Previous page"},
    "next": {"fr": "Page suivante →", "en": "Next page →"},
    "page": {"fr": "Page {n}", "en": "Page {n}"},
    "pages": {"fr": "Pages", "en": "Pages"},
    # Member page links
    "link_title": {"fr": "Lien vers la page d'un membre", "en": "Member page link"},
    "link_intro": {"fr": "Un lien signé, valable quelques jours, qui ouvre la page de la "
                         "mission pour ce membre (il n'a pas besoin d'exister encore : la page "
                         "lui fait lier un compte).",
                   "en": "A signed link, valid for a few days, that opens the mission's page "
                         "for this member (they need not exist yet: the page has them link an "
                         "account)."},
    "link_member": {"fr": "Identifiant du membre", "en": "Member id"},
    "link_mission": {"fr": "Mission", "en": "Mission"},
    "link_days": {"fr": "Validité (jours)", "en": "Valid for (days)"},
    "link_days_hint": {"fr": "De 1 à {max} jours.", "en": "From 1 to {max} days."},
    "link_create": {"fr": "Créer le lien", "en": "Create the link"},
    "link_no_mission": {"fr": "Aucune mission : créez-en une d'abord.",
                        "en": "No missions: create one first."},
    "link_done": {"fr": "Lien créé pour {member} · {mission}", "en": "Link created for {member} "
                                                                    "· {mission}"},
    "link_url": {"fr": "Adresse du lien", "en": "Link address"},
    "link_copy": {"fr": "Copier", "en": "Copy"},
    "link_copied": {"fr": "Copié", "en": "Copied"},
    "link_select_hint": {"fr": "Sélectionnez l'adresse pour la copier, ou utilisez le bouton.",
                         "en": "Select the address to copy it, or use the button."},
    "link_open": {"fr": "Ouvrir la page du membre", "en": "Open the member's page"},
    "link_expires": {"fr": "Valable jusqu'au {at}.", "en": "Valid until {at}."},
    "link_back_member": {"fr": "Retour à la fiche de {member}", "en": "Back to {member}"},
    "link_back": {"fr": "Retour aux membres", "en": "Back to members"},
    "link_another": {"fr": "Créer un autre lien", "en": "Create another link"},
    # Errors
    "bad_query": {"fr": "La recherche ne doit pas dépasser 200 caractères ni contenir de "
                        "caractères de contrôle.",
                  "en": "The search must be at most 200 characters long, without control "
                        "characters."},
    "bad_member": {"fr": "L'identifiant du membre doit faire de 1 à 200 caractères, sans "
                         "caractères de contrôle ni espace au début ou à la fin.",
                   "en": "The member id must be 1 to 200 characters long, without control "
                         "characters or spaces at either end."},
    "bad_mission": {"fr": "Choisissez une des missions proposées.",
                    "en": "Choose one of the missions offered."},
    "bad_days": {"fr": "La validité est un nombre entier de jours, de 1 à {max}.",
                 "en": "The validity is a whole number of days, from 1 to {max}."},
    "unknown_member": {"fr": "Aucun membre n'a l'identifiant « {member} ».",
                       "en": "No member has the id \"{member}\"."},
    "unknown_member_short": {"fr": "Membre introuvable", "en": "Member not found"},
    "reason_required": {"fr": "Indiquez la raison de cette décision (500 caractères au plus).",
                        "en": "Give the reason for this decision (at most 500 characters)."},
    "no_such_account": {"fr": "Ce membre n'a pas de compte lié sur cette plateforme.",
                        "en": "This member has no linked account on this platform."},
    "verified_done": {"fr": "Compte {platform} @{handle} marqué vérifié.",
                      "en": "{platform} account @{handle} marked verified."},
    # One member
    "member_title": {"fr": "Membre {member}", "en": "Member {member}"},
    "balance": {"fr": "Solde", "en": "Balance"},
    "accounts": {"fr": "Comptes liés", "en": "Linked accounts"},
    "col_platform": {"fr": "Plateforme", "en": "Platform"},
    "col_handle": {"fr": "Compte", "en": "Handle"},
    "col_ownership": {"fr": "Propriété", "en": "Ownership"},
    "col_code": {"fr": "Code de vérification", "en": "Verification code"},
    "col_linked": {"fr": "Lié le", "en": "Linked"},
    "verified_on": {"fr": "le {at}", "en": "on {at}"},
    "verified_by": {"fr": "par {by}", "en": "by {by}"},
    "not_credited": {"fr": "Ses publications ne sont pas créditées tant que la propriété "
                           "n'est pas prouvée.",
                     "en": "Its posts are not credited until ownership is proved."},
    "mark_verified": {"fr": "Marquer vérifié", "en": "Mark verified"},
    "unlink": {"fr": "Délier ce compte", "en": "Unlink this account"},
    "unlink_hint": {"fr": "Les points déjà gagnés restent ; le membre pourra lier un autre "
                          "compte.",
                    "en": "Points already earned stay; the member may link another account."},
    "unlinked_done": {"fr": "Le compte {platform} @{handle} n'est plus lié.",
                      "en": "The {platform} account @{handle} is no longer linked."},
    "mark_reason": {"fr": "Raison (obligatoire)", "en": "Reason (required)"},
    "mark_hint": {"fr": "Enregistrée avec la décision. Un litige sur ce compte se termine "
                        "comme si le membre avait montré le code.",
                  "en": "Recorded with the decision. A contest over this account ends as if "
                        "the member had shown the code."},
    "ledger": {"fr": "Registre des points", "en": "Points ledger"},
    "no_ledger": {"fr": "Aucun point pour l'instant.", "en": "No points yet."},
    "col_when": {"fr": "Date", "en": "When"},
    "col_points": {"fr": "Points", "en": "Points"},
    "col_mission": {"fr": "Mission", "en": "Mission"},
    "col_reason": {"fr": "Raison", "en": "Reason"},
    "col_posts": {"fr": "Publications", "en": "Posts"},
    "reverses": {"fr": "annule une récompense précédente", "en": "reverses an earlier award"},
    "claims": {"fr": "Demandes et vérifications", "en": "Claims and checks"},
    "no_claims": {"fr": "Aucune demande pour l'instant.", "en": "No claims yet."},
    "claim_head": {"fr": "Demande n° {id} · {mission} · {platform}",
                   "en": "Claim no. {id} · {mission} · {platform}"},
    "claimed_at": {"fr": "Demandée le {at}", "en": "Claimed {at}"},
    "due_at": {"fr": "Prochaine vérification le {at}", "en": "Next check {at}"},
    "finished_at": {"fr": "Terminée le {at}", "en": "Finished {at}"},
    "claim_post": {"fr": "Publication choisie :", "en": "Chosen post:"},
    "counted_n": {"fr": "{n} publication(s) comptée(s)", "en": "{n} post(s) counted"},
    "failures_n": {"fr": "{n} échec(s) de lecture", "en": "{n} failed read(s)"},
    "last_status": {"fr": "Dernier résultat : {status}", "en": "Last result: {status}"},
    "checks_of": {"fr": "Vérifications (les plus récentes d'abord)",
                  "en": "Checks (newest first)"},
    "no_checks": {"fr": "Pas encore vérifiée.", "en": "Not checked yet."},
    "check_line": {"fr": "{kind} · @{handle} · {status}", "en": "{kind} · @{handle} · {status}"},
    "attempts": {"fr": "Essais", "en": "Attempts"},
    "attempt": {"fr": "{backend} : {outcome}", "en": "{backend}: {outcome}"},
    "requests": {"fr": "{n} requête(s)", "en": "{n} request(s)"},
    "diagnosis": {"fr": "Diagnostic par mission", "en": "Diagnosis per mission"},
    "diagnosis_intro": {"fr": "Ce que le membre lit à la question « pourquoi n'ai-je pas été "
                              "récompensé ? », pour chaque mission demandée.",
                        "en": "What the member reads when asking \"why was I not rewarded?\", "
                              "for each mission claimed."},
    "no_diagnosis": {"fr": "Aucune mission demandée.", "en": "No mission claimed."},
    "older": {"fr": "Plus anciens →", "en": "Older →"},
    "newer": {"fr": "← Plus récents", "en": "← Newer"},
    "back": {"fr": "← Tous les membres", "en": "← All members"},
    "mission_n": {"fr": "mission n° {id}", "en": "mission no. {id}"},
    "link_for_member": {"fr": "Lien vers sa page", "en": "Link to their page"},
})

# Words for the codes the pages show (an unknown code is shown as it is).
WORDS = Catalogue({
    "verified": {"fr": "Vérifié", "en": "Verified"},
    "contested": {"fr": "Contesté", "en": "Contested"},
    "unverified": {"fr": "Non vérifié", "en": "Not verified"},
    "mission_completed": {"fr": "Mission terminée", "en": "Mission completed"},
    "recurring_post": {"fr": "Publication récompensée", "en": "Rewarded post"},
    TRANSFER_REASON: {"fr": "Compte transféré : points repris",
                      "en": "Account transferred: points taken back"},
    "queued": {"fr": "En attente", "en": "Queued"},
    "rechecking": {"fr": "Nouvelle vérification prévue", "en": "Re-check scheduled"},
    "retrying": {"fr": "Nouvel essai prévu", "en": "Retry scheduled"},
    "done": {"fr": "Terminée", "en": "Done"},
    "unavailable": {"fr": "Indisponible", "en": "Unavailable"},
    "ok": {"fr": "Compte lu", "en": "Account read"},
    "private": {"fr": "Compte privé", "en": "Private account"},
    "not_found": {"fr": "Compte introuvable", "en": "Account not found"},
    "layout_changed": {"fr": "Présentation changée", "en": "Layout changed"},
    "first": {"fr": "Première vérification", "en": "First check"},
    "recheck": {"fr": "Nouvelle vérification", "en": "Re-check"},
    "retry": {"fr": "Nouvel essai", "en": "Retry"},
    "skipped": {"fr": "ignoré", "en": "skipped"},
    "error": {"fr": "erreur", "en": "error"},
    "cassette_miss": {"fr": "absent de la cassette", "en": "missing from the cassette"},
})


def word(code: str | None, lang: str) -> str:
    """The words for a stored code (ownership, ledger reason, claim state, check status…)."""
    if not code:
        return "–"
    return WORDS(code, lang) if code in WORDS.texts else code


def member_path(member_id: str) -> str:
    """The console page of one member (the id percent-encoded, ``/`` included)."""
    return "/admin/members/" + quote(member_id, safe="")


def valid_member_id(text: str) -> bool:
    """The one member id rule (:mod:`engine.service.member_ids`): 1–200 characters, no
    control character, no surrounding white space (refused, never trimmed)."""
    return member_id_problem(text) is None


def _page_number(request: Request, name: str = "page") -> int:
    """``?page=`` as a page number from 1 (anything else is page 1)."""
    text = request.query_params.get(name, "1")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:  # no "²", "٣" nor 10**5000
        return 1
    return min(int(text), MAX_PAGE) if int(text) >= 1 else 1


def _with_page(request: Request, name: str, number: int) -> str:
    params = {key: value for key, value in request.query_params.items()
              if key not in (name, "lang", "done")}
    params[name] = str(number)
    return f"{request.url.path}?{urlencode(params)}"


@dataclass(frozen=True)
class LinkForm:
    """The member page link form as typed, with its errors by field."""

    member: str = ""
    mission: str = ""
    days: str = str(LINK_DAYS)
    errors: dict[str, str] | None = None


def _dates(request: Request, lang: str) -> Any:
    zone = community_zone(service_of(request))

    def when(moment: datetime | None) -> str:
        return human_instant(moment, lang, zone) if moment is not None else "–"

    return when


def _missions(request: Request) -> list[Mission]:
    """Every mission but archived ones, published first (the link form's choices)."""
    missions = [m for m in list_missions(service_of(request)) if m.status != "archived"]
    return sorted(missions, key=lambda m: (m.status != "published", -m.id))


# -- the search --------------------------------------------------------------------------------


@router.get("/members", response_class=HTMLResponse, include_in_schema=False)
def members_page(request: Request) -> Response:
    """Search by member id or handle, one page of members at a time, and the link form."""
    if signed_in_admin(request) is None:
        return to_login(request)
    return _members_view(request, LinkForm())


def _members_view(request: Request, form: LinkForm, *, status_code: int = 200) -> Response:
    lang = console_lang(request)
    query = request.query_params.get("q", "")
    page = _page_number(request)
    error = None
    found: list[Any] = []
    more = False
    try:
        found, more = search_members(service_of(request), query,
                                     offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    except InvalidInput:
        error = TEXTS("bad_query", lang)
        status_code = 400 if status_code == 200 else status_code
    shown_query = query[:MEMBER_ID_MAX]
    return render_console(request, "console_members.html", {
        "t": TEXTS, "query": shown_query, "found": found, "error": error, "page": page,
        "previous_url": _with_page(request, "page", page - 1) if page > 1 else None,
        "next_url": _with_page(request, "page", page + 1) if more else None,
        "member_path": member_path, "missions": _missions(request), "form": form,
        "max_days": MAX_LINK_DAYS,
    }, lang=lang, section="members", status_code=status_code)


# -- member page links -------------------------------------------------------------------------


@router.post("/members/link", include_in_schema=False)
def create_link(request: Request, csrf_token: str = Form(""), member_id: str = Form(""),
                mission_id: str = Form(""), days: str = Form(str(LINK_DAYS)),
                back: str = Form("")) -> Response:
    """Create a member page link and show it once, ready to copy."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    member = member_id  # as typed: " ana" is refused, not trimmed to "ana"
    errors: dict[str, str] = {}
    if not valid_member_id(member):
        errors["member"] = TEXTS("bad_member", lang)
    missions = {str(m.id): m for m in _missions(request)}
    mission = missions.get(mission_id.strip())
    if mission is None:
        errors["mission"] = TEXTS("bad_mission", lang)
    text_days = days.strip()
    if not (text_days.isascii() and text_days.isdigit() and len(text_days) <= 9
            and 1 <= int(text_days) <= MAX_LINK_DAYS):
        errors["days"] = TEXTS("bad_days", lang, max=MAX_LINK_DAYS)
    form = LinkForm(member=member_id[:MEMBER_ID_MAX], mission=mission_id[:20],
                    days=days[:10], errors=errors)
    if errors or mission is None:
        if back == "member" and valid_member_id(member):
            return _member_view(request, member, link_form=form, status_code=400)
        return _members_view(request, form, status_code=400)
    expires_at = (service.now() + timedelta(days=int(text_days))).replace(microsecond=0)
    path = "/m/" + sign_member_link(service, member, mission.id, expires_at=expires_at)
    response = render_console(request, "console_member_link.html", {
        "t": TEXTS, "url": str(request.base_url).rstrip("/") + path, "member": member,
        "mission": mission, "expires": _dates(request, lang)(expires_at),
        "member_path": member_path, "back_to_member": back == "member",
    }, lang=lang, section="members")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- one member --------------------------------------------------------------------------------


@router.get("/members/{member_id:path}", response_class=HTMLResponse, include_in_schema=False)
def member_page(request: Request, member_id: str) -> Response:
    """One member: accounts and ownership, balance, ledger, claims and checks, diagnoses."""
    if signed_in_admin(request) is None:
        return to_login(request)
    return _member_view(request, member_id, link_form=LinkForm(member=member_id))


def _not_found(request: Request, member_id: str, lang: str) -> Response:
    return render_console(request, "console_member_missing.html", {
        "t": TEXTS, "member": member_id[:MEMBER_ID_MAX] if valid_member_id(member_id)
        else "", "valid": valid_member_id(member_id),
    }, lang=lang, section="members", status_code=404)


def _member_or_none(service: Service, member_id: str) -> Member | None:
    """The member's summary, or None for an id that is not valid or names no member."""
    if not valid_member_id(member_id):
        return None
    try:
        return member_summary(service, member_id)
    except NotFound:
        return None


def _member_view(request: Request, member_id: str, *, link_form: LinkForm,
                 verify_error: tuple[str, str] | None = None, reason: str = "",
                 status_code: int = 200) -> Response:
    lang = console_lang(request)
    service = service_of(request)
    member = _member_or_none(service, member_id)
    if member is None:
        return _not_found(request, member_id, lang)
    ledger_number = _page_number(request, "ledger")
    claims_number = _page_number(request, "claims")
    ledger, more_ledger = ledger_page(service, member_id,
                                      offset=(ledger_number - 1) * LEDGER_PAGE,
                                      limit=LEDGER_PAGE)
    claims, more_claims = claims_page(service, member_id,
                                      offset=(claims_number - 1) * CLAIMS_PAGE,
                                      limit=CLAIMS_PAGE)
    missions = list_missions(service)
    titles = {m.id: m.title for m in missions}
    zone = community_zone(service)
    diagnoses: list[Diagnosis] = []
    for mission_id in claimed_missions(service, member_id, limit=DIAGNOSED_MISSIONS):
        try:
            diagnoses.append(diagnose(service, member_id, mission_id, lang, zone=zone))
        except NotFound:
            continue
    done = request.query_params.get("done", "")
    notice = None
    if done.startswith("unlinked:"):
        platform, _, handle = done.removeprefix("unlinked:").partition(":")
        notice = TEXTS("unlinked_done", lang, platform=_title(request, platform), handle=handle)
    if done.startswith("verified:"):
        platform = done.removeprefix("verified:")
        account = next((a for a in member.accounts if a.platform == platform), None)
        if account is not None:
            notice = TEXTS("verified_done", lang, platform=_title(request, platform),
                           handle=account.handle)
    return render_console(request, "console_member.html", {
        "t": TEXTS, "word": word, "member": member, "ledger": ledger, "claims": claims,
        "diagnoses": diagnoses, "titles": titles, "when": _dates(request, lang),
        "platform_title": lambda name: _title(request, name),
        "cause_text": lambda cause, status, platform: cause_text(
            cause, status, _title(request, platform), lang),
        "ledger_newer": _with_page(request, "ledger", ledger_number - 1)
        if ledger_number > 1 else None,
        "ledger_older": _with_page(request, "ledger", ledger_number + 1) if more_ledger
        else None,
        "claims_newer": _with_page(request, "claims", claims_number - 1)
        if claims_number > 1 else None,
        "claims_older": _with_page(request, "claims", claims_number + 1) if more_claims
        else None,
        "verify_error": verify_error, "reason": reason[:REASON_MAX], "notice": notice,
        "member_path": member_path, "missions": _missions(request), "form": link_form,
        "max_days": MAX_LINK_DAYS, "transfer_reason": TRANSFER_REASON,
    }, lang=lang, section="members", status_code=status_code)


def _title(request: Request, platform: str) -> str:
    try:
        return str(service_of(request).engine.platform(platform).title)
    except Exception:  # a platform whose plugin is gone: its stored name
        return platform


@router.post("/members/{member_id:path}/unlink", include_in_schema=False)
def unlink_account_form(request: Request, member_id: str, csrf_token: str = Form(""),
                        platform: str = Form("")) -> Response:
    """Remove one of the member's linked accounts (what ``DELETE
    /api/v1/members/{member}/accounts/{platform}`` does); points already earned stay."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    member = _member_or_none(service, member_id)
    if member is None:
        return _not_found(request, member_id, lang)
    account = next((a for a in member.accounts if a.platform == platform), None)
    if account is None:
        return _member_view(request, member_id, link_form=LinkForm(member=member_id),
                            status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    unlink_account(service, member_id, platform)
    params = {"done": f"unlinked:{platform}:{account.handle}"}
    if request.query_params.get("lang") in ("fr", "en"):
        params["lang"] = request.query_params["lang"]
    return RedirectResponse(f"{member_path(member_id)}?{urlencode(params)}", status_code=303)


@router.post("/members/{member_id:path}/verify", include_in_schema=False)
def verify_account(request: Request, member_id: str, csrf_token: str = Form(""),
                   platform: str = Form(""), reason: str = Form("")) -> Response:
    """Mark one of the member's linked accounts verified, with the reason (required)."""
    refused = refuse_form_post(request, csrf_token)
    if refused is not None:
        return refused
    lang = console_lang(request)
    service = service_of(request)
    member = _member_or_none(service, member_id)
    if member is None:
        return _not_found(request, member_id, lang)
    form = LinkForm(member=member_id)
    why = " ".join(reason.split())
    if platform not in {a.platform for a in member.accounts}:
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    if not why or len(why) > REASON_MAX or text_error(reason, lang):
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=(platform, TEXTS("reason_required", lang)),
                            reason=reason)
    try:
        mark_verified(service, member_id, platform, why)
    except NotFound:
        return _member_view(request, member_id, link_form=form, status_code=400,
                            verify_error=("", TEXTS("no_such_account", lang)))
    params = {"done": f"verified:{platform}"}
    if request.query_params.get("lang") in ("fr", "en"):
        params["lang"] = request.query_params["lang"]
    done = urlencode(params)
    return RedirectResponse(f"{member_path(member_id)}?{done}", status_code=303)
