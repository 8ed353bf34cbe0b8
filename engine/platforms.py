"""What a plugin declares about its platform: name, limits, handle rules, post URLs, backends."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import InvalidHandle, UnknownBackend

if TYPE_CHECKING:
    from .backends import Backend


@dataclass(frozen=True, kw_only=True)
class HandleRule:
    """How a platform spells handles (SPEC R3).

    ``pattern`` is matched against the handle once a leading ``@`` (when ``strip_at``) and a
    profile URL (any of ``profile_urls``, each with a ``handle`` group) have been removed.
    ``description`` says the rule in words for error messages.
    """

    pattern: re.Pattern[str]
    description: str
    case_insensitive: bool = True
    strip_at: bool = True
    profile_urls: tuple[re.Pattern[str], ...] = ()

    def normalise(self, raw: str, platform: str) -> str:
        """The handle in canonical form, or :class:`InvalidHandle` naming the rule."""
        handle = raw.strip()
        for url_pattern in self.profile_urls:
            found = url_pattern.match(handle)
            if found:
                handle = found.group("handle")
                break
        if self.strip_at:
            handle = handle.removeprefix("@")
        if not handle:
            raise InvalidHandle(f"the {platform} handle is empty")
        if not self.pattern.fullmatch(handle):
            raise InvalidHandle(f"{raw.strip()!r} is not a valid {platform} handle: {self.description}")
        return handle.lower() if self.case_insensitive else handle


@dataclass(frozen=True, kw_only=True)
class Platform:
    """A platform as a plugin declares it through ``social_missions_platforms``.

    ``backends`` lists the backend classes in the default order of use; the first is the
    default. ``post_url_template`` formats ``{id}`` and ``{handle}``; ``post_url_patterns``
    recognise a post URL and carry an ``id`` group (used when a claim names one post).
    ``volatile_query_params`` are query parameters that change on every request and that
    cassette replay must ignore.
    """

    name: str
    title: str
    default_limit: int
    handle_rule: HandleRule
    post_url_template: str
    post_url_patterns: tuple[re.Pattern[str], ...] = ()
    backends: tuple[type[Backend], ...] = ()
    default_order: tuple[str, ...] = ()
    volatile_query_params: tuple[str, ...] = ()
    notes: str = field(default="", compare=False)

    def normalise_handle(self, raw: str) -> str:
        return self.handle_rule.normalise(raw, self.name)

    def post_url(self, post_id: str, handle: str = "") -> str:
        return self.post_url_template.format(id=post_id, handle=handle)

    def post_id_from_url(self, url: str) -> str | None:
        """The post id in ``url``, or None when it is not a post URL of this platform."""
        for pattern in self.post_url_patterns:
            found = pattern.search(url.strip())
            if found:
                return found.group("id")
        return None

    @property
    def backend_names(self) -> tuple[str, ...]:
        return tuple(backend.name for backend in self.backends)

    @property
    def order(self) -> tuple[str, ...]:
        """The default order of backends when the configuration names none."""
        return self.default_order or self.backend_names[:1]

    def backend(self, name: str) -> type[Backend]:
        for backend in self.backends:
            if backend.name == name:
                return backend
        raise UnknownBackend(
            f"backend {name!r} is not available for {self.name} (plugin may not be installed); "
            f"available: {', '.join(self.backend_names) or 'none'}"
        )

    def check_order(self, names: Sequence[str]) -> tuple[str, ...]:
        """Validate an ordered list of backend names at start-up."""
        for name in names:
            self.backend(name)
        if not names:
            raise UnknownBackend(f"{self.name}: the list of backends is empty")
        return tuple(names)
