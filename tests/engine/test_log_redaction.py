"""Every log line is redacted: a secret the process holds (a backend's token, a session
cookie) never reaches the log, whichever logger wrote the line; huey's log of a failed job,
with its traceback, is the case in point."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.logs import configure_logging, restore_logging
from engine.queue import JobQueue, build_huey
from engine.redaction import MASK, remember

SECRET = "EAAG-session-token-0123456789"


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """What the log wrote to standard error so far (our handler writes to ``sys.stderr``)."""
    yield lambda: capsys.readouterr().err
    restore_logging()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_failed_jobs_traceback_quoting_a_secret_is_masked(
        stderr: Callable[[], str], tmp_path: Path, log_format: str) -> None:
    remember([SECRET])
    configure_logging(0, log_format)

    def failing(claim_id: int) -> None:
        raise RuntimeError(f"the platform answered: invalid token {SECRET} for claim {claim_id}")

    queue = JobQueue(build_huey(f"sqlite:///{tmp_path / 'q.sqlite3'}", "t"),
                     run_claim=failing, run_webhook=lambda _: None)
    queue.enqueue_claim(7)
    queue.run_one()
    text = stderr()
    assert "invalid token" in text and "claim 7" in text, text  # huey logged the failure
    assert SECRET not in text and MASK in text
    if log_format == "json":
        assert all(json.loads(line) for line in text.splitlines())


def test_any_logger_and_extra_fields_are_masked(stderr: Callable[[], str]) -> None:
    remember([SECRET])
    configure_logging(1, "json")
    logging.getLogger("some.library").warning("cookie %s", SECRET, extra={"header": SECRET})
    line = json.loads(stderr().splitlines()[-1])
    assert line["message"] == f"cookie {MASK}" and line["header"] == MASK
