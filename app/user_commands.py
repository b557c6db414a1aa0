"""`flask users ...`: accounts an operator creates from the shell (the first admin)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.domain.accounts.service import FieldErrors
from app.domain.accounts.staff import create_admin

users_cli = AppGroup("users", help="Accounts created by an operator.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="the admin's email (sign-in name)")
@click.option("--name", "legal_name", prompt="Legal full name", help="legal full name")
@click.option("--country-code", prompt=True, default="+44", show_default=True, help="calling code, e.g. +44")
@click.option("--mobile", prompt=True, help="mobile number without the country code")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="LIBERTUM_ADMIN_PASSWORD",
              help="asked for when not given (or read from LIBERTUM_ADMIN_PASSWORD); never a default")
def create_admin_command(email: str, legal_name: str, country_code: str, mobile: str, password: str) -> None:
    """Create an admin account with every permission."""
    try:
        admin = create_admin(email=email, country_code=country_code, mobile=mobile, legal_name=legal_name,
                             password=password)
    except FieldErrors as error:
        for field, message in error.errors.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"admin {admin['email']} created (id {admin['id']})")
