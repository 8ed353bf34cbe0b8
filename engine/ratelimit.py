"""A per-platform request budget shared by every check in one process (sliding window)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from .config import RateLimit


class RateLimiter:
    """Blocks until one more request fits in the budget ``limit``.

    ``clock`` and ``sleep`` are injectable so that replayed checks and tests never wait.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot; return how many seconds were spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.limit.seconds:
                    self._sent.popleft()
                if len(self._sent) < self.limit.requests:
                    self._sent.append(now)
                    return waited
                delay = self.limit.seconds - (now - self._sent[0])
            self._sleep(delay)
            waited += delay
