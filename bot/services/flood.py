"""Per-person flood control: a token bucket for each Telegram user, in memory.

Each person may send ``burst`` updates at once, then ``per_minute`` a minute as the bucket fills
again. The bot's clock is the only time source, so tests move time instead of sleeping. People
whose bucket is full again are forgotten, so memory grows with the people talking *now*, never
with everyone who ever wrote; a hard cap (oldest first) bounds it even under a flood of new ids.
Nothing about a message is kept: only a user id, a number of tokens and two times.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class Verdict(Enum):
    ALLOWED = "allowed"  # go ahead
    WARN = "warn"  # over the limit: drop it, and say "slow down" (once per notice window)
    DROP = "drop"  # over the limit and already told: drop it silently


@dataclass
class _Bucket:
    tokens: float
    updated: datetime
    warned: datetime | None = None  # when they were last told to slow down
    alerted: datetime | None = None  # when the emergency numbers were last sent while limited


class FloodControl:
    """Token buckets keyed by user id; ``check`` is the only call a handler needs."""

    def __init__(
        self,
        per_minute: float = 20.0,
        burst: int = 8,
        notice_every: timedelta = timedelta(minutes=1),
        max_users: int = 50_000,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be above 0 and burst at least 1")
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.notice_every = notice_every
        self.max_users = max_users
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()  # least recently seen first

    def __len__(self) -> int:
        return len(self._buckets)

    @property
    def refill_time(self) -> timedelta:
        """How long an empty bucket takes to fill: after that, an idle person is forgotten."""
        return timedelta(seconds=self.burst / self.rate)

    def check(self, user_id: int, now: datetime) -> Verdict:
        """Count one update from USER_ID at NOW (an aware datetime) and say what to do with it."""
        self._forget_idle(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
        else:
            self._buckets.move_to_end(user_id)
            now = max(now, bucket.updated)  # a clock set back gives no free tokens, and no new notice
            self._refill(bucket, now)
        if bucket.tokens >= 1.0 - 1e-9:
            bucket.tokens -= 1.0
            return Verdict.ALLOWED
        if bucket.warned is None or now - bucket.warned >= self.notice_every:
            bucket.warned = now
            return Verdict.WARN
        return Verdict.DROP

    def may_alert(self, user_id: int, now: datetime) -> bool:
        """While someone is limited, the emergency numbers go at most once per notice window."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            return True
        now = max(now, bucket.updated)
        if bucket.alerted is not None and now - bucket.alerted < self.notice_every:
            return False
        bucket.alerted = now
        return True

    def _refill(self, bucket: _Bucket, now: datetime) -> None:
        elapsed = (now - bucket.updated).total_seconds()
        bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
        bucket.updated = now

    def _forget_idle(self, now: datetime) -> None:
        """Drop people whose bucket has filled again and who were not told anything lately."""
        quiet = max(self.refill_time, self.notice_every)
        while self._buckets:
            user_id, oldest = next(iter(self._buckets.items()))
            idle = now - oldest.updated >= quiet
            if not idle and len(self._buckets) <= self.max_users:
                break
            del self._buckets[user_id]
