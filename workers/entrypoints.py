"""Entry points of the long-running processes, called by the `flask` commands in the Procfile."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from rq import Worker

from app.chain.events import EventDecoder
from app.chain.node import web3_client
from app.data import chain_deployments
from app.data.mongo import get_db
from app.domain.payments.stablecoin import monitor_filters as payment_filters
from app.domain.platform.chain import platform_contracts
from app.events.producer import producer
from app.extensions import redis_client
from app.tasks import compliance_limits as compliance_limit_tasks
from app.tasks import distribution_snapshot, metrics_history, order_expiry, queues, rekyc, token_opening
from app.tasks import distributions as distribution_tasks
from app.tasks import enforcement as enforcement_tasks
from workers import chain_sync
from workers.chain_monitor import ChainMonitor, stop_event_on_signals

log = logging.getLogger(__name__)


def _wait_for_platform(config: dict, stop: threading.Event) -> dict | None:
    """The bootstrap record of the configured chain; waits (logging why) until `flask chain bootstrap` ran."""
    w3 = web3_client.get(config)
    while not stop.is_set():
        record = chain_deployments.load(get_db(config), w3.eth.chain_id)
        if record:
            return record
        log.warning("no platform contracts recorded for chain %s yet; run `flask chain bootstrap`", w3.eth.chain_id)
        stop.wait(5)
    return None


def run_chain_monitor(config: dict) -> None:
    stop = stop_event_on_signals()
    record = _wait_for_platform(config, stop)
    if record is None:
        return
    w3 = web3_client.get(config)
    kafka = producer.get(config)
    monitor = ChainMonitor(w3, get_db(config), lambda topic, key, value: kafka.send(topic, key=key, value=value),
                           kafka.flush, chain_id=w3.eth.chain_id, confirmations=config["CHAIN_CONFIRMATIONS"],
                           decoder=EventDecoder(), factories=platform_contracts(record),
                           extra_filters=payment_filters(config, record))
    monitor.load()
    log.info("chain monitor following chain %s from block %s", monitor.chain_id, monitor.state.height + 1)
    monitor.run(config["CHAIN_POLL_SECONDS"], stop)
    kafka.flush()


def run_chain_sync(config: dict) -> None:
    stop = stop_event_on_signals()
    kafka = producer.get(config)
    consumer = chain_sync.make_consumer(config["KAFKA_BOOTSTRAP_SERVERS"])
    log.info("chain sync consuming %s as group %s", chain_sync.CHAIN_EVENTS.name, chain_sync.GROUP_ID)
    chain_sync.run(consumer, get_db(config), lambda topic, key, value: kafka.send(topic, key=key, value=value),
                   kafka.flush, stop, config)


def run_rq_worker(app: Flask, names: list[str]) -> None:
    """RQ worker on the queues `names`, in priority order, whose jobs run inside the app context (config, clients)."""
    connection = redis_client.get(app.config)
    with app.app_context():
        if order_expiry.sweep_unpaid_orders.queue_name in names:  # the periodic sweep (it schedules its next run)
            order_expiry.ensure_scheduled(app.config)
            rekyc.ensure_scheduled(app.config)  # the daily KYC validity sweep, the same way
            distribution_snapshot.ensure_scheduled(app.config)  # record-date snapshots due, once a minute
            metrics_history.ensure_scheduled(app.config)  # the System page's history, once a minute
            distribution_tasks.ensure_scheduled(app.config)  # stablecoin payouts due or under way, once a minute
            token_opening.ensure_scheduled(app.config)  # tokens opening at their date, once a minute
            enforcement_tasks.ensure_scheduled(app.config)  # agent action cases due or stalled, once a minute
            compliance_limit_tasks.ensure_scheduled(app.config)  # limit changes whose job was lost, once a minute
        Worker([queues.queue(name, app.config) for name in names], connection=connection).work(with_scheduler=True)
