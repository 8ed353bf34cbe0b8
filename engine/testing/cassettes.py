"""Writing VCR cassettes from answers in a platform's real format.

The suite's cassettes are built by scripts under ``scripts/cassettes/`` with these helpers, from
bodies shaped exactly as the platforms send them; operators with network access record real
ones with ``social-missions check … --cassette FILE --record``. Both replay the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Exchange:
    """One request and the answer to replay for it."""

    url: str
    status: int = 200
    body: str | bytes | Mapping[str, Any] | list[Any] = ""
    content_type: str = "application/json; charset=utf-8"
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)

    def as_interaction(self) -> dict[str, Any]:
        if isinstance(self.body, Mapping | list):
            body: str | bytes = json.dumps(self.body, ensure_ascii=False)
        else:
            body = self.body
        try:
            message = HTTPStatus(self.status).phrase
        except ValueError:
            message = ""
        headers = {"Content-Type": [self.content_type],
                   **{name: [value] for name, value in self.headers.items()}}
        return {
            "request": {"body": None, "headers": {}, "method": self.method, "uri": self.url},
            "response": {
                "status": {"code": self.status, "message": message},
                "headers": headers,
                "body": {"string": body},
            },
        }


def write_cassette(path: str | Path, exchanges: Sequence[Exchange]) -> Path:
    """Write ``exchanges`` as a VCR cassette (YAML) at ``path``."""
    import yaml  # here: every plugin imports this module (engine.plugin_api), a check no YAML

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"interactions": [exchange.as_interaction() for exchange in exchanges],
                "version": 1}
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")
    return path
