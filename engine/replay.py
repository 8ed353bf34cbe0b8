"""Replaying and recording HTTP with VCR cassettes, for the ``--cassette`` option and tests.

Cassettes never hold secrets: cookies, authorisation and Instagram session headers are filtered
out when recording. Query parameters that a platform changes on every request (declared by its
plugin as ``volatile_query_params``) are ignored when matching.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import CassetteMiss
from .redaction import redact, redact_bytes

SECRET_HEADERS = (
    "cookie", "set-cookie", "authorization", "x-ig-www-claim", "x-csrftoken",
    "x-ig-set-www-claim", "ig-set-authorization", "x-instagram-ajax",
)
SECRET_QUERY_PARAMS = ("key", "access_token", "msToken", "X-Bogus", "X-Gnarly", "verifyFp")


def stable_query(url: str, volatile: Iterable[str]) -> list[tuple[str, str]]:
    """The query of ``url`` without parameters that vary per request, sorted."""
    skip = set(volatile)
    return sorted((k, v) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
                  if k not in skip)


def make_query_matcher(volatile: Iterable[str]) -> Any:
    """A VCR matcher comparing queries while ignoring ``volatile`` parameters.

    VCR runs its matchers for every recorded request on every lookup (several lookups per
    request sent), so each URL's stable query is computed once and kept for the matcher's life
    (one cassette's use): the same answer as :func:`stable_query`, without parsing the same
    URL hundreds of times in a check."""
    names = frozenset(volatile)
    known: dict[str, list[tuple[str, str]]] = {}

    def query_of(uri: str) -> list[tuple[str, str]]:
        found = known.get(uri)
        if found is None:
            found = known[uri] = stable_query(uri, names)
        return found

    def stable_query_matcher(r1: Any, r2: Any) -> None:
        if query_of(r1.uri) != query_of(r2.uri):
            raise AssertionError(f"query differs: {r1.uri} != {r2.uri}")

    return stable_query_matcher


def path_matcher_ignoring_case(r1: Any, r2: Any) -> None:
    """Paths compared without case: handles in URLs (``/@Name``) are case-insensitive on the
    platforms, so a recording made with ``/@Name`` answers a check of ``name``."""
    if r1.path.lower() != r2.path.lower():
        raise AssertionError(f"path differs: {r1.path} != {r2.path}")


def register_matchers(recorder: Any, volatile: Iterable[str]) -> None:
    """Register the matchers that :func:`vcr_settings` names on a VCR instance."""
    recorder.register_matcher("stable_query", make_query_matcher(volatile))
    recorder.register_matcher("path_any_case", path_matcher_ignoring_case)


def vcr_settings(volatile: Iterable[str] = ()) -> dict[str, Any]:
    """Settings shared by the command line and the test suite (never a record mode)."""
    return {
        "decode_compressed_response": True,
        "filter_headers": list(SECRET_HEADERS),
        "filter_query_parameters": list(SECRET_QUERY_PARAMS),
        "match_on": ("method", "scheme", "host", "port", "path_any_case", "stable_query"),
        "before_record_request": _strip_request_secrets,
        "before_record_response": _strip_response_secrets,
    }


def _strip_request_secrets(request: Any) -> Any:
    """A request as recorded: the backends' secrets (engine.redaction) masked in its URL, header
    values and body (filter_headers and filter_query_parameters drop the known names)."""
    request.uri = redact(request.uri)
    for name in list(request.headers):
        request.headers[name] = redact(str(request.headers[name]))
    if isinstance(request.body, bytes | str):
        request.body = (redact_bytes(request.body) if isinstance(request.body, bytes)
                        else redact(request.body))
    return request


def _strip_response_secrets(response: dict[str, Any]) -> dict[str, Any]:
    """An answer as recorded: secret headers dropped, and any secret the platform echoed (a
    token quoted in an error message) masked in the other headers and the body."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
        elif isinstance(headers[name], list):
            headers[name] = [redact(str(value)) for value in headers[name]]
        else:
            headers[name] = redact(str(headers[name]))
    body = response.get("body", {})
    if isinstance(body.get("string"), bytes):
        body["string"] = redact_bytes(body["string"])
    elif isinstance(body.get("string"), str):
        body["string"] = redact(body["string"])
    return response


@contextlib.contextmanager
def cassette(
    path: str | Path, *, record: bool, volatile: Iterable[str] = (), ignore_localhost: bool = False
) -> Iterator[Any]:
    """Replay HTTP from ``path`` (or record into it); a missing request raises ``CassetteMiss``.

    ``ignore_localhost`` lets requests to this machine (webhook receivers in tests) through.
    """
    import vcr  # loaded only when a cassette is used

    # VCR logs each request's full URL at INFO while recording, secrets in the query included
    # (a Graph API access_token): its messages stay out of the logs.
    logging.getLogger("vcr").setLevel(logging.WARNING)
    path = Path(path)
    if not record and not path.is_file():
        raise CassetteMiss(f"cassette {str(path)!r} does not exist (pass --record to create it)")
    recorder = vcr.VCR(**vcr_settings(volatile), ignore_localhost=ignore_localhost)
    register_matchers(recorder, volatile)
    with recorder.use_cassette(
        str(path),
        record_mode="all" if record else "none",
        # One recorded answer may serve a retried request (a 500 answered twice).
        allow_playback_repeats=not record,
    ) as active:
        if not record:
            _replay_in_order(active)
        yield active


def _replay_in_order(active: Any) -> None:
    """Serve requests that match alike (same URL, bodies not compared) in recorded order.

    With repeats allowed, VCR always plays the first match, so a library POSTing one query per
    post to the same URL would get the first answer every time. Unplayed answers go first; a
    request left over (a retry) repeats one already played.
    """
    from vcr.errors import UnhandledHTTPRequestError

    play = active.play_response

    def play_response(request: Any) -> Any:
        active.allow_playback_repeats = False
        try:
            return play(request)
        except UnhandledHTTPRequestError:
            active.allow_playback_repeats = True
            return play(request)
        finally:
            active.allow_playback_repeats = True

    active.play_response = play_response


def find_cassette_miss(error: BaseException) -> CassetteMiss | None:
    """The cassette miss behind ``error`` (libraries wrap it), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CassetteMiss):
            return current
        if type(current).__name__ == "CannotOverwriteExistingCassetteException":
            first_line = str(current).splitlines()[0] if str(current) else "request"
            return CassetteMiss(f"request not in the cassette: {first_line}")
        current = current.__cause__ or current.__context__
    text = str(error)
    if "CannotOverwriteExistingCassetteException" in text or "Can't overwrite existing cassette" in text:
        return CassetteMiss(f"request not in the cassette: {text.splitlines()[0]}")
    return None
