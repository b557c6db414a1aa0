"""Redis locks and leases: the mutual exclusion that FerretDB v1's updates cannot give.

Why: FerretDB v1 (SQLite backend) applies an update as a read of the whole document and
then a write of the whole document, without isolation. Measured: 50 concurrent `$inc`s on
one document left 2, a conditional update (`update_one`/`find_one_and_update` filtering on
a state) passes its condition in two writers at once, and two writers of *different* fields
of one document can overwrite each other. Inserts are safe (the unique index refuses the
second). So wherever money, tokens, a chain transaction or a decision depends on one writer
winning, the writers take a Redis lock named after the document (`order:<id>`,
`offering:<id>`, `whitelist:<id>`, ...) and the conditional update inside it stays as the
rule it states. On MongoDB the same code is correct too: the lock is redundant there.

Lock order, to avoid deadlocks: a transfer (`payment:<key>`) before its order, an order before
its offering; a wallet, or a user, before the user's `userdetails`; nothing else nests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from redis.exceptions import LockError
from werkzeug.exceptions import ServiceUnavailable

from app.extensions import redis_client

LOCK_TTL_S, LOCK_WAIT_S = 30, 15

# Compare-and-set: only the owner named in the key may extend or delete it.
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class Busy(ServiceUnavailable):
    """Another process held the lock past the wait: nothing was written, try again.

    A 503 when it reaches a view (app/errors.py shows "try again shortly"); callers with a
    message of their own pass `busy=` to `locked`."""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class Lease:
    """A named lease with an owner: SET NX PX to take it, compare-and-set to renew or release.

    For work that runs long and checks it still holds the lease before each irreversible
    step (a chain job before it signs and broadcasts), unlike `locked` below.
    """

    def __init__(self, config: dict, name: str):
        self._redis = redis_client.get(config)
        self.key = f"lease:{name}"

    def take(self, owner: str, seconds: float) -> bool:
        return bool(self._redis.set(self.key, owner, nx=True, px=_ms(seconds)))

    def renew(self, owner: str, seconds: float) -> bool:
        """Extend our lease; False when it expired or another owner holds it (stop working)."""
        return bool(self._redis.eval(_RENEW, 1, self.key, owner, _ms(seconds)))

    def release(self, owner: str) -> bool:
        return bool(self._redis.eval(_RELEASE, 1, self.key, owner))

    def owner(self) -> str | None:
        value = self._redis.get(self.key)
        return value.decode() if value is not None else None


@contextlib.contextmanager
def locked(config: dict | None, name: str, *, busy: type[Exception] = Busy,
           message: str = "Someone else is changing this right now; try again in a moment.",
           ttl_s: float = LOCK_TTL_S, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold the lock `name` (Redis, across processes) for the block; raises `busy(message)` after `wait_s`.

    `config` None: the current app's. Not re-entrant: a block holding `name` must not ask for it again.
    """
    lock = redis_client.get(config).lock(f"lock:{name}", timeout=ttl_s, blocking_timeout=wait_s, sleep=0.005)
    if not lock.acquire():
        raise busy(message)
    try:
        yield
    finally:
        with contextlib.suppress(LockError):  # held past its TTL: nothing left to release
            lock.release()
