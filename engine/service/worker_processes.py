"""Several worker processes on one machine: start them, supervise them, stop them.

CPython threads share one interpreter lock, so the threads of one worker process share one
CPU core; ``[queue] processes`` (``social-missions worker --processes N``) spreads the work
over N processes. :func:`run_processes` starts each child with the ``spawn`` context of
:mod:`multiprocessing` (a fresh interpreter: no database, queue or HTTP connection is ever
shared across processes) and runs ``target(index, stop)`` in it; the target opens its own
service and returns its :class:`~engine.queue.WorkerStats`.

The parent supervises:

- ``SIGTERM`` or ``SIGINT`` (Ctrl+C) is forwarded to the children as ``SIGTERM``; each child
  sets its ``stop`` event, lets its threads finish the job in hand, sends its counts and exits
  0. The parent waits for them (:data:`STOP_GRACE` seconds at most, then kills those left; a
  second signal kills them at once) and returns status 0.
- A child that ends unexpectedly is logged with its exit code and, outside ``once``, started
  again after a back-off (:data:`RESTART_DELAY`, doubling up to :data:`RESTART_MAX_DELAY`
  while it keeps dying within :data:`STABLE_AFTER` seconds). With ``once`` it is not
  restarted and the run's status is :data:`EXIT_INCOMPLETE`.
- A child refused at its first start (a configuration or input error: exit status
  :data:`EXIT_INVALID`, the message already printed by the child) stops the others; the
  run's status is then :data:`EXIT_INVALID`. A child refused when it is started again (the
  others keep working: a metrics port taken meanwhile, a database down) is restarted with
  the same back-off as a crash.
- With ``once`` each child runs until nothing is due; the parent returns when all are done,
  with the counts of all children added up.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any

from engine.errors import CassetteMiss, ConfigurationError, InvalidInput, SocialMissionsError
from engine.queue import WorkerStats

log = logging.getLogger(__name__)

# Exit statuses of a child (and of the whole run), as the command line uses them.
EXIT_OK = 0
EXIT_CRASHED = 1  # an unexpected exception in the child (logged with its traceback)
EXIT_INVALID = 2  # refused at start-up: configuration or input; restarting cannot help
EXIT_INCOMPLETE = 3  # ``once``: a child ended unexpectedly, its share may be left undone
# Seconds before a child that ended unexpectedly is started again; doubles while it keeps
# ending within STABLE_AFTER seconds of its start, up to RESTART_MAX_DELAY.
RESTART_DELAY = 1.0
RESTART_MAX_DELAY = 30.0
STABLE_AFTER = 60.0
# Seconds the children have, once told to stop, to finish the jobs in hand before they are
# killed (a check waits for the platform; a killed worker's claims are taken over after
# ``[missions] lease``).
STOP_GRACE = 60.0
# Seconds between two looks of the parent at its children when nothing happens.
POLL = 0.5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# What a child runs: ``target(index, stop)`` opens its service, works until ``stop`` is set
# (or, once, until nothing is due) and returns its counts. It must be picklable (a function
# of a module, or a functools.partial of one with picklable arguments).
Target = Callable[[int, threading.Event], WorkerStats]


@dataclass
class ProcessesRun:
    """The outcome of :func:`run_processes`: the children's counts added up (``jobs`` and
    ``swept`` of every child and every restart) and the exit status for the command
    (:data:`EXIT_OK`, :data:`EXIT_INVALID` or :data:`EXIT_INCOMPLETE`)."""

    stats: WorkerStats = field(default_factory=WorkerStats)
    status: int = EXIT_OK


@dataclass
class _Slot:
    """One child's place: its process (None while waiting to be restarted), the pipe its
    counts come back through, when it started, and the back-off of its next restart."""

    index: int
    process: Any = None
    results: Connection | None = None
    started: float = 0.0
    delay: float = RESTART_DELAY
    restart_at: float | None = None
    done: bool = False
    restarts: int = 0  # how many times this slot's child was started again


def run_processes(count: int, target: Target, *, once: bool = False) -> ProcessesRun:
    """Run ``target`` in ``count`` child processes (``count`` ≥ 1) and supervise them until
    they are all done: with ``once`` until each found nothing due, else until ``SIGTERM`` or
    ``SIGINT`` (the handlers are installed from the main thread only, and the previous ones
    put back on return). Returns the summed counts and the exit status (see the module's
    docstring); raises nothing for a child's failure."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    context = multiprocessing.get_context("spawn")
    run = ProcessesRun()
    signals: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        signals.append(signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    slots = [_Slot(index) for index in range(count)]
    stop_sent: float | None = None
    killed = False
    try:
        for slot in slots:
            _start(context, slot, target)
        while True:
            now = time.monotonic()
            if signals and stop_sent is None:
                stop_sent = now
                log.info("stopping %d worker process(es)", _alive(slots))
                _signal_all(slots, signal.SIGTERM)
            elif (stop_sent is not None and not killed
                  and (len(signals) > 1 or now - stop_sent > STOP_GRACE)):
                killed = True
                log.warning("killing %d worker process(es) that did not stop", _alive(slots))
                _signal_all(slots, signal.SIGKILL)
            stopping = stop_sent is not None
            for slot in slots:
                if slot.process is not None and slot.process.exitcode is not None:
                    _ended(slot, run, once=once, stopping=stopping)
                    if run.status == EXIT_INVALID and not signals:
                        signals.append(signal.SIGTERM)  # stop the others, then return
                elif slot.restart_at is not None and not stopping and now >= slot.restart_at:
                    slot.restarts += 1
                    _start(context, slot, target)
                if stopping and slot.process is None:
                    slot.done = True
            if all(slot.done for slot in slots):
                return run
            waits = [slot.restart_at - now for slot in slots
                     if slot.restart_at is not None and not stopping]
            timeout = max(0.0, min([POLL, *waits]))
            wait([slot.process.sentinel for slot in slots if slot.process is not None],
                 timeout)
    finally:
        _signal_all(slots, signal.SIGKILL)  # only left by an exception of the parent itself
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _start(context: Any, slot: _Slot, target: Target) -> None:
    """Start ``slot``'s child. The stop signals are blocked meanwhile: the child inherits the
    blocked mask and unblocks them once its handlers are set (a stop that arrives during its
    start-up waits for them instead of killing it or raising ``KeyboardInterrupt`` in
    multiprocessing's bootstrap); the parent's own signals arrived meanwhile are handled
    right after."""
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, slot.index, writer),
                              name=f"social-missions-worker-{slot.index}")
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        writer.close()
    slot.process, slot.results = process, reader
    slot.started, slot.restart_at = time.monotonic(), None
    log.debug("worker process %d started (pid %d)", slot.index, process.pid)


