"""Kafka topics of the platform, with their partitioning, and their idempotent creation."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    retention_ms: int | None = None  # None: broker default


# chain.events: key = contract address, so one token's events stay in order on one partition.
CHAIN_EVENTS = Topic("chain.events", partitions=6)
CHAIN_EVENTS_DLQ = Topic("chain.events.dlq", partitions=1)
PLATFORM_EVENTS = Topic("platform.events", partitions=3)
PLATFORM_EVENTS_DLQ = Topic("platform.events.dlq", partitions=1)
ALL = (CHAIN_EVENTS, CHAIN_EVENTS_DLQ, PLATFORM_EVENTS, PLATFORM_EVENTS_DLQ)


def create_topics(bootstrap_servers: str, replication_factor: int = 1) -> list[str]:
    """Create missing topics; returns the names created (empty when all existed)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="libertum-admin",
                             request_timeout_ms=10000)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in ALL if t.name not in existing]
        new = [NewTopic(t.name, t.partitions, replication_factor,
                        topic_configs={"retention.ms": str(t.retention_ms)} if t.retention_ms else {})
               for t in missing]
        if new:
            # another process may create them between our list and create: same end state
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new, timeout_ms=10000, wait_for_metadata=True)
        return [t.name for t in missing]
    finally:
        admin.close()
