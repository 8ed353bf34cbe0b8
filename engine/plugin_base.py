"""A base class for platform plugins whose work is done by :class:`~engine.backends.Backend`s.

Subclasses set ``platform``; the hooks then answer for that platform through the session's
backend, sharing one reading of the account between ``is_public`` and ``fetch_recent_posts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from .backends import CheckSession
from .hookspecs import hookimpl
from .models import Account, Post, newest_first
from .platforms import Platform


class PlatformPlugin:
    """Implements the hooks of :mod:`engine.hookspecs` for one platform."""

    platform: ClassVar[Platform]

    @hookimpl
    def social_missions_platforms(self) -> Sequence[Platform]:
        return [self.platform]

    @hookimpl
    def is_public(self, account: Account, session: CheckSession) -> bool | None:
        if account.platform != self.platform.name:
            return None
        return session.profile(account).public

    @hookimpl
    def fetch_recent_posts(
        self, account: Account, limit: int, session: CheckSession
    ) -> Sequence[Post] | None:
        if account.platform != self.platform.name:
            return None
        return newest_first(session.profile(account).posts, limit)
