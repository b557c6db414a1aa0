"""The real servers answer as the platform expects: MongoDB (FerretDB), Redis and Kafka."""

import json
import time
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer

from app.data import init_db, users
from app.extensions import redis_client


def test_mongodb_round_trip_and_unique_email_and_mobile(db):
    user_id = users.insert(db, {"email": "ada@example.com", "mobile": "+44700000001", "name": "Ada"})
    assert users.by_email(db, "ADA@example.com ")["_id"] == user_id

    with pytest.raises(users.DuplicateUser) as duplicate_email:
        users.insert(db, {"email": "ada@example.com", "mobile": "+44700000002"})
    assert duplicate_email.value.field == "email"

    with pytest.raises(users.DuplicateUser) as duplicate_mobile:
        users.insert(db, {"email": "grace@example.com", "mobile": "+44700000001"})
    assert duplicate_mobile.value.field == "mobile"
    assert db.users.count_documents({}) == 1


def test_db_init_is_idempotent(db):
    assert all(created == [] for created in init_db(db).values())
    index_names = {ix["name"] for ix in db.users.list_indexes()}
    assert {"u_email_1", "u_mobile_1"} <= index_names


def test_redis_round_trip_with_expiry(app):
    redis = redis_client.get()
    redis.set("greeting", "hello", px=200)
    assert redis.get("greeting") == b"hello"
    time.sleep(0.3)
    assert redis.get("greeting") is None


def test_kafka_produce_and_consume_through_a_consumer_group(services):
    topic, group = "platform.events", f"test-{uuid.uuid4().hex[:8]}"
    servers = services["KAFKA_BOOTSTRAP_SERVERS"]
    marker = uuid.uuid4().hex
    producer = KafkaProducer(bootstrap_servers=servers, acks="all",
                             value_serializer=lambda v: json.dumps(v).encode())
    for n in range(20):
        producer.send(topic, key=f"user-{n % 4}".encode(), value={"marker": marker, "n": n})
    producer.flush()
    producer.close()

    def consume() -> list[int]:
        consumer = KafkaConsumer(topic, bootstrap_servers=servers, group_id=group, auto_offset_reset="earliest",
                                 enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
                                 value_deserializer=lambda b: json.loads(b))
        seen, deadline = [], time.monotonic() + 20
        while time.monotonic() < deadline and len(seen) < 20:
            for records in consumer.poll(timeout_ms=300).values():
                seen += [r.value["n"] for r in records if r.value.get("marker") == marker]
        if deadline - time.monotonic() > 0:
            # the group committed everything: a second member of the group gets nothing new
            consumer.commit()
        consumer.close()
        return seen

    assert sorted(consume()) == list(range(20))
    consumer = KafkaConsumer(topic, bootstrap_servers=servers, group_id=group, enable_auto_commit=False,
                             session_timeout_ms=6000, heartbeat_interval_ms=1000)
    polled = [r for batch in [consumer.poll(timeout_ms=2000) for _ in range(3)] for rs in batch.values() for r in rs]
    consumer.close()
    # other tests' audit events may follow ours on the topic; none of ours is delivered twice
    assert [r for r in polled if json.loads(r.value).get("marker") == marker] == []


def test_db_init_drops_the_seed_unique_index_that_allowed_one_saved_transfer_per_recipient(db):
    saved = db["savetransferrequets"]
    saved.drop_index("i_uniqueId_1")
    saved.create_index([("uniqueId", 1)], name="u_uniqueId_1", unique=True)  # as an older version made it
    init_db(db)
    names = {ix["name"] for ix in saved.list_indexes()}
    assert "u_uniqueId_1" not in names and "i_uniqueId_1" in names
    twice = [{"uniqueId": "LIB-AAAA-BBBB", "remark": "first"}, {"uniqueId": "LIB-AAAA-BBBB", "remark": "again"}]
    saved.insert_many(twice)  # two saved transfers to one recipient
    saved.delete_many({})
