"""The gateway topology (nginx in front of gunicorn instances) on free ports, and HTTP clients that
connect from a chosen loopback address, so nginx sees distinct clients (127.0.0.2, 127.0.0.3, ...)."""

from __future__ import annotations

import re

import pytest
import requests
from requests.adapters import HTTPAdapter

from infra.gateway import GatewayConfig, topology
from tests.fixtures.processes import free_port

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class FromAddress(HTTPAdapter):
    """Connections bound to `source` on the client side (all of 127/8 is loopback on Linux)."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(source: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(source, pool_maxsize=32))
    return session


def form_post(session: requests.Session, base: str, path: str, data: dict, form_path: str | None = None):
    """POST a form with the CSRF token read from its page, as a browser would."""
    # 30 s: a sign-in hashes its password (argon2) and a loaded CI machine can take a while; slow is not failed
    token = _TOKEN.search(session.get(base + (form_path or path), timeout=30).text).group(1)
    return session.post(base + path, data={"csrf_token": token, **data}, allow_redirects=False, timeout=30)


@pytest.fixture(scope="module")
def gateway(services, tmp_path_factory):
    """Two instances behind nginx with limits loose enough for load from one address."""
    config = GatewayConfig(base=tmp_path_factory.mktemp("gateway"), port=free_port(),
                           instance_ports=[free_port(), free_port()], rate=2000, burst=4000, connections=512)
    with topology(services, config) as running:
        yield running


@pytest.fixture(scope="module")
def strict_gateway(services, tmp_path_factory):
    """One instance behind nginx with the coarse per-address limits and short client timeouts."""
    config = GatewayConfig(base=tmp_path_factory.mktemp("strict"), port=free_port(), instance_ports=[free_port()],
                           rate=20, burst=40, connections=32, client_timeout=2)
    with topology(services, config) as running:
        yield running
