"""A platform served over HTTP on 127.0.0.1, for the shared budget and circuit breaker tests.

:class:`FakePlatformServer` answers ``GET /<backend>/<handle>`` with one post in JSON, records
the arrival time (``time.time()``) and path of every request, and answers a backend with a
429 (and a ``Retry-After`` if asked) while it is in :attr:`FakePlatformServer.refusing`.
The ``local`` platform's two backends, ``api`` and ``page``, read it through the engine's HTTP
layer (so through the budgets), from ``[platforms.local.<backend>] base_url``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pluggy

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import PlatformUnavailable
from engine.models import Account, Post, Profile
from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin
from engine.plugin_manager import get_plugin_manager


class FakePlatformServer:
    """The HTTP server, in a thread of the test process; use it as a context manager.

    ``arrivals`` holds ``(time.time(), path)`` of each request in arrival order;
    ``refusing`` maps a backend name to the ``Retry-After`` value to send with its 429
    (None: a 429 without one).
    """

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.refusing: dict[str, str | None] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                with server._lock:
                    server.arrivals.append((time.time(), self.path))
                    backend = self.path.strip("/").split("/")[0]
                    refused = backend in server.refusing
                    retry_after = server.refusing.get(backend)
                if refused:
                    self.send_response(429)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    body = b'{"error": "too many requests"}'
                else:
                    self.send_response(200)
                    body = json.dumps({"posts": [{"id": "1", "text": "#summer"}]}).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatformServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def times(self, backend: str) -> list[float]:
        """Arrival times of the requests to ``backend``, in order."""
        with self._lock:
            return [at for at, path in self.arrivals if path.startswith(f"/{backend}/")]


class HttpBackend(Backend):
    """Reads ``<base_url>/<name>/<handle>``: 429 is ``rate_limited``, 200 one public post."""

    description = "local HTTP"
    config_options = {"base_url": Option("URL")}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        base = str(self.options["base_url"]).rstrip("/")
        response = session.get(f"{base}/{self.name}/{account.handle}")
        if response.status_code == 429:
            raise PlatformUnavailable(f"local {self.name}: HTTP 429", cause="rate_limited")
        posts = tuple(
            Post(platform="local", id=item["id"], url=f"https://local.test/p/{item['id']}",
                 published_at=datetime(2025, 6, 1, tzinfo=UTC), text=item["text"])
            for item in response.json()["posts"])
        return Profile(public=True, posts=posts)


class Api(HttpBackend):
    name = "api"


class Page(HttpBackend):
    name = "page"


LOCAL = Platform(
    name="local", title="Local", default_limit=5,
    handle_rule=HandleRule(pattern=re.compile(r"[a-z]{2,10}"), description="2 to 10 letters"),
    post_url_template="https://local.test/p/{id}",
    backends=(Api, Page),
    default_order=("api", "page"),
)


class LocalPlugin(PlatformPlugin):
    platform = LOCAL


def manager_with_local() -> pluggy.PluginManager:
    """A plugin manager with only the ``local`` platform."""
    manager = get_plugin_manager(autoload=False)
    manager.register(LocalPlugin(), name="local")
    return manager


def local_config(base_url: str, *, backends: list[str], rate_limit: str | None = None,
                 cool_off: str = "10m", queue_url: str | None = None) -> str:
    """A configuration file's text for the ``local`` platform served at ``base_url``."""
    lines = []
    if queue_url:
        lines += ["[queue]", f'url = "{queue_url}"', ""]
    lines += ["[platforms.local]", f"backends = {json.dumps(backends)}",
              f'cool_off = "{cool_off}"', "retries = 0", "max_retry_wait = 0"]
    if rate_limit:
        lines.append(f'rate_limit = "{rate_limit}"')
    for backend in ("api", "page"):
        lines += ["", f"[platforms.local.{backend}]", f'base_url = "{base_url}"']
    return "\n".join(lines) + "\n"
