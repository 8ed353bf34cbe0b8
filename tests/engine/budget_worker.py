"""A checking worker in its own process, for the shared budget tests (run with ``python -m``).

``python -m tests.engine.budget_worker CONFIG KEY_PREFIX SECONDS GO_MARKER``: waits for the
file ``GO_MARKER``, then checks ``local/alice`` back to back for ``SECONDS`` seconds and prints
one JSON line per check: its start time, status, cause, backend and attempts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from engine.cache import MemoryCache
from engine.config import load_config
from engine.core import Engine
from engine.ratelimit import budget_for
from tests.engine.http_platform import manager_with_local


def main(config_path: str, key_prefix: str, seconds: float, marker: str) -> None:
    config = load_config(config_path)
    engine = Engine(config, plugin_manager=manager_with_local(), cache=MemoryCache(),
                    budget=budget_for(config, key_prefix=key_prefix))
    account = engine.account("local", "alice")
    # Open the connection pool first (outside any budget), so that a budgeted request leaves
    # as soon as its slot is taken: the server's arrival times are then the budget's.
    base = str(config.platform("local").backend_options("page")["base_url"])
    engine.http("local").client.get(f"{base}/warmup")
    while not Path(marker).exists():
        time.sleep(0.005)
    end = time.time() + seconds
    while time.time() < end:
        started = time.time()
        snapshot = engine.snapshot(account)
        print(json.dumps({
            "started": started, "status": str(snapshot.status), "backend": snapshot.backend,
            "cause": str(snapshot.cause) if snapshot.cause else None, "detail": snapshot.detail,
            "attempts": [[a.backend, str(a.outcome), a.detail, str(a.cause) if a.cause else None]
                         for a in snapshot.attempts],
        }), flush=True)
        time.sleep(0.02)
    engine.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4])
