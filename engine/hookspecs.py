"""The plugin contract: the hooks a platform plugin implements.

A plugin is any object or module whose functions carry ``@hookimpl`` (from this module) with the
names below. Built-in plugins live in ``plugins/``; third-party ones are packages that declare an
entry point in the group ``social_missions.plugins``. Read this file and ``docs/plugins.md`` to
write one.

A check goes like this: the engine picks the platform's first configured backend, opens a
:class:`~engine.backends.CheckSession` for it, calls :func:`is_public`, then (if public)
:func:`fetch_recent_posts`. When a hook raises ``PlatformUnavailable`` or ``LayoutChanged`` the
engine tries the next backend; ``AccountPrivate`` and ``AccountNotFound`` end the check.
"""

from __future__ import annotations

from collections.abc import Sequence

import pluggy

from .backends import CheckSession
from .models import Account, Post
from .platforms import Platform

PROJECT = "social_missions"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def social_missions_platforms() -> Sequence[Platform]:
    """Declare the platforms this plugin provides.

    :return: one :class:`~engine.platforms.Platform` per platform: its ``name`` (lower-case,
        stable, used in configuration and storage), default recent-post limit, handle rules,
        post URL form and the backend classes that can read it, in default order.

    Called once when the plugin manager is built. Every plugin's answers are collected; two
    plugins declaring the same platform name is a configuration error. Must not touch the
    network. May return an empty sequence.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def is_public(account: Account, session: CheckSession) -> bool | None:
    """Tell whether ``account`` exists and is public.

    :param account: the account, its ``handle`` already normalised by the platform's rules.
    :param session: the check's session; ``session.backend`` is the backend chosen by the
        configuration, ``session.get`` the platform's HTTP layer.
    :return: True when the account is public, False when it exists and is private, None when
        ``account.platform`` is not this plugin's platform (the next plugin is asked).

    Stops at the first non-None result. Must cost no request beyond what
    :func:`fetch_recent_posts` needs for the same account in the same session (share the
    response through ``session.profile``).

    May raise ``AccountNotFound`` (only on an explicit "no such account" signal),
    ``PlatformUnavailable`` with its ``cause`` (refusal, rate limit, login wall, bot challenge,
    network failure, posts held back) or ``LayoutChanged`` (an answer in an unknown shape, a
    malformed value in it). A backend that learns the account is private from a refusal may
    raise ``AccountPrivate`` instead of answering False (the check ends ``private`` either way).
    Any other exception is a bug in the backend: the engine records the attempt as ``error``,
    logs its traceback and tries the next backend.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def fetch_recent_posts(account: Account, limit: int, session: CheckSession) -> Sequence[Post] | None:
    """Return the newest posts of a public ``account``, as the profile's grid shows them.

    :param account: the account, handle normalised.
    :param limit: the most posts to return (``>= 1``; platform default or configured).
    :param session: the check's session, as for :func:`is_public`.
    :return: the posts the answer carries, in any order (the engine orders them by
        ``published_at``, newest first, then keeps ``limit``; returning more than ``limit`` is
        allowed, cutting before ordering is not), each with its canonical URL and an aware UTC
        ``published_at``; an empty sequence only when the account has no post at all (never
        for an answer that says it has posts: that is ``PlatformUnavailable`` with cause
        ``held_back``); None when ``account.platform`` is not this plugin's platform.

    Stories and other ephemeral items are never returned. Stops at the first non-None result.
    Raises what :func:`is_public` raises, plus ``AccountPrivate`` when the account turns out to
    be private. Never returns an empty sequence for an answer it could not read: that is
    ``LayoutChanged``.
    """
    raise NotImplementedError
