"""The job queue: huey on SQLite by default, on Redis when ``[queue] url`` is ``redis://…``.

Jobs are wake-ups, the database is the truth: a job names a claim or a webhook delivery, and
running it twice, late, or on two workers at once does nothing more than running it once
(leases and unique keys in :mod:`engine.service`). Jobs lost with a killed worker are found
again by the worker's sweep of due rows, so delivery is at-least-once.

Each process builds its :class:`JobQueue` bound to its own :class:`~engine.service.context.Service`;
the task names are the same everywhere, so any worker runs any producer's jobs.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from sqlalchemy.engine import make_url

from engine.errors import ConfigurationError, ServerUnavailable
from engine.private_files import create_private_file

log = logging.getLogger(__name__)
QUEUE_NAME = "social-missions"
CLAIM_TASK = "social_missions.check_claim"
WEBHOOK_TASK = "social_missions.deliver_webhook"


def build_huey(url: str, name: str = QUEUE_NAME) -> Huey:
    """A huey instance for ``sqlite:///path`` or ``redis://host:port/db``."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False, utc=True)
    if url.startswith("sqlite:"):
        database = make_url(url).database
        if not database:
            raise ConfigurationError(f"queue url {url!r} names no file")
        create_private_file(database)  # 0600: jobs name members' claims
        return SqliteHuey(name, filename=str(Path(database).expanduser()), results=False,
                          utc=True, timeout=30)
    raise ConfigurationError(
        f"queue url {url!r}: use sqlite:///path/queue.sqlite3 or redis://host:6379/0")


@dataclass
class WorkerStats:
    """What a worker did: ``jobs`` run from the queue, rows ``swept`` (due without a job), and
    ``failed`` passes of its loop (an error logged, such as the database or the queue not
    answering; the loop waits and goes on: the first error of a kind is logged with its
    traceback, the same error again in one line, and the loop's recovery in one line)."""

    jobs: int = 0
    swept: int = 0
    failed: int = 0


class JobQueue:
    """The service's jobs on one huey instance."""

    def __init__(self, huey: Huey, *, run_claim: Callable[[int], Any],
                 run_webhook: Callable[[int], Any]) -> None:
        self.huey = huey
        self._claim_task = huey.task(name=CLAIM_TASK)(run_claim)
        self._webhook_task = huey.task(name=WEBHOOK_TASK)(run_webhook)

    # -- producing -----------------------------------------------------------------------------

    def enqueue_claim(self, claim_id: int, delay: float = 0.0) -> None:
        if delay > 0:
            self._claim_task.schedule(args=(claim_id,), delay=delay)
        else:
            self._claim_task(claim_id)

    def enqueue_webhook(self, delivery_id: int, delay: float = 0.0) -> None:
        if delay > 0:
            self._webhook_task.schedule(args=(delivery_id,), delay=delay)
        else:
            self._webhook_task(delivery_id)

    # -- consuming -----------------------------------------------------------------------------

    def promote_scheduled(self) -> int:
        """Move scheduled jobs whose time has come to the queue."""
        due = self.huey.read_schedule()
        for task in due:
            self.huey.enqueue(task)
        return len(due)

    def run_one(self) -> bool:
        """Run the next queued job; False when the queue is empty.

        The job runs directly, not through ``Huey.execute``: the service never revokes a
        job, sets no expiry, retries, hooks or signals, and huey's revocation look costs two
        storage round trips per job (a read, then a delete of the revocation key). A job
        whose time has not come yet goes back to the schedule, as huey does it.
        """
        task = self.huey.dequeue()
        if task is None:
            return False
        if not self.huey.ready_to_run(task):
            self.huey.add_schedule(task)
            return True
        try:
            task.execute()
        except Exception:  # a failed job must not stop the worker; the sweep retries it
            log.exception("job %s failed", task.name)
        return True

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def scheduled(self) -> int:
        return int(self.huey.scheduled_count())

    def flush(self) -> None:
        self.huey.flush()


# Seconds between two reads of the schedule (due delayed jobs moved to the queue) while jobs
# keep coming; an empty queue reads it at once. On SQLite each read is a write transaction.
PROMOTE_EVERY = 0.5
# Seconds between two looks at the backlog (``watch``) by one worker process.
WATCH_EVERY = 60.0


