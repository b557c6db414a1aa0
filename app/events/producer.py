"""The process's Kafka producer and the JSON envelope every platform message uses."""

from __future__ import annotations

import json

from kafka import KafkaProducer
from kafka.serializer import Serializer

from app.extensions import PerProcess


class KeySerializer(Serializer):
    def serialize(self, topic, headers, data):
        return data.encode() if data is not None else None


class JsonValueSerializer(Serializer):
    """Compact JSON; ints stay exact (uint256 amounts), anything else unknown becomes its string."""

    def serialize(self, topic, headers, data):
        return json.dumps(data, separators=(",", ":"), default=str).encode()


def _make_producer(config: dict) -> KafkaProducer:
    # acks=all + retries: a message the broker acknowledged survives a broker restart;
    # consumers deduplicate by message id, so a retried send is harmless.
    return KafkaProducer(bootstrap_servers=config["KAFKA_BOOTSTRAP_SERVERS"].split(","),
                         client_id="libertum", acks="all", retries=5, linger_ms=5,
                         max_block_ms=5000, request_timeout_ms=10000,
                         key_serializer=KeySerializer(), value_serializer=JsonValueSerializer())


producer: PerProcess[KafkaProducer] = PerProcess("libertum.kafka", _make_producer, "KAFKA_BOOTSTRAP_SERVERS",
                                                lambda p: p.close(timeout=5))


def publish(topic: str, key: str | None, value: dict, config: dict | None = None):
    """Send one message; returns the send future (call `.get()` or flush to wait for the broker)."""
    return producer.get(config).send(topic, key=key, value=value)