def _ended(slot: _Slot, run: ProcessesRun, *, once: bool, stopping: bool) -> None:
    """Account for ``slot``'s child that has ended: add its counts, decide what comes next
    (done, restart after a back-off, or the run's failure status)."""
    process = slot.process
    code = process.exitcode
    _collect(slot, run)
    process.join()
    process.close()
    slot.process = None
    if code == EXIT_INVALID and slot.restarts == 0:
        # Refused at its first start: the configuration is wrong, no restart can help.
        run.status = EXIT_INVALID
        slot.done = True
        return
    if stopping or (once and code == EXIT_OK):
        slot.done = True
        return
    lived = time.monotonic() - slot.started
    if once:
        log.error("worker process %d ended unexpectedly with exit code %s%s", slot.index,
                  code, _signal_name(code))
        run.status = EXIT_INCOMPLETE
        slot.done = True
        return
    slot.delay = RESTART_DELAY if lived > STABLE_AFTER else slot.delay
    log.error("worker process %d ended unexpectedly with exit code %s%s; restarting it in "
              "%.0f s", slot.index, code, _signal_name(code), slot.delay)
    slot.restart_at = time.monotonic() + slot.delay
    slot.delay = min(slot.delay * 2, RESTART_MAX_DELAY)


def _collect(slot: _Slot, run: ProcessesRun) -> None:
    """Add the counts ``slot``'s child sent (none when it died first) to ``run``."""
    reader = slot.results
    if reader is None:
        return
    try:
        while reader.poll():
            jobs, swept, failed = reader.recv()
            run.stats.jobs += jobs
            run.stats.swept += swept
            run.stats.failed += failed
    except (EOFError, OSError):
        pass
    finally:
        reader.close()
        slot.results = None


def _alive(slots: list[_Slot]) -> int:
    return sum(1 for slot in slots if slot.process is not None and slot.process.is_alive())


def _signal_all(slots: list[_Slot], signum: int) -> None:
    """Send ``signum`` to every child still running."""
    for slot in slots:
        process = slot.process
        if process is not None and process.exitcode is None and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.kill(process.pid, signum)


def _signal_name(code: int | None) -> str:
    """`` (SIGKILL)`` for a child that a signal ended (a negative exit code), else ``""``."""
    if code is None or code >= 0:
        return ""
    try:
        return f" ({signal.Signals(-code).name})"
    except ValueError:
        return ""


def _child(target: Target, index: int, results: Connection) -> None:
    """The body of child ``index``: stop on ``SIGTERM``/``SIGINT`` (``stop`` is set, the
    threads finish their job in hand), run ``target`` in a thread, send its counts through
    ``results`` and exit with the status of the module's docstring.

    ``target`` runs in a thread of its own so that the signal handler, which runs in the main
    thread, never sets ``stop`` while that same thread holds the event's lock. A child whose
    parent ends without stopping it (killed) stops too, instead of working on unsupervised."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    outcome: dict[str, Any] = {"status": EXIT_CRASHED}

    def body() -> None:
        try:
            outcome["stats"] = target(index, stop)
            outcome["status"] = EXIT_OK
        except (InvalidInput, ConfigurationError, CassetteMiss, SocialMissionsError) as error:
            print(f"social-missions: error: {error}", file=sys.stderr, flush=True)
            outcome["status"] = EXIT_INVALID
        except Exception:
            log.exception("worker process %d failed", index)

    parent = os.getppid()
    thread = threading.Thread(target=body, name=f"worker-process-{index}")
    thread.start()
    while thread.is_alive():
        thread.join(POLL)
        if os.getppid() != parent and not stop.is_set():  # the parent was killed: stop too
            log.warning("worker process %d: its parent process ended; stopping", index)
            stop.set()
    stats = outcome.get("stats")
    with contextlib.suppress(OSError):  # BrokenPipeError: no parent left to read them
        if stats is not None:
            results.send((stats.jobs, stats.swept, stats.failed))
        results.close()
    sys.stdout.flush()
    sys.exit(outcome["status"])
