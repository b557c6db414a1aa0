"""Transient or permanent: how a Kafka consumer decides between retrying a message and parking it.

Why: a consumer that stops on any exception stops the platform (one poison event restarted
chain-sync forever), and one that parks on any exception parks good events whenever
MongoDB blinks. Transient means "the same message will apply once a server answers or a
lock is free": connections and timeouts to MongoDB, Redis and Kafka, and a named Redis
lock still busy after its wait (app/locks.py). Retrying it loses nothing, because the
consumer commits only after the write. Everything else (bad data, a handler raising on a
value, a refused write, an overflow, a missing key) will fail the same way next time:
the message is parked for staff (app/events/parking.py) and the consumer goes on.
"""

from __future__ import annotations

import traceback

import requests
from kafka.errors import KafkaConnectionError, KafkaError
from pymongo.errors import ConnectionFailure, ExecutionTimeout, WTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app import locks

TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    ConnectionFailure,  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError, NotPrimaryError
    ExecutionTimeout, WTimeoutError,
    RedisConnectionError, RedisTimeoutError,  # BusyLoadingError too
    KafkaConnectionError,
    requests.ConnectionError, requests.Timeout,
    ConnectionError, TimeoutError,  # the standard library's socket errors
    locks.Busy,  # a named lock still busy after its wait
)
_LOCK_WAIT = locks.locked.__wrapped__.__code__


def is_transient(error: BaseException) -> bool:
    """True when retrying the same message later can succeed without anyone changing anything."""
    if isinstance(error, TRANSIENT_TYPES) or _busy_lock(error):
        return True
    if isinstance(error, KafkaError) and getattr(error, "retriable", False):
        return True
    return error.__cause__ is not None and is_transient(error.__cause__)  # raise ... from an unreachable server


def _busy_lock(error: BaseException) -> bool:
    """Raised by app.locks.locked itself: the lock stayed busy (the primitive also takes another `busy=` class)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code is _LOCK_WAIT


def describe(error: BaseException) -> tuple[str, str]:
    """(one-line error, full stack trace) as staff read them on the parked-events page."""
    return (f"{type(error).__name__}: {error}"[:2000],
            "".join(traceback.format_exception(type(error), error, error.__traceback__))[-20000:])
