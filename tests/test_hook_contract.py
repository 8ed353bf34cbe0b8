"""The hook contract of ``engine/hookspecs.py``, held by the engine and by real plugins.

Each hook's docstring is its contract: the arguments it gets, what it returns, what ``None``
means, which errors may escape. These tests replay real accounts (the built-in plugins and, when
installed, the example Bluesky package) through the engine with every hook call recorded, and
check each call against that contract: the engine passes exactly the arguments the
specification names; ``is_public`` answers a bool; ``fetch_recent_posts`` answers ``Post``
objects of the account's platform with canonical URLs and aware UTC instants; only the documented
errors escape, each with what it must carry; every plugin answers ``None`` for another
platform's account without touching the session; ``is_public`` costs no request that
``fetch_recent_posts`` would not make anyway.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy
import pytest
from pluggy import HookImpl

from engine import hookspecs
from engine.backends import CheckSession
from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import AccountNotFound, AccountPrivate, LayoutChanged, PlatformUnavailable
from engine.models import Account, AccountStatus, Post, Snapshot
from engine.platforms import Platform
from engine.plugin_manager import ENTRY_POINT_GROUP, get_plugin_manager, hook_names
from engine.replay import cassette

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
BLUESKY = ROOT / "examples" / "bluesky-plugin" / "cassettes"
BLUESKY_INSTALLED = any(ep.name == "bluesky" for ep in entry_points(group=ENTRY_POINT_GROUP))
needs_bluesky = pytest.mark.skipif(
    not BLUESKY_INSTALLED, reason="the example plugin social-missions-bluesky is not installed "
    "(pip install -e examples/bluesky-plugin, as scripts/test does)")

# The errors each hook may let escape (its docstring); anything else is a bug in the backend.
MAY_RAISE: dict[str, tuple[type[Exception], ...]] = {
    "social_missions_platforms": (),
    "is_public": (AccountNotFound, PlatformUnavailable, LayoutChanged, AccountPrivate),
    "fetch_recent_posts": (AccountNotFound, PlatformUnavailable, LayoutChanged, AccountPrivate),
}


@dataclass(frozen=True)
class Case:
    """One account's answer replayed: ``status`` is what the check must end in."""

    platform: str
    backend: str
    handle: str
    cassette: Path
    status: AccountStatus
    marks: tuple[Any, ...] = ()

    def param(self) -> Any:
        return pytest.param(self, id=f"{self.platform}-{self.backend}-{self.cassette.stem}",
                            marks=self.marks)


def _cases(platform: str, backend: str, folder: Path, rows: Sequence[tuple[str, str, AccountStatus]],
           marks: tuple[Any, ...] = ()) -> list[Case]:
    return [Case(platform, backend, handle, folder / f"{name}.yaml", status, marks)
            for handle, name, status in rows]


OK, PRIVATE, NOT_FOUND = AccountStatus.OK, AccountStatus.PRIVATE, AccountStatus.NOT_FOUND
UNAVAILABLE, LAYOUT = AccountStatus.UNAVAILABLE, AccountStatus.LAYOUT_CHANGED
CASES = [
    *_cases("instagram", "web", CASSETTES / "instagram" / "web", [
        ("lea.voyage", "public", OK), ("secret.garden", "private", PRIVATE),
        ("nobody.here.404", "not_found", NOT_FOUND), ("lea.voyage", "rate_limited", UNAVAILABLE),
        ("lea.voyage", "unknown_shape", LAYOUT)]),
    *_cases("youtube", "rss", CASSETTES / "youtube" / "rss", [
        ("@terra.trails", "public", OK), ("@no.such.channel.404", "not_found", NOT_FOUND),
        ("@terra.trails", "feed_404", UNAVAILABLE), ("@terra.trails", "unknown_shape", LAYOUT)]),
    *_cases("tiktok", "web", CASSETTES / "tiktok" / "web", [
        ("mila.moves", "public", OK), ("secret.garden", "private", PRIVATE),
        ("nobody.here.404", "not_found", NOT_FOUND), ("mila.moves", "bot_challenge", UNAVAILABLE),
        ("mila.moves", "unknown_shape", LAYOUT)]),
    *_cases("bluesky", "api", BLUESKY, [
        ("lea.bsky.social", "public", OK), ("nobody-here.bsky.social", "not_found", NOT_FOUND),
        ("lea.bsky.social", "rate_limited", UNAVAILABLE),
        ("lea.bsky.social", "unknown_shape", LAYOUT)], marks=(needs_bluesky,)),
]
PUBLIC_CASES = [case for case in CASES if case.status is OK]


