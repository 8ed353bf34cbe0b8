"""A worker in its own process, for the concurrency tests (run with ``python -m``).

``run``: process one claim and print whether this process did the check.
``hang``: take the claim and block inside the fetch, to be killed by the test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.config import Config
from engine.models import Account, Snapshot
from engine.replay import cassette
from engine.service.claim_checks import process_claim
from engine.service.context import Service
from engine.service.settings import load_settings
from engine.storage.database import open_database
from tests.service.conftest import ACCOUNTS, make_engine


def main(mode: str, database_url: str, claim_id: int, marker: str) -> None:
    settings = load_settings(Config(), database_url=database_url,
                             queue_url="sqlite:///:unused:", lease=2.0)
    service = Service(open_database(database_url), settings, engine=make_engine())
    if mode == "hang":
        def stuck(account: Account, **_: object) -> Snapshot:
            Path(marker).write_text("fetching")
            time.sleep(600)
            raise AssertionError("should have been killed")
        service.engine.snapshot = stuck  # type: ignore[method-assign]
    else:
        # Both processes start their check together.
        while not Path(marker).exists():
            time.sleep(0.005)
    with cassette(ACCOUNTS, record=False):
        result = process_claim(service, claim_id)
    print("checked" if result is not None else "skipped")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
