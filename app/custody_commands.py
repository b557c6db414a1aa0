"""`flask custody ...` and `flask transfers ...`: operators' commands for held wallets and transfer requests."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.domain.custody import service as custody
from app.domain.transfers import review as transfer_review

custody_cli = AppGroup("custody", help="Platform-held wallets.")
transfers_cli = AppGroup("transfers", help="Transfer requests.")


@custody_cli.command("reseal")
def reseal_command() -> None:
    """After putting a new key first in WALLET_DATA_KEY: seal every held wallet's key with it (safe to repeat).
    Remove the old key from WALLET_DATA_KEY only once this reports 0 left."""
    done = custody.reseal_all(current_app.config)
    left = custody.sealed_with_other_keys(current_app.config)
    click.echo(f"resealed {done} held wallet key(s) with the current data key; {left} left on other keys")
    if left:
        raise SystemExit(1)


@transfers_cli.command("requeue")
def requeue_command() -> None:
    """Enqueue the execution of every approved transfer request still open (after an outage)."""
    ids = transfer_review.requeue_approved(current_app.config)
    click.echo(f"enqueued {len(ids)} approved transfer request(s)")
