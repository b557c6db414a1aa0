"""Which consumer failures are retried (transient) and which park the message (permanent); the retry delays."""

from __future__ import annotations

import pytest
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaTimeoutError
from pymongo.errors import AutoReconnect, DuplicateKeyError, NetworkTimeout, ServerSelectionTimeoutError, WriteError
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.domain.payments.settlement import SettlementBusy
from app.events.failures import describe, is_transient
from app.locks import Busy
from workers.chain_sync import Backoff


@pytest.mark.parametrize("error", [
    AutoReconnect("connection closed"), NetworkTimeout("timed out"), ServerSelectionTimeoutError("no server"),
    RedisConnectionError("refused"), RedisTimeoutError("timeout"), BusyLoadingError("loading"),
    KafkaTimeoutError("metadata"), KafkaConnectionError("down"), ConnectionRefusedError(111, "refused"),
    TimeoutError("socket"), Busy("lock busy"), SettlementBusy("another payment"),
], ids=lambda e: type(e).__name__)
def test_unreachable_servers_and_busy_locks_are_retried(error):
    assert is_transient(error)


@pytest.mark.parametrize("error", [
    WriteError("Failed to apply $inc operations to current value ((NumberLong)5000000000000000000)", 2),
    OverflowError("MongoDB can only handle up to 8-byte ints"), KeyError("value"), ValueError("bad amount"),
    TypeError("unsupported operand"), DuplicateKeyError("E11000"), CommitFailedError("rebalanced"),
    RuntimeError("its paid total kept changing"),
], ids=lambda e: type(e).__name__)
def test_bad_data_and_refusals_are_parked(error):
    assert not is_transient(error)


def test_the_parked_error_names_its_type_and_keeps_the_stack():
    def handler():
        return {}["value"]

    try:
        handler()
    except KeyError as error:
        line, trace = describe(error)
    assert line == "KeyError: 'value'"
    assert trace.startswith("Traceback") and "in handler" in trace


def test_retry_delays_double_up_to_the_cap_and_start_again_after_success():
    backoff = Backoff(first=0.5, cap=4)
    assert [backoff.next() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
    backoff.reset()
    assert backoff.next() == 0.5


def test_a_failure_raised_from_an_unreachable_server_is_retried():
    try:
        try:
            raise AutoReconnect("primary stepped down")
        except AutoReconnect as down:
            raise RuntimeError("could not record the payment") from down
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
