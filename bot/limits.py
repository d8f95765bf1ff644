"""Rate limits: a token bucket per key (a web chat sender, a client address), in memory.

Each key has a bucket holding up to ``burst`` tokens, refilled at ``per_minute / 60`` tokens a second; a
message takes one token, and a message finding less than one token is refused with the seconds until
one is back (the ``Retry-After`` of the 429). So someone may send ``burst`` messages at once and then
``per_minute`` a minute for as long as they like.

Memory is bounded: a bucket that has refilled to full behaves exactly like a missing one, so such buckets
are dropped as soon as they reach the oldest end of the table, and at most ``max_keys`` buckets are kept
(past that the least recently used is dropped, which only ever forgives a key, never blocks one). Someone
inventing a new sender id for every message therefore cannot grow memory without bound (and is caught by
the per-address limit anyway).

Time comes from a monotonic clock (injectable for tests), so a changed wall clock never unblocks or
blocks anyone.

The limits are per gateway process: with several replicas behind a load balancer each replica limits on
its own, so a client may get up to (replicas x limit) through; set the limits with that in mind.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
DEFAULT_MAX_KEYS = 20_000


class TokenBucketLimiter:
    """``per_minute`` messages a minute per key, ``burst`` of them at once; ``per_minute=0`` turns it off."""

    def __init__(self, per_minute: float, burst: int, *, max_keys: int = DEFAULT_MAX_KEYS,
                 clock: Clock | None = None) -> None:
        if per_minute < 0:
            raise ValueError("per_minute must be 0 (off) or more")
        if per_minute and burst < 1:
            raise ValueError("burst must be at least 1")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock or time.monotonic
        # key -> (tokens, when they were counted); oldest use first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, key: str, now: float) -> float:
        entry = self._buckets.get(key)
        if entry is None:
            return self.burst
        tokens, stamp = entry
        return min(self.burst, tokens + max(0.0, now - stamp) * self.rate)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may send again: 0.0 if it may now. Takes nothing."""
        if not self.enabled:
            return 0.0
        level = self._level(key, self._clock())
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str) -> None:
        """Count one message of ``key`` (call after ``wait`` said 0)."""
        if not self.enabled:
            return
        now = self._clock()
        level = self._level(key, now)
        self._buckets[key] = (max(0.0, level - 1), now)
        self._buckets.move_to_end(key)
        self._prune(now)

    def hit(self, key: str) -> float:
        """``wait`` and, when that is 0, ``take``: the seconds to wait, 0.0 when the message may go."""
        seconds = self.wait(key)
        if seconds == 0:
            self.take(key)
        return seconds

    def _prune(self, now: float) -> None:
        buckets = self._buckets
        # Full buckets at the old end are the same as none at all.
        while buckets:
            key, (tokens, stamp) = next(iter(buckets.items()))
            if tokens + max(0.0, now - stamp) * self.rate < self.burst:
                break
            del buckets[key]
        while len(buckets) > self.max_keys:
            buckets.popitem(last=False)


def retry_after_header(seconds: float) -> int:
    """Whole seconds for ``Retry-After``: rounded up, at least 1."""
    return max(1, math.ceil(seconds - 1e-9))


@dataclass
class ChatLimits:
    """The two limits of POST /api/chat: a message counts against both or neither."""

    per_sender: TokenBucketLimiter
    per_address: TokenBucketLimiter

    def hit(self, sender: str, address: str) -> float:
        """Seconds to wait (0.0: go ahead, and the message is counted against both keys)."""
        seconds = max(self.per_sender.wait(sender), self.per_address.wait(address))
        if seconds == 0:
            self.per_sender.take(sender)
            self.per_address.take(address)
        return seconds
