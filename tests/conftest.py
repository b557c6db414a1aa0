"""Test harness: the real servers, started once per session on free ports with throw-away data.

Unit tests request none of these fixtures and need no server. Integration and end-to-end
tests get the stack through `services` (directly or via `app`), which never touches the
data of `make run` under var/. What tests share beyond the servers (users and sign-in, chain
helpers, processes) is in the tests/fixtures package.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from werkzeug.serving import make_server

from app import create_app
from app.data import init_db
from app.data.mongo import get_db
from app.domain.platform.chain import ensure_platform
from app.events.producer import producer
from app.events.topics import create_topics
from app.extensions import redis_client
from infra import devchain, tools
from infra.stack import Ports, Stack, StackError
from tests.fixtures.processes import (
    flask_argv,
    follow_chain_from_head,
    free_port,
    start_process,
    stop_process,
    wait_for_http,
)

# sign-in per role and browser-like clients; a live token suite and wallets verified in it (see tests/fixtures)
pytest_plugins = ["tests.fixtures.accounts", "tests.fixtures.token_suite", "tests.fixtures.demo"]


def pytest_collection_modifyitems(items):
    """Tests that move the session chain's clock forward run after every other test: a block's timestamp
    can never go back, so a later test would otherwise compare chain times a day ahead with the wall
    clock (the portfolio's value chart, expiry windows). The sort is stable: the order is kept otherwise."""
    items.sort(key=lambda item: item.get_closest_marker("moves_chain_clock") is not None)
KEEP = ("chainDeployments",)  # the platform's contracts live on the session's chain; keep their record


@pytest.fixture(scope="session")
def services(tmp_path_factory) -> dict[str, str]:
    """Start Redis, FerretDB, Kafka and anvil for this session and point the settings at them."""
    base = tmp_path_factory.mktemp("stack")
    try:
        stack = Stack(base, Ports.free(), kafka_heap="384m")
        stack.start()
    except (StackError, tools.MissingTool) as error:
        pytest.exit(f"test stack did not start: {error}", returncode=3)
    env = {
        **stack.env(), "LIBERTUM_ENV": "test", "MONGO_DB": "libertum_test", "LOG_LEVEL": "WARNING",
        "LOCK_ORDER_CHECKS": "true",  # a named lock taken out of order fails loudly (app/locks.py)
        "SECRET_KEY": secrets.token_urlsafe(48), "DEPLOYER_PRIVATE_KEY": "0x" + secrets.token_hex(32),
        "CLAIM_SIGNER_PRIVATE_KEY": "0x" + secrets.token_hex(32), "CHAIN_POLL_SECONDS": "0.2",
        "DATA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "WALLET_DATA_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "SMTP_SERVER": f"127.0.0.1:{free_port()}", "SANDBOX_HTTP_PORT": str(free_port()),
        "KYC_APP_TOKEN": "sbx:" + secrets.token_hex(8), "KYC_SECRET_KEY": secrets.token_urlsafe(32),
        "KYC_WEBHOOK_SECRET": secrets.token_urlsafe(32), "KYC_API_URL": f"http://127.0.0.1:{free_port()}/kyc",
        "ESIGN_ACCESS_TOKEN": secrets.token_urlsafe(24), "ESIGN_HMAC_KEYS": secrets.token_urlsafe(32),
    }
    env["SMS_API_URL"] = f"http://127.0.0.1:{env['SANDBOX_HTTP_PORT']}/sms"
    env["ESIGN_API_URL"] = f"http://127.0.0.1:{env['SANDBOX_HTTP_PORT']}/esign"
    os.environ.update(env)
    devchain.fund(env["ETH_RPC_URL"], env["DEPLOYER_PRIVATE_KEY"])
    app = create_app()
    with app.app_context():
        init_db(get_db())
    create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
    yield env
    producer.reset()  # close this process's Kafka producer before its broker goes away (no reconnect noise)
    stack.stop()


@pytest.fixture
def app(services):
    """A fresh app whose MongoDB collections and Redis database start empty."""
    app = create_app()
    with app.app_context():
        db = get_db()
        for name in db.list_collection_names():
            if name not in KEEP:
                db[name].delete_many({})
        redis_client.get().flushdb()
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return get_db()


@pytest.fixture(scope="session")
def platform(services):
    """The platform's contracts, bootstrapped once for the session's chain."""
    app = create_app()
    with app.app_context():
        record, _ = ensure_platform(app.config)
    return record


@pytest.fixture(scope="session")
def kyc_sandbox(services, tmp_path_factory) -> str:
    """The KYC sandbox (sandbox/kyc.py) under gunicorn at KYC_API_URL; returns that base URL."""
    base = services["KYC_API_URL"]
    port = base.split(":")[2].split("/")[0]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = start_process([gunicorn, "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                             "sandbox.kyc:create_app()"], services, "kyc-sandbox", tmp_path_factory.mktemp("kyc"))
    try:
        wait_for_http(base + "/")
        yield base
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def mail_sandbox(services, tmp_path_factory) -> str:
    """The mail and SMS sinks (sandbox/mail.py) at SMTP_SERVER and SMS_API_URL; returns the pages' base URL."""
    smtp_port, http_port = services["SMTP_SERVER"].rsplit(":", 1)[1], services["SANDBOX_HTTP_PORT"]
    process = start_process([sys.executable, "-m", "sandbox.mail", "--smtp-port", smtp_port, "--http-port", http_port],
                            services, "mail-sandbox", tmp_path_factory.mktemp("mail"))
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_for_http(base + "/mail/messages.json")
        yield base
    finally:
        stop_process(process)


@pytest.fixture
def platform_http(app):
    """This test's app served over real HTTP, so a sandbox can deliver webhooks to it."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def chain_workers(app, platform, services, tmp_path):
    """`flask chain monitor` and `flask chain sync` as the Procfile runs them, following from the head."""
    follow_chain_from_head(app.config)
    processes = {name: start_process(flask_argv("chain", name), services, f"chain-{name}", tmp_path)
                 for name in ("monitor", "sync")}
    yield processes
    for process in processes.values():
        stop_process(process)
