"""`flask users ...`: accounts an operator creates from the shell (the first admin).

The questions come in the order people answer them (email, name, mobile, password), so answers piped in
that order land where they belong, and refusals are the sign-up form's own messages, named by its labels.
"""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from app.domain.accounts.service import FieldErrors
from app.domain.accounts.staff import create_admin

users_cli = AppGroup("users", help="Accounts created by an operator.")
DEFAULT_COUNTRY_CODE = "+44"  # as the sign-up form's default
LABELS = {"email": "Email", "legal_name": "Legal full name", "country_code": "Country code",
          "mobile": "Mobile number", "password": "Password"}
_INTERNATIONAL = re.compile(r"^(\+\d{1,3})[\s-]+(.+)$")


def split_mobile(answer: str, country_code: str | None) -> tuple[str, str]:
    """(country code, national number) from one answer: "+33 6 12 34 56 78" carries its code before a space;
    a number without one takes --country-code, else the form's default (+44)."""
    answer = answer.strip()
    found = _INTERNATIONAL.match(answer)
    if found and not country_code:
        return found.group(1), found.group(2)
    return country_code or DEFAULT_COUNTRY_CODE, answer


@users_cli.command("create-admin")
@click.option("--email", prompt="Email", help="the admin's email (sign-in name)")
@click.option("--name", "legal_name", prompt="Legal full name", help="legal full name")
@click.option("--mobile", prompt="Mobile number (+44 unless it starts with another code, e.g. +33 612345678)",
              help="mobile number; a leading +code and a space give its country code")
@click.option("--country-code", default=None, help="calling code when the mobile number does not start with one")
@click.option("--password", prompt="Password", hide_input=True, confirmation_prompt="Repeat the password",
              envvar="LIBERTUM_ADMIN_PASSWORD",
              help="asked for when not given (or read from LIBERTUM_ADMIN_PASSWORD); never a default")
def create_admin_command(email: str, legal_name: str, mobile: str, country_code: str | None, password: str) -> None:
    """Create an admin account with every permission."""
    code, number = split_mobile(mobile, country_code)
    try:
        admin = create_admin(email=email, country_code=code, mobile=number, legal_name=legal_name, password=password)
    except FieldErrors as error:
        for field, message in error.errors.items():
            click.echo(f"{LABELS.get(field, field)}: {message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"admin {admin['email']} created (id {admin['id']}); sign in at /auth/login")
