"""The one HTTP layer of the HTTP backends.

Per platform: one connection pool, a timeout, a proxy, a cookie file, retries with backoff on
5xx and network errors, and on 429 when the platform's ``Retry-After`` is short enough to wait
for. Before each request (retries included) the check waits for its backend's budget, shared by
every worker (:mod:`engine.ratelimit`); each request is counted against the check that made it,
and a ``Retry-After`` handed back is told to it (the pause of the backend honours it). URLs are
logged with their secrets masked; headers and cookies never are.

Two limits keep one check bounded whatever a server does:

- a timeout (:attr:`~engine.config.HttpSettings.timeout`, 20 s by default) is never retried:
  a server that let one request run out of time is slow now, and trying again would make one
  check last ``(retries + 1) × timeout`` (a minute by default); the check is ``unavailable``
  (cause ``network``) at once and the job queue retries it later. Connection failures and
  5xx answers are still retried;
- an answer body larger than :data:`MAX_BODY_BYTES` (10 MiB; a profile's answer is at most a
  few hundred KiB) is read no further and is ``layout_changed``: not a shape any backend knows.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, Unpack
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .config import PlatformSettings
from .errors import ConfigurationError, LayoutChanged, PlatformUnavailable
from .replay import SECRET_QUERY_PARAMS, find_cassette_miss

log = logging.getLogger(__name__)
# httpx logs every full URL at INFO, API keys included: our own log line masks them instead.
logging.getLogger("httpx").setLevel(logging.WARNING)
# httpcore logs raw request and answer headers at DEBUG (cookies, and any token a server
# echoes): never shown, even with -vv.
logging.getLogger("httpcore").setLevel(logging.WARNING)
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 10 * 1024 * 1024
"""The largest answer body read (bytes, after decompression): see the module's text."""


class RequestCounter(Protocol):
    """Whatever counts a check's requests (a :class:`~engine.backends.CheckSession`).

    ``wait_for_budget`` is called before each request is sent (it may sleep: the backend's
    rate limit); ``note_retry_after`` receives the ``Retry-After`` (seconds) of an answer
    handed back to the backend unretried.
    """

    def count_requests(self, number: int = 1) -> None: ...

    def wait_for_budget(self) -> None: ...

    def note_retry_after(self, seconds: float) -> None: ...


class RequestOptions(TypedDict, total=False):
    """The optional parts of a request: query ``params``, extra ``headers`` and ``cookies``
    (on top of the client's), and whether to ``follow_redirects`` (default False)."""

    params: Mapping[str, Any] | None
    headers: Mapping[str, str] | None
    cookies: Mapping[str, str] | None
    follow_redirects: bool

