"""`make admin`, exactly as the README writes it: the first admin, created from a shell on the running platform,
answering the questions in the order people answer them, refused with the sign-up form's own messages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pymongo import MongoClient

from app.user_commands import split_mobile
from tests.fixtures.processes import ROOT, free_port


def readme_admin_command() -> list[str]:
    """The command the README's "first admin" section gives (its code block's first line)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Create a real admin", 1)[1]
    return re.search(r"```sh\n([^\n#]+)", section).group(1).split()


def _admin(env_ports: dict[str, str], answers: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(readme_admin_command(), cwd=ROOT, input=answers, text=True, capture_output=True,
                          timeout=300, check=False,
                          env={"PATH": f"{Path('/usr/bin')}:/bin", "HOME": str(Path.home()), **env_ports})


def _ports(services: dict) -> dict[str, str]:
    """The LIBERTUM_*_PORT settings that point `make run`'s commands at this test's servers."""
    port = lambda url: str(urlsplit(url if "//" in url else f"//{url}").port)  # noqa: E731
    return {"LIBERTUM_MONGO_PORT": port(services["MONGO_URI"]), "LIBERTUM_REDIS_PORT": port(services["REDIS_URL"]),
            "LIBERTUM_KAFKA_PORT": port(services["KAFKA_BOOTSTRAP_SERVERS"]),
            "LIBERTUM_ANVIL_PORT": port(services["ETH_RPC_URL"])}


def test_the_readme_gives_make_admin():
    assert readme_admin_command() == ["make", "admin"]


def test_make_admin_says_to_start_the_platform_first_when_nothing_runs():
    result = _admin({"LIBERTUM_MONGO_PORT": str(free_port())})
    assert result.returncode != 0 and "make run" in result.stderr


def test_make_admin_creates_an_admin_from_answers_in_the_natural_order(services):
    answers = "first-admin@example.com\nAda Admin\n07700 900123\na long admin passphrase\na long admin passphrase\n"
    result = _admin(_ports(services), answers=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "admin first-admin@example.com created" in result.stdout
    with MongoClient(services["MONGO_URI"]) as client:  # make run's database name: the default, libertum
        admin = client["libertum"]["users"].find_one({"email": "first-admin@example.com"})
    assert admin["userType"] == "admin" and admin["mobile"] == "+447700900123"


def test_make_admin_answers_a_bad_email_like_the_sign_up_form(services):
    answers = "admin@libertum.test\nAda Admin\n+33 612345678\na long admin passphrase\na long admin passphrase\n"
    result = _admin(_ports(services), answers=answers)
    assert result.returncode != 0
    assert "Email: Enter a valid email address" in result.stderr


@pytest.mark.parametrize(("answer", "option", "expected"), [
    ("7700 900123", None, ("+44", "7700 900123")),
    ("+33 612345678", None, ("+33", "612345678")),
    ("+1-2025550123", None, ("+1", "2025550123")),
    ("612345678", "+33", ("+33", "612345678")),
])
def test_one_mobile_answer_carries_its_country_code(answer, option, expected):
    assert split_mobile(answer, option) == expected
