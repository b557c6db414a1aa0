"""`flask demo seed`: the living demo, as the first `make run` creates it (and tests run it on their stack)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.demo import seed
from app.demo.waiting import DemoStalled

demo_cli = AppGroup("demo", help="The development demo: people, offerings, orders and tokens.")


@demo_cli.command("seed")
@click.option("--password", envvar="DEMO_PASSWORD", required=True,
              help="The demo accounts' shared password (make run passes DEMO_PASSWORD from var/secrets.env).")
def seed_command(password: str) -> None:
    """Create the demo once (a second run changes nothing) and print its logins."""
    try:
        outcome = seed.run(current_app.config, password, say=lambda line: click.echo(line))
    except (seed.DemoRefused, DemoStalled) as error:
        click.echo(f"flask demo seed: {error}", err=True)
        sys.exit(1)
    click.echo("demo: created" if outcome.created else "demo: already there (nothing added)")
    for role, email in outcome.logins:
        click.echo(f"demo login  {role:<11} {email}")
