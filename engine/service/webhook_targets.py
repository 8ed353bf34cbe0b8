"""Where a webhook may be sent: a well-formed http(s) URL whose host is a public address.

A webhook URL set by an admin is fetched by the server, so without a rule it would let anyone
holding an admin token reach the server's own network (``http://169.254.169.254/`` of a cloud
host, ``http://10.0.0.1/``, ``http://[::1]:6379/``…) and read the delivery status as a port
scanner. The rule: the URL is ``http://`` or ``https://`` with a host, no spaces or control
characters, at most :data:`URL_MAX` characters; every address the host resolves to must be a
public one (not private, loopback, link-local, multicast, reserved, unspecified, nor such an
address mapped into IPv6), unless ``[webhooks] allow_private = true`` (a receiver on the same
machine or network, the tests).

The rule is applied twice: :func:`check_webhook_url` when the URL is set (API, CLI, console),
and :func:`pinned_target` at every delivery, which resolves the host again, checks every
address, and gives the address to connect to, so that a name re-pointed at a private address
after it was set (DNS rebinding) is refused too, and the connection goes to the address that
was checked (the ``Host`` header and TLS name stay the URL's).

Credentials written in the URL (``https://user:pass@host/``) are sent (HTTP basic
authentication) but never shown: :func:`redact_url` replaces them with ``***``.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from engine.errors import InvalidInput

URL_MAX = 2000  # characters
REDACTED = "***"
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookTargetRefused(InvalidInput):
    """A webhook URL that is malformed or names a non-public address; the message says why and
    how to fix it (never with the URL's credentials).

    ``fault`` names the kind of refusal for a caller that words it in another language:
    ``non_public`` (``host`` is, or resolves to, a ``kind`` of address: ``loopback``,
    ``private``, ``link-local``, ``multicast``, ``reserved``, ``unspecified``,
    ``non-public``), ``unresolved`` (``host`` does not resolve), ``bad_name`` (``host`` is
    not a domain name), or ``""`` for the URL's form (scheme, length, characters)."""

    def __init__(self, message: str, *, fault: str = "", host: str = "",
                 kind: str = "") -> None:
        super().__init__(message)
        self.fault, self.host, self.kind = fault, host, kind


def _parse(url: str) -> SplitResult:
    """The parts of a well-formed http(s) URL with a host; raises :class:`WebhookTargetRefused`."""
    if len(url) > URL_MAX:
        raise WebhookTargetRefused(f"the webhook URL has {len(url)} characters, more than "
                                   f"{URL_MAX}")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF
           for ch in url):
        raise WebhookTargetRefused("the webhook URL holds a space or a control character; "
                                   "write it as https://host/path")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as error:
        raise WebhookTargetRefused(f"the webhook URL is malformed ({error}); write it as "
                                   "https://host/path") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise WebhookTargetRefused("the webhook URL must start with http:// or https://")
    if not host:
        raise WebhookTargetRefused("the webhook URL names no host; write it as "
                                   "https://host/path")
    if _literal(host) is None:
        problem = _name_problem(host)
        if problem:
            raise WebhookTargetRefused(f"the webhook host {host!r} is not a valid domain "
                                       f"name: {problem}", fault="bad_name", host=host)
    return parts


def _name_problem(host: str) -> str | None:
    """What keeps ``host`` (a name, not an IP address) from being a domain name (RFC 1035:
    labels of 1 to 63 characters, 253 in all; an ``xn--`` label must decode, RFC 3492), or
    None."""
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253:
        return f"it has {len(name)} characters, more than 253"
    for label in name.split("."):
        if not label:
            return "it has an empty label (two dots in a row, or a dot at the start)"
        if len(label) > 63:
            return f"the label {label[:20]!r}… has {len(label)} characters, more than 63"
        if label.isascii() and label.lower().startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return f"the label {label!r} is not a valid international (xn--) label"
    return None


def _literal(host: str) -> Address | None:
    """``host`` as an IP address when it is written as one, else None."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def address_kind(address: Address) -> str | None:
    """Why ``address`` is not public ("loopback", "private"…), or None when it is public.
    An IPv4 address mapped into IPv6 (``::ffff:10.0.0.1``) is judged as the IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return address_kind(mapped)
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-public"
    return None


def _refuse(host: str, address: Address, kind: str) -> WebhookTargetRefused:
    return WebhookTargetRefused(
        f"the webhook host {host} is {'' if str(address) == host else f'at {address}, '}"
        f"a {kind} address; webhooks go to public addresses only (set [webhooks] "
        "allow_private = true for a receiver on this machine or network)",
        fault="non_public", host=host, kind=kind)


