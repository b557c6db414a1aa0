"""`flask` commands: idempotent set-up (db, kafka, chain) and the long-running worker processes."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from web3 import Web3

from app.custody_commands import custody_cli, transfers_cli
from app.data import init_db, parked_contracts, parked_events
from app.data.mongo import get_db
from app.demo.commands import demo_cli
from app.domain.compliance import limits as compliance_limits
from app.domain.enforcement import cases as enforcement_cases
from app.domain.orders.mint_recovery import recover_all
from app.domain.payments.rules import parse_token_amount
from app.domain.payments.stablecoin import PaymentsUnavailable, faucet, stablecoin
from app.domain.platform.chain import ensure_platform
from app.domain.platform.chain_ops import requeue_open
from app.domain.platform.reconcile import reconcile
from app.events import parking
from app.events.handlers import apply_chain_message
from app.events.topics import create_topics
from app.tasks.queues import QUEUES
from app.tasks.settlement import requeue_minting
from app.user_commands import users_cli
from workers.entrypoints import run_chain_monitor, run_chain_sync, run_rq_worker

db_cli = AppGroup("db", help="MongoDB collections and indexes.")
kafka_cli = AppGroup("kafka", help="Kafka topics.")
chain_cli = AppGroup("chain", help="The platform's contracts and chain workers.")


@db_cli.command("init")
def db_init() -> None:
    """Create every collection and index (safe to run again)."""
    created = init_db(get_db())
    new = {name: indexes for name, indexes in created.items() if indexes}
    click.echo(f"db ready: {len(created)} collections; new indexes: {json.dumps(new) if new else 'none'}")


@kafka_cli.command("init")
@click.option("--replication-factor", type=click.IntRange(1), default=1, show_default=True,
              help="copies of each new topic (3 on a production cluster, whose brokers set min.insync.replicas=2)")
def kafka_init(replication_factor: int) -> None:
    """Create the platform's topics (safe to run again)."""
    created = create_topics(current_app.config["KAFKA_BOOTSTRAP_SERVERS"], replication_factor)
    click.echo(f"kafka ready; created topics: {', '.join(created) if created else 'none'}")


@chain_cli.command("bootstrap")
def chain_bootstrap() -> None:
    """Deploy the platform's ERC-3643 infrastructure once per chain and record its addresses."""
    record, deployed_now = ensure_platform(current_app.config)
    click.echo(("deployed" if deployed_now else "already deployed") + f" on chain {record.get('chainId')}")
    click.echo(json.dumps(record, indent=2, sort_keys=True))


@chain_cli.command("monitor")
def chain_monitor() -> None:
    """Follow the chain and publish decoded platform logs to `chain.events` (runs until SIGTERM)."""
    run_chain_monitor(current_app.config)


@chain_cli.command("reconcile")
@click.option("--block", type=int, default=None, help="height to compare at (default: the monitor's checkpoint)")
def chain_reconcile(block: int | None) -> None:
    """Compare MongoDB holdings, frozen amounts and supplies with the chain; exit 1 on any difference."""
    height, drifts = reconcile(current_app.config, block)
    for drift in drifts:
        click.echo(str(drift))
    click.echo(f"{len(drifts)} difference(s) at block {height}")
    parked = _echo_parked(get_db())
    if drifts or parked:
        raise SystemExit(1)


def _echo_parked(db) -> int:
    """What chain-sync parked and no replay has applied yet (their contracts' projections stop before them)."""
    waiting = parked_events.waiting(db)
    for doc in waiting:
        click.echo(f"parked {doc['kind']}: {doc['_id']} contract {doc.get('address') or '-'} "
                   f"(partition {doc['partition']} offset {doc['offset']}): {doc['error']}")
    held = [d["_id"] for d in parked_contracts.all_held(db)]
    click.echo(f"{len(waiting)} parked event(s); contracts held behind one: {', '.join(held) if held else 'none'}"
               + ("  (fix the cause, then `flask chain replay-parked`)" if waiting else ""))
    return len(waiting)


@chain_cli.command("replay-parked")
@click.option("--contract", "address", default=None, help="replay only this contract's line (default: all)")
def chain_replay_parked(address: str | None) -> None:
    """Apply the events chain-sync parked, each contract's in order, each once; exit 1 if some fail again."""
    db = get_db()
    report = parking.replay(current_app.config, db, lambda message: apply_chain_message(db, message), address)
    for parked_id, error in report.still_parked.items():
        click.echo(f"still parked: {parked_id}: {error}")
    click.echo(f"replayed {len(report.replayed)} parked event(s); {parked_events.count_waiting(db)} still parked")
    if report.still_parked:
        raise SystemExit(1)


@chain_cli.command("discard-parked")
@click.argument("parked_id")
@click.option("--reason", required=True, help="why this event is not to be applied (kept on it)")
def chain_discard_parked(parked_id: str, reason: str) -> None:
    """Close a parked event without applying it (e.g. an undecodable message); its contract's line stays held
    until `flask chain replay-parked` applies the rest."""
    if not parking.discard(current_app.config, get_db(), parked_id, reason):
        raise click.ClickException(f"no waiting parked event {parked_id}")
    click.echo(f"discarded {parked_id}")


@chain_cli.command("requeue")
def chain_requeue() -> None:
    """Enqueue every chain job not yet done or failed (after an outage or killed workers)."""
    click.echo(f"recovered {len(recover_all(current_app.config))} failed mint job(s) (split, or order held)")
    click.echo(f"requeued {len(requeue_open(current_app.config))} chain job(s)")
    click.echo(f"requeued minting of {len(requeue_minting(current_app.config))} offering(s) with settled orders")
    click.echo(f"requeued {len(enforcement_cases.requeue_unfinished(current_app.config))} agent action case(s)")
    click.echo(f"requeued {len(compliance_limits.requeue_pending(current_app.config))} compliance limit change(s)")


@chain_cli.command("faucet")
@click.argument("wallet")
@click.argument("amount")
def chain_faucet(wallet: str, amount: str) -> None:
    """Mint AMOUNT Test USD (e.g. 1250.50) to WALLET, so a tester can pay in stablecoin (dev and test chains)."""
    try:
        coin = stablecoin(current_app.config)
        units = parse_token_amount(amount, coin["decimals"])
        if not Web3.is_address(wallet):
            raise ValueError(f"{wallet!r} is not an address")
        tx_hash = faucet(current_app.config, wallet, units)
    except (ValueError, PaymentsUnavailable) as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"minted {amount} {coin['symbol']} to {Web3.to_checksum_address(wallet)} in {tx_hash}")


@chain_cli.command("sync")
def chain_sync() -> None:
    """Consume `chain.events` into MongoDB as group `chain-sync` (runs until SIGTERM)."""
    run_chain_sync(current_app.config)


@click.command("worker")
@click.argument("queues", nargs=-1)
def rq_worker(queues: tuple[str, ...]) -> None:
    """Run an RQ worker inside the app context on QUEUES (default: all platform queues)."""
    run_rq_worker(current_app._get_current_object(), list(queues) or list(QUEUES))


def register_commands(app: Flask) -> None:
    app.cli.add_command(rq_worker)
    for group in (db_cli, kafka_cli, chain_cli, users_cli, demo_cli, custody_cli, transfers_cli):
        app.cli.add_command(group)