def _error_key(error: Exception) -> tuple[str, str]:
    """What makes two loop errors "the same" (an outage repeating): the exception's class and
    the first line of its message."""
    text = str(error).strip()
    return type(error).__name__, text.splitlines()[0] if text else ""


def check_queue(queue: JobQueue) -> None:
    """Raise :class:`ServerUnavailable` when the queue's Redis server does not answer a
    ``PING`` (a SQLite queue is a local file: nothing to check), so that a worker started
    against a wrong ``[queue] url`` says so at once instead of logging errors in a loop."""
    connection = getattr(queue.huey.storage, "conn", None)
    if connection is None or not hasattr(connection, "ping"):
        return
    try:
        connection.ping()
    except Exception as error:  # redis.exceptions.ConnectionError, TimeoutError, auth…
        raise ServerUnavailable(f"the queue's Redis server does not answer ({error}); check "
                               "[queue] url and that Redis runs") from error


def run_worker(
    queue: JobQueue,
    sweep: Callable[[], int],
    *,
    once: bool = False,
    threads: int = 1,
    poll_interval: float = 1.0,
    stop: threading.Event | None = None,
    watch: Callable[[], Any] | None = None,
) -> WorkerStats:
    """Run jobs until ``stop`` (or, with ``once``, until nothing is due any more).

    ``sweep`` runs the rows that are due but have no job (lost with a killed worker, or
    written by a producer without a queue) and returns how many it ran. ``watch`` (the backlog
    warning) runs every :data:`WATCH_EVERY` seconds in one of the threads; its errors are
    logged. With ``once``, the Redis queue is read without blocking (an empty queue answers at
    once instead of after the blocking read's second), which also spares a look at the
    queue's length before each job.
    """
    stop = stop or threading.Event()
    stats = WorkerStats()
    lock = threading.Lock()
    idle = [0] * threads
    next_promote = [0.0]
    next_watch = [0.0]  # a first look at start: a backlog left by a stopped worker shows

    def due(deadline: list[float], every: float) -> bool:
        now = time.monotonic()
        with lock:
            if now < deadline[0]:
                return False
            deadline[0] = now + every
            return True

    failing: list[tuple[str, str] | None] = [None]  # the last error's kind, while it lasts

    def recovered() -> None:
        """A pass went through: after errors, say once that the loop works again."""
        if failing[0] is not None:
            with lock:
                if failing[0] is not None:
                    log.warning("worker loop works again")
                    failing[0] = None

    def loop(index: int) -> None:
        while not stop.is_set():
            try:
                if watch is not None and due(next_watch, WATCH_EVERY):
                    try:
                        watch()
                    except Exception:  # a look at the backlog must not stop the worker
                        log.exception("could not measure the backlog")
                if due(next_promote, PROMOTE_EVERY):
                    queue.promote_scheduled()
                if queue.run_one():
                    with lock:
                        stats.jobs += 1
                    idle[index] = 0
                    recovered()
                    continue
                if queue.promote_scheduled():  # delayed jobs whose time has come
                    idle[index] = 0
                    continue
                done = sweep()
            except Exception as error:  # a database hiccup: wait and go on
                kind = _error_key(error)
                with lock:
                    stats.failed += 1
                    same, failing[0] = failing[0] == kind, kind
                if same:  # an outage: its traceback once, then a line per pass
                    log.error("worker loop error again: %s: %s", *kind)
                else:
                    log.exception("worker loop error")
                done = 0
                time.sleep(poll_interval)
            else:
                recovered()
            with lock:
                stats.swept += done
            if done:
                idle[index] = 0
                continue
            idle[index] += 1
            if once and all(count > 0 for count in idle):
                stop.set()
                return
            if once:
                time.sleep(0.02)  # another thread is still busy; its work may chain more
            else:
                # Spread the threads' polls so they do not all hit the database together.
                stop.wait(poll_interval * (0.5 + random.random()))

    storage = queue.huey.storage
    check_queue(queue)
    # RedisHuey reads with a blocking BRPOP; once, a plain RPOP (None at once when empty).
    nonblocking = once and getattr(storage, "blocking", False)
    if nonblocking:
        storage.blocking = False
    try:
        if threads == 1:
            loop(0)
            return stats
        workers = [threading.Thread(target=loop, args=(i,), daemon=True, name=f"worker-{i}")
                   for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return stats
    finally:
        if nonblocking:
            storage.blocking = True
