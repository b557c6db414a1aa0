"""The local stack's pure pieces: port allocation and the Kafka node's configuration."""

from pathlib import Path

from infra.stack import Ports, kafka_cluster_id, kafka_properties


def test_free_ports_are_distinct():
    ports = Ports.free()
    values = [ports.redis, ports.mongo, ports.kafka, ports.kafka_controller, ports.anvil]
    assert len(set(values)) == 5


def test_kafka_listens_on_loopback_only_with_its_own_controller():
    text = kafka_properties(Ports(kafka=19092, kafka_controller=19093), Path("/data/k"))
    assert "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093" in text
    assert "log.dirs=/data/k" in text
    assert "auto.create.topics.enable=false" in text


def test_cluster_id_has_kafkas_format():
    cluster_id = kafka_cluster_id()
    assert len(cluster_id) == 22 and "=" not in cluster_id
