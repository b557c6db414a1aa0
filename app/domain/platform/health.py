"""Readiness: can this process reach every service the platform depends on?"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from app.chain.node import web3_client
from app.data.mongo import ping as ping_mongo
from app.events.producer import producer
from app.events.topics import CHAIN_EVENTS
from app.extensions import redis_client


def _check_mongo(config: dict) -> str:
    ping_mongo(config)
    return "ok"


def _check_redis(config: dict) -> str:
    redis_client.get(config).ping()
    return "ok"


def _check_kafka(config: dict) -> str:
    # Metadata for our main topic proves a broker answers and the topics exist (blocks <= max_block_ms).
    partitions = producer.get(config).partitions_for(CHAIN_EVENTS.name)
    if not partitions:
        raise LookupError(f"topic {CHAIN_EVENTS.name} is missing; run `flask kafka init`")
    return f"{len(partitions)} partitions of {CHAIN_EVENTS.name}"


def _check_chain(config: dict) -> str:
    w3 = web3_client.get(config)
    return f"chain {w3.eth.chain_id} at block {w3.eth.block_number}"


CHECKS: dict[str, Callable[[dict], str]] = {
    "mongodb": _check_mongo, "redis": _check_redis, "kafka": _check_kafka, "chain": _check_chain,
}


def check_dependencies(config: dict) -> dict[str, dict]:
    """Run every check in parallel; each result is {"up": bool, "detail": str, "ms": float}."""

    def run(name: str) -> tuple[str, dict]:
        started = time.perf_counter()
        try:
            detail, up = CHECKS[name](config), True
        except Exception as error:  # noqa: BLE001 - any failure means "down", reported with its message
            detail, up = f"{type(error).__name__}: {error}", False
        return name, {"up": up, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}

    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        return dict(pool.map(run, CHECKS))
