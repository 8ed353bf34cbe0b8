"""Wiring a :class:`Service` to its job queue and running workers."""

from __future__ import annotations

import random
import threading

from engine.queue import QUEUE_NAME, JobQueue, WorkerStats, build_huey, check_queue, run_worker

from .alerts import evaluate as evaluate_alerts
from .backlog import watch_backlog
from .claim_checks import process_claim
from .context import Service
from .leases import due_claims, worker_name
from .privacy import maybe_purge
from .stored_settings import apply_stored_settings
from .webhooks import deliver, due_deliveries


def attach_queue(service: Service, url: str | None = None, name: str = QUEUE_NAME) -> JobQueue:
    """Bind the configured huey queue to ``service`` (producers and workers alike)."""
    queue = JobQueue(build_huey(url or service.settings.queue_url, name),
                     run_claim=lambda claim_id: process_claim(service, claim_id),
                     run_webhook=lambda delivery_id: deliver(service, delivery_id))
    service.queue = queue
    return queue


def sweep(service: Service) -> int:
    """Run what is due in the database but has no job; returns how many ran.

    Once an hour it also applies the retention of post texts (``[privacy]
    keep_post_text_days``), which does not count as a job run.
    """
    maybe_purge(service)
    ran = 0
    claims = due_claims(service, limit=50)
    random.shuffle(claims)  # several threads sweeping at once take different claims first
    owner = worker_name()
    for claim_id in claims:
        if process_claim(service, claim_id, owner) is not None:
            ran += 1
    for delivery_id in due_deliveries(service, limit=50):
        if deliver(service, delivery_id) is not None:
            ran += 1
    return ran


def work(service: Service, *, once: bool = False, threads: int | None = None,
         stop: threading.Event | None = None) -> WorkerStats:
    """Process jobs (``once``: until nothing is due) with ``threads`` worker threads (default
    ``[queue] workers``); a warning is logged when the backlog of due claims grows old
    (:func:`engine.service.backlog.watch_backlog`)."""
    apply_stored_settings(service)  # the webhook URL and secret set through the API
    queue = service.queue if isinstance(service.queue, JobQueue) else attach_queue(service)
    check_queue(queue)  # a queue that does not answer stops the worker before anything else
    service.engine.warm_up()  # HTTP clients and budget connection before the first claim
    return run_worker(queue, lambda: sweep(service), once=once,
                      threads=threads or service.settings.workers,
                      poll_interval=service.settings.poll_interval, stop=stop,
                      watch=lambda: _watch(service))


def _watch(service: Service) -> None:
    """A worker's look, once a minute: the backlog warning, then the backends' alerts (each
    runs even when the other fails; the failure is logged)."""
    try:
        watch_backlog(service)
    finally:
        evaluate_alerts(service)
