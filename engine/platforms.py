"""What a plugin declares about its platform: name, limits, handle rules, post URLs, backends."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .errors import InvalidHandle, UnknownBackend

if TYPE_CHECKING:
    from .backends import Backend


def describe_handle_character(ch: str) -> str:
    """``ch`` named for an error message: quoted, with its Unicode name when it could be
    mistaken for another character or cannot be seen (``' ' (a space)``, ``U+200B (ZERO WIDTH
    SPACE)``, ``'а' (CYRILLIC SMALL LETTER A)``)."""
    if ch == " ":
        return "' ' (a space)"
    if ch == "@":
        return "'@' (other than one at the start)"
    name = unicodedata.name(ch, "")
    category = unicodedata.category(ch)
    if ch.isspace() or category[0] in "CMZ" or not ch.isprintable():
        return f"U+{ord(ch):04X} ({name or 'an invisible character'})"
    if not ch.isascii() and name:
        return f"'{ch}' ({name})"
    return f"'{ch}'"


@dataclass(frozen=True, kw_only=True)
class HandleRule:
    """How a platform spells handles (SPEC R3).

    :meth:`normalise` strips the input, reduces a profile URL (any of ``profile_urls``, each
    with a ``handle`` group, percent-decoded: browsers copy ``/@caf%C3%A9``) to its handle,
    removes a leading ``@`` (when ``strip_at``), and NFC-normalises it, so that a handle typed
    with combining accents is the same as a composed one. ``pattern`` is then matched against
    the whole handle; ``description`` says the rule in words for error messages.

    The optional parts let an error name what is wrong rather than only repeat the rule:
    ``allowed`` tests one character (a pattern one allowed character matches, or a function),
    and the first character it refuses is named; ``length`` is the (fewest, most) characters,
    counted after NFC; ``faults`` are (pattern found in a bad handle, what it says) pairs, such
    as a dot at the end. A rule without them still refuses through ``pattern``.
    """

    pattern: re.Pattern[str]
    description: str
    case_insensitive: bool = True
    strip_at: bool = True
    profile_urls: tuple[re.Pattern[str], ...] = ()
    allowed: re.Pattern[str] | Callable[[str], bool] | None = None
    length: tuple[int, int] | None = None
    faults: tuple[tuple[re.Pattern[str], str], ...] = ()

    def normalise(self, raw: str, platform: str) -> str:
        """The handle in canonical form, or :class:`InvalidHandle` naming the fault and the rule."""
        handle = self.reduce(raw)
        self.check(handle, raw, platform)
        return self.canonical(handle)

    def reduce(self, raw: str) -> str:
        """The handle ``raw`` names, before any check: from a profile URL (percent-decoded),
        without a leading ``@`` (when ``strip_at``), NFC-normalised."""
        handle = raw.strip()
        for url_pattern in self.profile_urls:
            found = url_pattern.match(handle)
            if found:
                handle = unquote(found.group("handle"))
                break
        handle = unicodedata.normalize("NFC", handle)
        return handle.removeprefix("@") if self.strip_at else handle

    def canonical(self, handle: str) -> str:
        """A checked handle as stored: NFC, and lower-cased when the platform ignores case."""
        if self.case_insensitive:
            handle = unicodedata.normalize("NFC", handle.lower())
        return handle

    def allows(self, ch: str) -> bool:
        """True when ``ch`` may appear in a handle (always, when the rule has no ``allowed``)."""
        if self.allowed is None:
            return True
        if isinstance(self.allowed, re.Pattern):
            return self.allowed.fullmatch(ch) is not None
        return bool(self.allowed(ch))

    def problem(self, handle: str) -> str | None:
        """What is wrong with a reduced ``handle`` in words, or None when no part of the rule
        (characters, length, faults) is broken."""
        for ch in handle:
            if not self.allows(ch):
                return f"{describe_handle_character(ch)} is not allowed"
        if self.length is not None:
            fewest, most = self.length
            count = len(handle)
            if count < fewest:
                return f"it has {count} character{'' if count == 1 else 's'}, fewer than {fewest}"
            if count > most:
                return f"it has {count} characters, more than {most}"
        for fault, says in self.faults:
            if fault.search(handle):
                return says
        return None

    def check(self, handle: str, raw: str, platform: str) -> None:
        """Raise :class:`InvalidHandle` when a reduced ``handle`` (typed as ``raw``) breaks the
        rule: the message names the fault (the offending character first) and states the rule."""
        if not handle:
            raise InvalidHandle(f"the {platform} handle is empty")
        problem = self.problem(handle)
        if problem is None and self.pattern.fullmatch(handle):
            return
        reason = f"{problem}; {self.description}" if problem else self.description
        raise InvalidHandle(f"{raw.strip()!r} is not a valid {platform} handle: {reason}")


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
        """The post id in ``url``, or None when it is not a post URL of this platform.

        Matched from the start, never anywhere in the string: the URL is ``http(s)://`` (or
        no scheme) then a host, without credentials; a pattern must match at the host or at
        one of its parent domains (``www.instagram.com`` → ``instagram.com/…``), so
        ``https://evil.example/instagram.com/p/X``, ``https://instagram.com.evil.example/p/X``
        and ``javascript:alert(1)//instagram.com/p/X`` are refused. A pattern anchored with
        ``^`` may also match the whole text (a platform's own scheme, such as ``at://``).
        """
        text = url.strip()
        if not text or len(text) > 4000 or any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
            return None
        for pattern in self.post_url_patterns:
            if pattern.pattern.startswith("^"):
                found = pattern.match(text)
                if found:
                    return found.group("id")
        for candidate in _host_candidates(text):
            for pattern in self.post_url_patterns:
                found = pattern.match(candidate)
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


def _host_candidates(url: str) -> list[str]:
    """``host/path?query`` of an http(s) URL (or one without scheme), then the same from each
    parent domain of the host (``www.example.com/p`` → ``example.com/p``); empty for another
    scheme, credentials in the URL, or no host."""
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")):
        if "://" in url or ":" in url.split("/", 1)[0] and not _has_port(url):
            return []
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        return []
    if not host or has_credentials:
        return []
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    labels = host.split(".")
    return [".".join(labels[index:]) + rest for index in range(len(labels) - 1)]


def _has_port(url: str) -> bool:
    """True when ``url`` (without scheme) starts ``host:port``."""
    head = url.split("/", 1)[0]
    return head.rpartition(":")[2].isascii() and head.rpartition(":")[2].isdigit()
