"""`make admin` (python -m infra.admin): the first admin, created from a shell with the README's one command."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

from pymongo import MongoClient

from tests.fixtures.processes import ROOT, free_port


def _admin(env_ports: dict[str, str], *args: str, answers: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infra.admin", *args], cwd=ROOT, input=answers, text=True,
                          capture_output=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/root", **env_ports})


def _ports(services: dict) -> dict[str, str]:
    """The LIBERTUM_*_PORT settings that point `make run`'s commands at this test's servers."""
    port = lambda url: str(urlsplit(url if "//" in url else f"//{url}").port)  # noqa: E731
    return {"LIBERTUM_MONGO_PORT": port(services["MONGO_URI"]), "LIBERTUM_REDIS_PORT": port(services["REDIS_URL"]),
            "LIBERTUM_KAFKA_PORT": port(services["KAFKA_BOOTSTRAP_SERVERS"]),
            "LIBERTUM_ANVIL_PORT": port(services["ETH_RPC_URL"])}


def test_make_admin_says_to_start_the_platform_first_when_nothing_runs():
    result = _admin({"LIBERTUM_MONGO_PORT": str(free_port())})
    assert result.returncode == 1 and "make run" in result.stderr


def test_make_admin_creates_an_admin_on_the_running_platform(services):
    answers = "first-admin@example.com\nAda Admin\n+44\n7700900123\na long admin passphrase\na long admin passphrase\n"
    result = _admin(_ports(services), answers=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "admin first-admin@example.com created" in result.stdout
    with MongoClient(services["MONGO_URI"]) as client:  # make run's database name: the default, libertum
        admin = client["libertum"]["users"].find_one({"email": "first-admin@example.com"})
    assert admin["userType"] == "admin"
