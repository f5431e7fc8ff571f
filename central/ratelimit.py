"""Rate limits: one token bucket per key (a source address, an account, a device).

A ``Limit(count, seconds)`` lets ``count`` attempts through at once and refills the bucket
steadily so that it is full again ``seconds`` after it was emptied. ``Limiter.take(key)``
returns 0.0 (go ahead, one token spent) or the seconds until the next token (refuse with 429 and
``Retry-After``). ``give_back(key)`` returns a token: enrolment and sign-in give it back on
success, so only wrong codes and wrong passwords use the budget up.

The buckets live in the process's memory: with ``--workers N`` each worker keeps its own
(an attacker gets at most N times the limit). Buckets that have refilled are forgotten, so a
flood from many addresses cannot grow memory past ``max_keys``.

Limits come from ``[rate_limits]`` in the TOML file named by ``$KIOSK_CENTRAL_RATE_LIMITS``
(docs/deploy.md); each key is ``name = [count, seconds]``, and a count of 0 turns that limit off.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError

audit = logging.getLogger("central.audit")
ENV = "KIOSK_CENTRAL_RATE_LIMITS"


@dataclass(frozen=True)
class Limit:
    count: int  # attempts allowed at once; 0: no limit
    seconds: float  # time for an emptied bucket to fill again


@dataclass(frozen=True)
class RateLimits:
    enrol_per_address: Limit = Limit(10, 600)
    enrol_global: Limit = Limit(60, 600)
    sign_in_per_account: Limit = Limit(10, 900)
    sign_in_per_address: Limit = Limit(30, 900)
    batches_per_device: Limit = Limit(300, 300)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @staticmethod
    def off() -> RateLimits:
        return RateLimits(**{n: Limit(0, 1) for n in LIMIT_NAMES})


LIMIT_NAMES = tuple(f.name for f in fields(RateLimits) if f.name != "clock")


class Limiter:
    def __init__(self, name: str, limit: Limit, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:  # fmt: skip
        self.name, self.limit, self._clock, self._max = name, limit, clock, max_keys
        self._rate = limit.count / limit.seconds if limit.count else 0.0  # tokens per second
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.limit.count, now))
        return min(self.limit.count, tokens + (now - at) * self._rate)

    def take(self, key: str) -> float:
        """0.0 if allowed (a token is spent), else seconds until one is free again."""
        if not self.limit.count:
            return 0.0
        with self._lock:
            now = self._clock()
            tokens = self._tokens(key, now)
            if tokens >= 1:
                if len(self._buckets) >= self._max:
                    self._forget_full(now)
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self._rate

    def give_back(self, key: str) -> None:
        if not self.limit.count:
            return
        with self._lock:
            now = self._clock()
            self._buckets[key] = (min(self.limit.count, self._tokens(key, now) + 1), now)

    def _forget_full(self, now: float) -> None:
        full = [k for k in self._buckets if self._tokens(k, now) >= self.limit.count]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self._max:  # still full of live buckets: forget the oldest half
            for k in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self._max // 2]:
                del self._buckets[k]


def client_address(request: Any) -> str:
    """The request's source address. Behind a reverse proxy uvicorn puts the X-Forwarded-For
    address here only when the proxy is trusted ($FORWARDED_ALLOW_IPS, loopback by default)."""
    return request.client.host if request.client else "unknown"


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, never 0 (a client would retry at once)."""
    return str(max(1, math.ceil(seconds)))


def refused(limit: str, who: str, seconds: float) -> None:
    """The audit log line of one refusal: which limit and whose bucket (an address, an account
    name or a device id), never the code, password or token that was sent."""
    # An account name is what the client typed: no line breaks or control characters in the log.
    shown = "".join(ch if ch.isprintable() and ch != " " else "?" for ch in who[:80])
    audit.warning("rate_limited limit=%s key=%s retry_after=%s", limit, shown,
                  retry_after(seconds))  # fmt: skip


def limiters(limits: RateLimits) -> dict[str, Limiter]:
    return {n: Limiter(n, getattr(limits, n), limits.clock) for n in LIMIT_NAMES}


def load_limits(path: Path | None = None) -> RateLimits:
    """``[rate_limits]`` from the TOML file ``path`` (default: ``$KIOSK_CENTRAL_RATE_LIMITS``;
    neither: the defaults). Every wrong key or value is named with what to write instead."""
    path = path or (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if path is None:
        return RateLimits()
    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("rate_limits", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the rate limits {path}: {exc}") from exc
    problems, values = [], {}
    for key, value in table.items():
        ok = (isinstance(value, list) and len(value) == 2 and type(value[0]) is int
              and value[0] >= 0 and isinstance(value[1], int | float) and value[1] > 0)  # fmt: skip
        if key not in LIMIT_NAMES:
            problems.append(f"rate_limits.{key} is not a known limit: use one of "
                            f"{', '.join(LIMIT_NAMES)}")  # fmt: skip
        elif not ok:
            problems.append(f"rate_limits.{key} must be [count, seconds], e.g. [10, 600]"
                            " (count 0 turns the limit off)")  # fmt: skip
        else:
            values[key] = Limit(value[0], float(value[1]))
    if problems:
        raise ConfigError(f"{path}: rate limits are wrong", problems)
    return RateLimits(**values)


class Guard:
    """The limiters of one app. ``check`` spends a token from each (limit, key) in turn; at the
    first refusal it gives back what it took, logs the refusal and returns the wait."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._limiters = limiters(self.limits)

    def check(self, *pairs: tuple[str, str]) -> float:
        taken: list[tuple[str, str]] = []
        for name, key in pairs:
            wait = self._limiters[name].take(key)
            if wait:
                self.give_back(*taken)
                refused(name, key, wait)
                return wait
            taken.append((name, key))
        return 0.0

    def give_back(self, *pairs: tuple[str, str]) -> None:
        for name, key in pairs:
            self._limiters[name].give_back(key)
