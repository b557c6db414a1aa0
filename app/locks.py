"""Redis locks and leases: the mutual exclusion that FerretDB v1's updates cannot give.

Why: FerretDB v1 (SQLite backend) applies an update as a read of the whole document and
then a write of the whole document, without isolation. Measured: 50 concurrent `$inc`s on
one document left 2, a conditional update (`update_one`/`find_one_and_update` filtering on
a state) passes its condition in two writers at once, and two writers of *different* fields
of one document can overwrite each other. Inserts are safe (the unique index refuses the
second). So wherever money, tokens, a chain transaction or a decision depends on one writer
winning, the writers take the named lock of the document (`with locks.order(order_id):`)
and the conditional update inside it stays as the rule it states. On MongoDB the same code
is correct too: the lock is redundant there. Modules elsewhere only name the lock they hold.

One lock per kind of document, named below; the Redis keys are `lock:<kind>:<id>` (the
reservations' `orders:reservations:<offering id>`), which running processes and tests hold
by name. A lock still busy after its wait raises `Busy` (nothing was written): a 503 page or
htmx fragment saying "try again in a moment" (app/errors.py), a retry for chain-sync
(app/events/failures.py) and for RQ.

Lock order, to avoid deadlocks: a lock may be taken only while every lock held by the same
thread comes strictly earlier in `LOCK_ORDER` (a parked line before the events it replays, a
mint job before its order, a transfer before its order, an offering's reservations before
one of its orders, an order before its offering; a wallet, or a user, before the user's
`userdetails`). With `LOCK_ORDER_CHECKS` on (tests) a lock taken out of order raises
LockOrderError before it waits; not re-entrant, so the same lock twice is refused too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import LockError
from werkzeug.exceptions import ServiceUnavailable

from app.extensions import redis_client

LOCK_TTL_S, LOCK_WAIT_S = 30, 15
BUSY_MESSAGE = "Someone else is changing this right now; try again in a moment."

# Compare-and-set: only the owner named in the key may extend or delete it.
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class Busy(ServiceUnavailable):
    """Another process held the lock past the wait: nothing was written, try again.

    The one answer to a busy lock: a 503 page, or under htmx a fragment (app/errors.py)."""

    description = BUSY_MESSAGE


class LockOrderError(RuntimeError):
    """A named lock taken while the thread holds one that comes after it in LOCK_ORDER (a deadlock in waiting)."""


@dataclass(frozen=True)
class Kind:
    """A kind of named lock: its place in the lock order and how its Redis key is spelt."""

    name: str
    key_prefix: str
    ttl_s: float = LOCK_TTL_S
    wait_s: float = LOCK_WAIT_S
    sleep_s: float = 0.005
    queue_threads: bool = False  # threads of one process queue locally, so one per process polls Redis


_UNNAMED = Kind("", "lock:")
# An offering's reservations: many placements at once, so threads queue locally and poll Redis fast.
_RESERVATIONS = Kind("reservations", "orders:reservations:", ttl_s=10, wait_s=10, sleep_s=0.002, queue_threads=True)
LOCK_ORDER: tuple[Kind, ...] = (
    Kind("parked", "lock:parked:"),
    Kind("mint-job", "lock:mint-job:"),
    Kind("payment", "lock:payment:"),
    Kind("transfer-request", "lock:transfer-request:"),
    Kind("agent-action", "lock:agent-action:"),
    Kind("distribution", "lock:distribution:"),
    _RESERVATIONS,
    Kind("order", "lock:order:"),
    Kind("offering", "lock:offering:"),
    Kind("whitelist", "lock:whitelist:"),
    Kind("wallet", "lock:wallet:"),
    Kind("user-token", "lock:user-token:"),
    Kind("user", "lock:user:"),
    Kind("userdetails", "lock:userdetails:"),
)
_RANK = {kind: rank for rank, kind in enumerate(LOCK_ORDER)}
_KINDS = {kind.name: kind for kind in LOCK_ORDER}
_held = threading.local()  # per thread: the named locks it holds, outermost first
_queues: dict[str, threading.Lock] = {}
_queues_guard = threading.Lock()


def parked(address: str, config: dict | None = None, *, ttl_s: float | None = None):
    """A contract's line of parked chain events (app/events/parking.py)."""
    return locked(config, address, kind=_KINDS["parked"], ttl_s=ttl_s)