@dataclass
class HookCall:
    """One call of a hook as the plugin manager saw it."""

    hook: str
    kwargs: dict[str, Any]
    result: Any = None
    error: BaseException | None = None
    requests: int | None = None  # the session's requests once the hook returned


@dataclass
class HookCalls:
    """Every hook call of a plugin manager (``pluggy``'s call monitoring), in order."""

    calls: list[HookCall] = field(default_factory=list)

    def watch(self, manager: pluggy.PluginManager) -> None:
        def before(hook: str, impls: Sequence[HookImpl], kwargs: Mapping[str, Any]) -> None:
            self.calls.append(HookCall(hook, dict(kwargs)))

        def after(outcome: pluggy.Result[Any], hook: str, impls: Sequence[HookImpl],
                  kwargs: Mapping[str, Any]) -> None:
            call = next(c for c in reversed(self.calls) if c.hook == hook and c.kwargs == kwargs)
            call.error = outcome.exception
            call.result = None if outcome.exception else outcome.get_result()
            session = kwargs.get("session")
            call.requests = session.requests if isinstance(session, CheckSession) else None

        manager.add_hookcall_monitoring(before, after)

    def of(self, hook: str) -> list[HookCall]:
        return [call for call in self.calls if call.hook == hook]


def watched_engine(platform: str, backend: str, settings: dict[str, Any] | None = None,
                   ) -> tuple[Engine, HookCalls]:
    """An engine for ``platform`` through ``backend`` only, every hook call recorded from the
    start (``social_missions_platforms`` is called while the engine is built)."""
    manager = get_plugin_manager()
    calls = HookCalls()
    calls.watch(manager)
    table = {"backends": [backend], **(settings or {})}
    engine = Engine(config_from_mapping({"platforms": {platform: table}}),
                    plugin_manager=manager, cache=MemoryCache(), replaying=True)
    return engine, calls


def replay(case: Case) -> tuple[Snapshot, HookCalls, Engine]:
    engine, calls = watched_engine(case.platform, case.backend)
    volatile = engine.platform(case.platform).volatile_query_params
    with cassette(case.cassette, record=False, volatile=volatile):
        snapshot = engine.snapshot(engine.account(case.platform, case.handle),
                                   backends=[case.backend])
    return snapshot, calls, engine


def spec_arguments(hook: str) -> set[str]:
    return set(inspect.signature(getattr(hookspecs, hook)).parameters)


def check_arguments(call: HookCall, engine: Engine, snapshot: Snapshot) -> None:
    """The engine passes what the specification names, of the documented kinds."""
    assert set(call.kwargs) == spec_arguments(call.hook), call.hook
    if call.hook == "social_missions_platforms":
        return
    account, session = call.kwargs["account"], call.kwargs["session"]
    assert isinstance(account, Account) and account == snapshot.account
    platform = engine.platform(account.platform)
    assert platform.normalise_handle(account.handle) == account.handle, "handle not normalised"
    assert isinstance(session, CheckSession)
    assert session.backend.name == snapshot.backend or snapshot.backend is None
    if call.hook == "fetch_recent_posts":
        assert type(call.kwargs["limit"]) is int and call.kwargs["limit"] >= 1
        assert call.kwargs["limit"] == snapshot.limit


def check_declared(declared: Any) -> None:
    """One plugin's answer to ``social_missions_platforms``: a sequence of platforms, each
    with a lower-case name, a default limit of at least 1 and its backends."""
    assert isinstance(declared, Sequence) and not isinstance(declared, str)
    for platform in declared:
        assert isinstance(platform, Platform)
        assert platform.name and platform.name == platform.name.lower()
        assert platform.default_limit >= 1 and platform.backends


def check_answer(call: HookCall, engine: Engine) -> None:
    """The answer is of the documented shape, or a documented error carrying what it must."""
    if call.error is not None:
        assert isinstance(call.error, MAY_RAISE[call.hook]), (
            f"{call.hook} let {type(call.error).__name__} escape: {call.error}")
        if isinstance(call.error, PlatformUnavailable):
            assert call.error.cause is not None and call.error.detail
        return
    if call.hook == "social_missions_platforms":
        for declared in call.result:
            check_declared(declared)
        return
    assert call.result is not None, f"no plugin answered {call.hook} for its own platform"
    if call.hook == "is_public":
        assert type(call.result) is bool
        return
    account, limit = call.kwargs["account"], call.kwargs["limit"]
    posts = call.result
    assert isinstance(posts, Sequence) and not isinstance(posts, str)
    platform = engine.platform(account.platform)
    for post in posts:
        assert isinstance(post, Post)
        assert post.platform == account.platform
        assert post.published_at.utcoffset() == timedelta(0), f"{post.id}: not UTC"
        assert platform.post_id_from_url(post.url) == post.id, f"{post.url} is not canonical"
    assert len({post.id for post in posts}) == len(posts), "a post returned twice"
    assert limit >= 1