def resolve(host: str, port: int) -> list[Address]:
    """The addresses ``host`` resolves to (an IP literal is itself); raises
    :class:`WebhookTargetRefused` when the name does not resolve."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise WebhookTargetRefused(f"the webhook host {host} does not resolve ({error})",
                                   fault="unresolved", host=host) from None
    found: list[Address] = []
    for _family, _kind, _proto, _name, sockaddr in answers:
        address = _literal(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise WebhookTargetRefused(f"the webhook host {host} resolves to no address",
                                   fault="unresolved", host=host)
    return found


def check_addresses(host: str, addresses: list[Address]) -> None:
    """Raise :class:`WebhookTargetRefused` when any of ``addresses`` is not public."""
    for address in addresses:
        kind = address_kind(address)
        if kind is not None:
            raise _refuse(host, address, kind)


def ascii_host_url(url: str) -> str:
    """``url`` with a host written in other letters than ASCII turned into its ASCII form
    (IDNA, "punycode": ``exаmple.com`` with a Cyrillic "а" is ``xn--exmple-4nf.com``), so that
    a host that only looks like another never shows as that one. Raises
    :class:`WebhookTargetRefused` for a malformed URL or a host IDNA cannot encode."""
    parts = _parse(url)
    host = str(parts.hostname)
    if host.isascii():
        return url
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise WebhookTargetRefused(f"the webhook host {host!r} is not a valid international "
                                   f"domain name ({error})", fault="bad_name",
                                   host=host) from None
    userinfo = parts.netloc.rpartition("@")[0]
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = (userinfo + "@" if userinfo else "") + encoded + port
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_webhook_url(url: str, *, allow_private: bool, resolve_names: bool = True) -> str:
    """``url`` unchanged when it may be a webhook URL (see the module); raises
    :class:`WebhookTargetRefused` naming the fault.

    The host is checked by name (``localhost``), as an IP literal, and (``resolve_names``) by
    resolving it; a name that does not resolve now is accepted (the address is checked again
    at every delivery).
    """
    parts = _parse(url)
    if allow_private:
        return url
    host = str(parts.hostname)
    if host.rstrip(".") in LOCAL_NAMES or host.rstrip(".").endswith(".localhost"):
        raise WebhookTargetRefused(
            f"the webhook host {host} is this machine (loopback); webhooks go to public "
            "addresses only (set [webhooks] allow_private = true for a local receiver)",
            fault="non_public", host=host, kind="loopback")
    if not resolve_names and _literal(host) is None:
        return url
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except WebhookTargetRefused:
        if _literal(host) is not None:
            raise
        return url
    check_addresses(host, addresses)
    return url


@dataclass(frozen=True)
class Target:
    """Where one delivery connects: ``url`` (the checked address in place of the host, or the
    URL as set when private addresses are allowed; never with credentials), the ``headers``
    and the httpx ``extensions`` that keep the URL's host name for ``Host`` and TLS, and the
    URL's credentials as ``auth`` (HTTP basic authentication), so that no URL handed to the
    HTTP client (which logs URLs) carries them."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None


def _without_credentials(parts: SplitResult, host: str | None = None) -> tuple[str, tuple[str, str] | None]:
    """The URL of ``parts`` without ``user:password@`` (and with ``host`` in place of its
    host when given), and those credentials (percent-decoded) or None."""
    hostport = parts.netloc.rpartition("@")[2]
    if host is not None:
        hostport = host + (f":{parts.port}" if parts.port else "")
    url = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    if parts.username is None and parts.password is None:
        return url, None
    return url, (unquote(parts.username or ""), unquote(parts.password or ""))


def pinned_target(url: str, *, allow_private: bool) -> Target:
    """The connection for one delivery to ``url``: resolved now, every address checked, the
    first one used. Raises :class:`WebhookTargetRefused` (malformed URL, name that does not
    resolve, non-public address)."""
    parts = _parse(url)
    if allow_private:
        plain, auth = _without_credentials(parts)
        return Target(url=plain, auth=auth)
    host = str(parts.hostname)
    port = parts.port
    addresses = resolve(host, port or (443 if parts.scheme.lower() == "https" else 80))
    check_addresses(host, addresses)
    if _literal(host) is not None:
        plain, auth = _without_credentials(parts)
        return Target(url=plain, auth=auth)
    address = addresses[0]
    pinned, auth = _without_credentials(
        parts, f"[{address}]" if address.version == 6 else str(address))
    host_header = host + (f":{port}" if port else "")
    extensions = {"sni_hostname": host} if parts.scheme.lower() == "https" else {}
    return Target(url=pinned, headers={"host": host_header}, extensions=extensions, auth=auth)


def redact_url(url: str | None) -> str | None:
    """``url`` with any ``user:password@`` replaced by ``***@`` (None stays None)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED if "@" in url else url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{REDACTED}@{host}", parts.path, parts.query,
                       parts.fragment))


def redact_text(text: str, url: str | None) -> str:
    """``text`` (an error message) without the credentials of ``url`` in it.

    Only the URL's userinfo is masked: the URL itself, and ``user:password@`` wherever it
    appears (as written in the URL or percent-decoded), become ``***@``. A bare user name is
    left alone (user ``u`` must not turn "Connection refused" into "Connection ref***sed");
    a bare password is masked only when it has at least 8 characters (a shorter one cannot
    be told from ordinary words)."""
    if not url:
        return text
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return text.replace(url, REDACTED)
    redacted = redact_url(url) or ""
    text = text.replace(url, redacted)
    if "@" not in parts.netloc:
        return text
    userinfo = parts.netloc.rpartition("@")[0]
    for written in {userinfo, unquote(userinfo)}:
        if written:
            text = text.replace(written + "@", REDACTED + "@")
    if password:
        for written in {password, unquote(password)}:
            if len(written) >= 8:
                text = text.replace(written, REDACTED)
    return text
