"""What a plugin declares about its platform: name, limits, handle rules, post URLs, backends."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .errors import InvalidHandle, UnknownBackend

if TYPE_CHECKING:
    from .backends import Backend


def template_fields(template: str) -> tuple[str, ...]:
    """The names a ``str.format`` template fills, in order (``"{user}@{host}"`` → ``("user",
    "host")``); positional fields (``{}``) are left out."""
    return tuple(name for _text, name, _spec, _conv in string.Formatter().parse(template) if name)


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
    """How a platform spells handles: rule R3 (docs/rules.md).

    :meth:`normalise` strips the input, reduces a profile URL (any of ``profile_urls``) to its
    handle, removes a leading ``@`` (when ``strip_at``), and NFC-normalises it, so that a handle
    typed with combining accents is the same as a composed one. ``pattern`` is then matched
    against the whole handle; ``description`` says the rule in words for error messages.

    A profile URL's handle is ``handle_format`` filled with the pattern's named groups, each
    percent-decoded (browsers copy ``/@caf%C3%A9``): by default the one group ``handle``; a
    handle made of several parts names them, such as Mastodon's ``https://host/@user`` read
    with the groups ``user`` and ``host`` and ``handle_format="{user}@{host}"`` as
    ``user@host``. Every pattern must carry every group the format names (checked when the
    rule is built: ``ValueError``).

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
    handle_format: str = "{handle}"

    def __post_init__(self) -> None:
        needed = set(self.format_fields())
        if not needed:
            raise ValueError(f"handle_format {self.handle_format!r} names no group of the "
                             "profile URLs; write it like \"{handle}\" or \"{user}@{host}\"")
        for url_pattern in self.profile_urls:
            missing = needed - set(url_pattern.groupindex)
            if missing:
                raise ValueError(
                    f"profile URL pattern {url_pattern.pattern!r} has no group "
                    f"{', '.join(sorted(missing))} that handle_format {self.handle_format!r} "
                    "needs; add (?P<name>…) to the pattern")

    def format_fields(self) -> tuple[str, ...]:
        """The named parts ``handle_format`` is built from, in order (``("user", "host")``)."""
        return template_fields(self.handle_format)

    def parts(self, handle: str) -> dict[str, str]:
        """A canonical ``handle`` read back into the parts ``handle_format`` names
        (``"alice@mastodon.social"`` by ``"{user}@{host}"`` → ``{"user": "alice", "host":
        "mastodon.social"}``); each part is at least one character, the first parts as short as
        the format allows. Raises :class:`InvalidHandle` when the handle does not fit the
        format."""
        expression = "".join(
            re.escape(text) + (f"(?P<{name}>.+?)" if name else "")
            for text, name, _spec, _conv in string.Formatter().parse(self.handle_format))
        found = re.fullmatch(expression, handle, re.S)
        if found is None:
            raise InvalidHandle(f"{handle!r} does not have the form {self.handle_format!r}")
        return found.groupdict()

    def normalise(self, raw: str, platform: str) -> str:
        """The handle in canonical form, or :class:`InvalidHandle` naming the fault and the rule."""
        handle = self.reduce(raw)
        self.check(handle, raw, platform)
        return self.canonical(handle)

    def reduce(self, raw: str) -> str:
        """The handle ``raw`` names, before any check: from a profile URL (``handle_format``
        filled with its percent-decoded groups), without a leading ``@`` (when ``strip_at``),
        NFC-normalised."""
        handle = raw.strip()
        for url_pattern in self.profile_urls:
            found = url_pattern.match(handle)
            if found:
                parts = {name: unquote(value or "") for name, value in found.groupdict().items()}
                handle = self.handle_format.format(**parts)
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
    default. ``post_url_patterns`` recognise a post URL and carry an ``id`` group (used when a
    claim names one post); the optional ``post_url_template`` formats ``{id}`` and ``{handle}``
    into the canonical URL such a claim stores (without one, the claim keeps the URL the member
    gave, which the patterns matched). A post the engine reads always carries its own ``url``.
    ``volatile_query_params`` are query parameters that change on every request and that
    cassette replay must ignore.
    """

    name: str
    title: str
    default_limit: int
    handle_rule: HandleRule
    post_url_template: str | None = None
    post_url_patterns: tuple[re.Pattern[str], ...] = ()
    backends: tuple[type[Backend], ...] = ()
    default_order: tuple[str, ...] = ()
    volatile_query_params: tuple[str, ...] = ()

    def normalise_handle(self, raw: str) -> str:
        """``raw`` in canonical form by :attr:`handle_rule`; raises :class:`InvalidHandle`."""
        return self.handle_rule.normalise(raw, self.name)

    def __post_init__(self) -> None:
        """Check that ``post_url_template`` names only ``id``, ``handle`` and the parts of the
        handle rule's ``handle_format`` (``ValueError`` naming the others)."""
        if self.post_url_template is None:
            return
        known = {"id", "handle", *self.handle_rule.format_fields()}
        unknown = set(template_fields(self.post_url_template)) - known
        if unknown:
            raise ValueError(
                f"{self.name}: post_url_template {self.post_url_template!r} names "
                f"{', '.join(repr(name) for name in sorted(unknown))}; it may name "
                f"{', '.join(sorted(known))} (the parts of handle_format "
                f"{self.handle_rule.handle_format!r})")

    def post_url(self, post_id: str, handle: str = "") -> str | None:
        """The canonical URL of the post ``post_id`` of ``handle`` by ``post_url_template``,
        or None when the platform declares no template.

        The template formats ``{id}``, ``{handle}`` and the named parts of the handle rule's
        ``handle_format`` read back from ``handle`` (:meth:`HandleRule.parts`): with
        ``handle_format="{user}@{host}"``, ``"https://{host}/@{user}/{id}"`` gives
        ``https://mastodon.social/@alice/1`` for ``alice@mastodon.social``. Raises
        :class:`InvalidHandle` when the template needs parts and ``handle`` does not have the
        form of ``handle_format``."""
        if self.post_url_template is None:
            return None
        wanted = set(template_fields(self.post_url_template)) - {"id", "handle"}
        parts = self.handle_rule.parts(handle) if wanted else {}
        return self.post_url_template.format(**parts, id=post_id, handle=handle)

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