def test_the_hooks_are_the_three_of_the_contract() -> None:
    assert hook_names() == ["fetch_recent_posts", "is_public", "social_missions_platforms"]


@pytest.mark.parametrize("hook", hook_names())
def test_hook_has_a_typed_contract_in_its_docstring(hook: str) -> None:
    function = getattr(hookspecs, hook)
    doc = inspect.getdoc(function) or ""
    assert ":return:" in doc, f"{hook}'s docstring must say what it returns"
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    for name, parameter in signature.parameters.items():
        assert parameter.annotation is not inspect.Parameter.empty
        assert f":param {name}:" in doc, f"{hook}'s docstring must describe {name}"


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_every_hook_call_keeps_the_contract(case: Case) -> None:
    snapshot, calls, engine = replay(case)
    assert snapshot.status is case.status, snapshot.detail
    assert {call.hook for call in calls.calls} >= {"social_missions_platforms", "is_public"}
    for call in calls.calls:
        check_arguments(call, engine, snapshot)
        check_answer(call, engine)
    public, fetched = calls.of("is_public"), calls.of("fetch_recent_posts")
    assert len(public) == 1
    # fetch_recent_posts follows an is_public that answered True, and only then.
    assert len(fetched) == (1 if public[0].error is None and public[0].result is True else 0)
    if case.status is OK:
        assert fetched[0].result, "a public account with posts read as empty"
        assert {post.id for post in snapshot.posts} <= {post.id for post in fetched[0].result}
    elif case.status is PRIVATE:
        # False, or AccountPrivate from either hook (a backend that learns it from a refusal).
        answers = [public[0].result, *(call.error for call in (*public, *fetched))]
        assert answers[0] is False or any(isinstance(a, AccountPrivate) for a in answers[1:])
    else:
        expected = {NOT_FOUND: AccountNotFound, UNAVAILABLE: PlatformUnavailable,
                    LAYOUT: LayoutChanged}[case.status]
        raised = [call.error for call in (*public, *fetched) if call.error is not None]
        assert len(raised) == 1 and isinstance(raised[0], expected), raised


class UntouchableSession:
    """A session that fails the test when a hook uses it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the hook used session.{name} for another platform's account")


def _implementations(hook: str) -> list[Any]:
    manager = get_plugin_manager()
    return [pytest.param(impl, id=impl.plugin_name)
            for impl in getattr(manager.hook, hook).get_hookimpls()]


@pytest.mark.parametrize("impl", _implementations("is_public") + _implementations("fetch_recent_posts"))
def test_a_plugin_answers_none_for_another_platforms_account(impl: Any) -> None:
    stranger = Account(platform="no-such-platform", handle="someone")
    arguments = {"account": stranger, "limit": 5, "session": UntouchableSession()}
    assert impl.function(**{name: arguments[name] for name in impl.argnames}) is None


@pytest.mark.parametrize("impl", _implementations("social_missions_platforms"))
def test_each_plugin_declares_its_platforms(impl: Any) -> None:
    declared = impl.function()
    assert declared, f"{impl.plugin_name} declares no platform"
    check_declared(declared)


@pytest.mark.parametrize("case", [case.param() for case in PUBLIC_CASES])
def test_is_public_costs_no_request_of_its_own(case: Case) -> None:
    """A check (``is_public`` then ``fetch_recent_posts``) costs what ``fetch_recent_posts``
    alone costs on a fresh session: the two share one reading of the account."""
    snapshot, _calls, _engine = replay(case)
    engine, _ = watched_engine(case.platform, case.backend)
    platform = engine.platform(case.platform)
    backend = platform.backend(case.backend)(engine.config.platform(case.platform))
    session = CheckSession(backend=backend, http=engine.http(case.platform), cache=engine.cache,
                           limit=engine.limit(case.platform), replaying=True)
    account = engine.account(case.platform, case.handle)
    with cassette(case.cassette, record=False, volatile=platform.volatile_query_params):
        posts = engine.plugins.hook.fetch_recent_posts(account=account, limit=session.limit,
                                                       session=session)
    assert posts
    assert snapshot.requests == session.requests >= 1