def mint_job(job_id, config: dict | None = None):
    return locked(config, job_id, kind=_KINDS["mint-job"])


def payment(key: str, config: dict | None = None):
    """A stablecoin transfer, by its payment key."""
    return locked(config, key, kind=_KINDS["payment"])


def transfer_request(request_id, config: dict | None = None):
    """A transfer request (transferrequets): its decision and its execution's outcome."""
    return locked(config, request_id, kind=_KINDS["transfer-request"])


def distribution(distribution_id, config: dict | None = None):
    """A distribution: its decision and its status transitions (approve, snapshot, payout)."""
    return locked(config, distribution_id, kind=_KINDS["distribution"])


def agent_action(case_id, config: dict | None = None):
    """An enforcement case (agentActions): its decisions and its execution's outcome."""
    return locked(config, case_id, kind=_KINDS["agent-action"])


def reservations(offering_id, config: dict | None = None):
    """An offering's reserved supply and holdings (app/domain/orders/reservations.py)."""
    return locked(config, offering_id, kind=_RESERVATIONS)


def order(order_id, config: dict | None = None):
    return locked(config, order_id, kind=_KINDS["order"])


def offering(offering_id, config: dict | None = None):
    return locked(config, offering_id, kind=_KINDS["offering"])


def whitelist(whitelist_id, config: dict | None = None):
    return locked(config, whitelist_id, kind=_KINDS["whitelist"])


def wallet(address: str, config: dict | None = None):
    """A wallet address being proven, whoever's account it goes to."""
    return locked(config, address, kind=_KINDS["wallet"])


def user_token(token_id, config: dict | None = None):
    """A one-time link (email confirmation, password reset), by its record's id."""
    return locked(config, token_id, kind=_KINDS["user-token"])


def user(user_id, config: dict | None = None):
    return locked(config, user_id, kind=_KINDS["user"])


def userdetails(user_id, config: dict | None = None):
    return locked(config, user_id, kind=_KINDS["userdetails"])


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
def locked(config: dict | None, name, *, busy: type[Exception] = Busy, message: str = BUSY_MESSAGE,
           ttl_s: float | None = None, wait_s: float | None = None, kind: Kind = _UNNAMED) -> Iterator[None]:
    """Hold the lock `name` of `kind` (Redis, across processes) for the block; raises `busy(message)` after the wait.

    The primitive behind the named locks above, which the application uses; `config` None: the current app's.
    """
    config = current_app.config if config is None else config
    taken = (kind, str(name))
    _check_order(config, taken)
    with _queued(kind, taken, wait_s or kind.wait_s, busy, message):
        lock = redis_client.get(config).lock(kind.key_prefix + taken[1], timeout=ttl_s or kind.ttl_s,
                                             blocking_timeout=wait_s or kind.wait_s, sleep=kind.sleep_s)
        if not lock.acquire():
            raise busy(message)
        _holding().append(taken)
        try:
            yield
        finally:
            _holding().remove(taken)
            with contextlib.suppress(LockError):  # held past its TTL: nothing left to release
                lock.release()


def _holding() -> list[tuple[Kind, str]]:
    if not hasattr(_held, "locks"):
        _held.locks = []
    return _held.locks


def _check_order(config, taken: tuple[Kind, str]) -> None:
    """Refuse (LOCK_ORDER_CHECKS on) a named lock while this thread holds one of the same or a later kind."""
    kind = taken[0]
    if kind not in _RANK or not config.get("LOCK_ORDER_CHECKS"):
        return
    for held_kind, held_name in _holding():
        if held_kind in _RANK and _RANK[held_kind] >= _RANK[kind]:
            order_text = " < ".join(k.name for k in LOCK_ORDER)
            raise LockOrderError(f"lock {kind.name}:{taken[1]} taken while holding {held_kind.name}:{held_name}; "
                                 f"the lock order is {order_text} (app/locks.py)")


@contextlib.contextmanager
def _queued(kind: Kind, taken: tuple[Kind, str], wait_s: float, busy: type[Exception], message: str) -> Iterator[None]:
    """For a kind whose threads queue locally: wait behind the other threads of this process first."""
    if not kind.queue_threads:
        yield
        return
    key = kind.key_prefix + taken[1]
    with _queues_guard:
        local = _queues.setdefault(key, threading.Lock())
    if not local.acquire(timeout=wait_s):
        raise busy(message)
    try:
        yield
    finally:
        local.release()