def masked_url(url: str) -> str:
    """``url`` with secret query parameters replaced by ``***``, for logs."""
    parts = urlsplit(url)
    secret = {name.lower() for name in SECRET_QUERY_PARAMS}
    query = [(k, "***" if k.lower() in secret else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def load_cookie_file(path: Path) -> http.cookiejar.CookieJar:
    """Cookies from a Netscape ``cookies.txt`` or a JSON export (list of name/value/domain)."""
    if not path.is_file():
        raise ConfigurationError(f"cookie file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith(("[", "{")):
        jar = http.cookiejar.CookieJar()
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigurationError(f"cookie file {path}: not valid JSON ({error})") from None
        if isinstance(items, dict):
            items = [{"name": k, "value": v, "domain": ""} for k, v in items.items()]
        for item in items:
            jar.set_cookie(_cookie(str(item["name"]), str(item["value"]),
                                   str(item.get("domain", ""))))
        return jar
    mozilla = http.cookiejar.MozillaCookieJar(str(path))
    try:
        mozilla.load(ignore_discard=True, ignore_expires=True)
    except (OSError, http.cookiejar.LoadError) as error:
        raise ConfigurationError(
            f"cookie file {path}: neither Netscape cookies.txt nor JSON ({error})"
        ) from None
    return mozilla


def _cookie(name: str, value: str, domain: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, domain, bool(domain), domain.startswith("."), "/", True,
        True, None, False, None, None, {},
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (number or HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _read_capped(response: httpx.Response) -> httpx.Response:
    """``response`` (sent with ``stream=True``) with its body read, at most
    :data:`MAX_BODY_BYTES`; a larger body raises ``LayoutChanged`` (the connection closed)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise LayoutChanged(
                    f"the answer of {response.request.url.host} is larger than "
                    f"{MAX_BODY_BYTES // (1024 * 1024)} MiB (status {response.status_code}); "
                    "no profile's answer is that large, so it was not read")
            chunks.append(chunk)
    finally:
        response.close()
    # What Response.read() would have stored: the body is then read like any other.
    response._content = b"".join(chunks)
    return response


_TLS_LOCK = threading.Lock()
_TLS_CONTEXT: list[ssl.SSLContext] = []


def shared_tls_context() -> ssl.SSLContext:
    """This process's one TLS context for the platforms' clients: the certificate authorities
    httpx itself would load (``SSL_CERT_FILE``, ``SSL_CERT_DIR``, else certifi's bundle;
    ``httpx.create_ssl_context``), built on first use. Loading them costs 35 to 100 ms of CPU
    on a 2-core VM: once per process instead of once per platform. An ``ssl.SSLContext`` is
    safe to share between threads and clients. Raises ``ssl.SSLError`` or ``OSError`` when
    the certificate file named by ``SSL_CERT_FILE`` cannot be read."""
    if not _TLS_CONTEXT:
        with _TLS_LOCK:
            if not _TLS_CONTEXT:
                _TLS_CONTEXT.append(httpx.create_ssl_context())
    return _TLS_CONTEXT[0]


class PlatformHttp:
    """HTTP for one platform, shared by every check of one engine."""

    def __init__(
        self,
        settings: PlatformSettings,
        *,
        replay: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        # An in-memory transport (benchmarks, tests) instead of the network.
        self._transport = transport
        # Replayed answers need no politeness: never wait between or before them.
        self._sleep: Callable[[float], None] = (lambda _seconds: None) if replay else sleep
        self._client: httpx.Client | None = None
        # Worker threads start together: without the lock each built its own client (and
        # loaded the CA certificates again, about 35 ms of CPU each).
        self._client_lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The platform's one ``httpx.Client`` (connection pool), built on first use."""
        if self._client is not None:
            return self._client
        with self._client_lock:
            if self._client is not None:
                return self._client
            http_settings = self.settings.http
            cookies = load_cookie_file(self.settings.cookies_file) if self.settings.cookies_file else None
            self._client = httpx.Client(
                timeout=http_settings.timeout,
                proxy=self.settings.proxy,
                cookies=cookies,
                headers={"user-agent": http_settings.user_agent,
                         "accept-language": "en-US,en;q=0.9"},
                follow_redirects=False,
                transport=self._transport,
                verify=shared_tls_context(),
            )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(
        self,
        method: str,
        url: str,
        *,
        counter: RequestCounter,
        **options: Unpack[RequestOptions],
    ) -> httpx.Response:
        """Send one request (with its retries), counting every attempt against ``counter``.

        ``options`` are :class:`RequestOptions` (each left out: none, and no redirects followed).

        Returns the last response whatever its status: deciding what a status means is the
        backend's job. Before each attempt, ``counter.wait_for_budget()`` (the backend's rate
        limit); a returned answer's ``Retry-After`` goes to ``counter.note_retry_after``.
        Raises :class:`PlatformUnavailable` (cause ``network``: DNS, connect, timeout) when
        the network fails every time.
        """
        settings = self.settings.http
        attempt = 0
        while True:
            counter.wait_for_budget()
            counter.count_requests()
            cookies = options.get("cookies")
            params = options.get("params")
            # The URL with its query built once, as the request would build it: given the
            # string and the params, httpx parses the URL twice (the client's merge, then the
            # request's query), a quarter of building the request.
            target: httpx.URL | str = httpx.URL(url, params=params) if params else url
            request = self.client.build_request(method, target,
                                                params=None if params else params,
                                                headers=options.get("headers"),
                                                cookies=dict(cookies) if cookies else None)
            try:
                response = _read_capped(self.client.send(
                    request, stream=True, follow_redirects=options.get("follow_redirects", False)))
            except httpx.TransportError as error:
                log.info("%s %s failed: %s", method, masked_url(str(request.url)),
                         type(error).__name__)
                # A timeout is not retried (see the module's text).
                if attempt >= settings.retries or isinstance(error, httpx.TimeoutException):
                    raise PlatformUnavailable(
                        f"network error on {urlsplit(url).netloc}: {type(error).__name__}"
                        f" {error}".rstrip(), cause="network"
                    ) from error
            except Exception as error:  # VCR and proxies wrap their own errors
                miss = find_cassette_miss(error)
                if miss:
                    raise miss from error
                raise
            else:
                if log.isEnabledFor(logging.DEBUG):  # masking costs more than the parsing
                    log.debug("%s %s -> %s", method, masked_url(str(request.url)),
                              response.status_code)
                wait = self._retry_wait(response, attempt)
                if wait is None:
                    retry_after = (retry_after_seconds(response)
                                   if response.status_code in RETRYABLE_STATUS else None)
                    if retry_after is not None:
                        counter.note_retry_after(retry_after)
                    return response
                log.info("%s %s -> %s, retrying in %.1fs", method, masked_url(str(request.url)),
                         response.status_code, wait)
                self._sleep(wait)
                attempt += 1
                continue
            self._sleep(settings.backoff * (2**attempt))
            attempt += 1

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying ``response``, or None to hand it back."""
        settings = self.settings.http
        if response.status_code not in RETRYABLE_STATUS or attempt >= settings.retries:
            return None
        retry_after = retry_after_seconds(response)
        if response.status_code == 429:
            # Without a short Retry-After, hammering a rate limit makes it longer; the job
            # queue retries the whole check later instead.
            if retry_after is None or retry_after > settings.max_retry_wait:
                return None
            return retry_after
        if retry_after is not None:
            return retry_after if retry_after <= settings.max_retry_wait else None
        return settings.backoff * (2**attempt)
