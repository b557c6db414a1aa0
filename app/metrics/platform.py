"""The platform's backlogs, read from their servers when Prometheus (or the System page) asks.

Why at scrape time: the figures live in Redis (RQ), MongoDB (chain jobs, outbox, the monitor's
checkpoint), Kafka (chain-sync's committed offsets) and the node (head); reading them there is
always right, whichever process did the work. Each source is read on its own: one that is down
reports `libertum_metrics_source_up{source=...} 0` and the others still answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.chain.node import web3_client
from app.data import chain_checkpoints, chain_jobs, outbox
from app.data.mongo import get_db
from app.events.topics import CHAIN_EVENTS
from app.tasks.queues import QUEUES, queue

log = logging.getLogger(__name__)

CHAIN_SYNC_GROUP = "chain-sync"  # workers/chain_sync.py's GROUP_ID
RQ_STATES = ("started", "finished", "failed", "deferred", "scheduled")
OUTBOX_CHANNELS = ("email", "sms")


def _gauge(name: str, documentation: str, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def rq_metrics(config: dict) -> Iterator[GaugeMetricFamily]:
    depth = _gauge("libertum_rq_queue_depth", "jobs waiting in each RQ queue", ("queue",))
    jobs = _gauge("libertum_rq_jobs", "RQ jobs per queue and state (finished and failed: kept for their TTL)",
                  ("queue", "state"))
    for name in QUEUES:
        bound = queue(name, config)
        depth.add_metric([name], bound.count)
        registries = {"started": bound.started_job_registry, "finished": bound.finished_job_registry,
                      "failed": bound.failed_job_registry, "deferred": bound.deferred_job_registry,
                      "scheduled": bound.scheduled_job_registry}
        for state in RQ_STATES:
            jobs.add_metric([name, state], registries[state].count)
    yield depth
    yield jobs


def chain_monitor_metrics(config: dict) -> Iterator[GaugeMetricFamily]:
    w3 = web3_client.get(config)
    head = w3.eth.block_number
    checkpoint = chain_checkpoints.load(get_db(config), f"chain-monitor:{w3.eth.chain_id}") or {}
    published = int(checkpoint.get("height", -1))
    yield GaugeMetricFamily("libertum_chain_head_block", "latest block of the node", value=head)
    yield GaugeMetricFamily("libertum_chain_monitor_block", "last block the chain monitor published",
                            value=published)
    yield GaugeMetricFamily("libertum_chain_monitor_lag_blocks", "blocks the chain monitor is behind the head",
                            value=max(0, head - published))


def chain_sync_offsets(config: dict) -> dict[int, tuple[int, int]]:
    """{partition: (committed offset of chain-sync, end offset)} of `chain.events`."""
    admin = KafkaAdminClient(bootstrap_servers=config["KAFKA_BOOTSTRAP_SERVERS"].split(","),
                             client_id="libertum-metrics", request_timeout_ms=3000)
    try:
        partitions = [TopicPartition(CHAIN_EVENTS.name, p) for p in range(CHAIN_EVENTS.partitions)]
        committed = admin.list_group_offsets({CHAIN_SYNC_GROUP: None}).get(CHAIN_SYNC_GROUP, {})
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
    finally:
        admin.close()
    offsets = {}
    for tp in partitions:
        done, end = committed.get(tp), ends.get(tp)
        offsets[tp.partition] = (max(0, done.offset) if done is not None else 0, end.offset if end else 0)
    return offsets


def chain_sync_metrics(config: dict) -> Iterator[GaugeMetricFamily]:
    lag = _gauge("libertum_chain_sync_lag", "chain.events messages chain-sync has not applied yet", ("partition",))
    applied = _gauge("libertum_chain_sync_events_applied", "chain.events messages chain-sync applied and committed",
                     ("partition",))
    for partition, (committed, end) in sorted(chain_sync_offsets(config).items()):
        lag.add_metric([str(partition)], max(0, end - committed))
        applied.add_metric([str(partition)], committed)
    yield lag
    yield applied


def store_metrics(config: dict) -> Iterator[GaugeMetricFamily]:
    db = get_db(config)
    jobs = _gauge("libertum_chain_jobs", "chain jobs per state", ("state",))
    for state, count in chain_jobs.count_by_status(db).items():
        jobs.add_metric([state], count)
    yield jobs
    backlog = _gauge("libertum_outbox_backlog", "mail and SMS written but not sent yet", ("channel",))
    unsent = outbox.backlog(db)
    for channel in sorted({*OUTBOX_CHANNELS, *unsent}):
        backlog.add_metric([channel], unsent.get(channel, 0))
    yield backlog


SOURCES: dict[str, Callable[[dict], Iterator[GaugeMetricFamily]]] = {
    "rq": rq_metrics, "chain_monitor": chain_monitor_metrics, "chain_sync": chain_sync_metrics,
    "store": store_metrics,
}


class PlatformCollector(Collector):
    """Reads every source at collect time; a failing source is reported down, not raised."""

    def __init__(self, config: dict):
        self.config = config

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = _gauge("libertum_metrics_source_up", "1 when the source answered this scrape", ("source",))
        for name, source in SOURCES.items():
            try:
                families = list(source(self.config))
            except Exception as error:  # noqa: BLE001 - any failure means this source is down, reported as such
                log.warning("metrics source %s failed: %s: %s", name, type(error).__name__, error)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
