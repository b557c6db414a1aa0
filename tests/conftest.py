"""Test harness: the real servers, started once per session on free ports with throw-away data.

Unit tests request none of these fixtures and need no server. Integration and end-to-end
tests get the stack through `services` (directly or via `app`), which never touches the
data of `make run` under var/.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from rq import Queue, SimpleWorker
from werkzeug.serving import make_server

from app import create_app
from app.chain.agent import unpause as unpause_token
from app.chain.node import web3_client
from app.chain.suite import deploy_token_suite
from app.data import chain_checkpoints, init_db
from app.data.mongo import get_db
from app.domain.platform.chain import ensure_platform
from app.events.producer import producer
from app.events.topics import create_topics
from app.extensions import redis_client
from infra import devchain, tools
from infra.stack import Ports, Stack, StackError, start_detached_but_tied

ROOT = Path(__file__).resolve().parent.parent
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


def run_jobs(*queues: str) -> int:
    """Run the jobs waiting on `queues` in this process (what the worker would do); how many there were."""
    connection = redis_client.get()
    bound = [Queue(name, connection=connection) for name in queues]
    count = sum(q.count for q in bound)
    SimpleWorker(bound, connection=connection).work(burst=True)
    return count


def agent_suite(wallet, platform: dict, *, prefix: str, name: str, symbol: str, countries: list[int],
                unpause: bool = True, decimals: int = 0) -> dict:
    """A fresh token suite on the session's chain whose owner and agent is `wallet` (the hot wallet): `decimals`
    (0 unless asked), no balance or supply cap, investors from `countries` (ISO numeric); unpaused unless asked."""
    suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"{prefix}-{secrets.token_hex(6)}", name=name,
                               symbol=symbol, decimals=decimals, owner=wallet.account.address,
                               agents=[wallet.account.address], authorized_countries=countries, max_balance=0,
                               supply_cap=0)
    if unpause:
        unpause_token(wallet.w3, wallet.account, suite["token"])
    return suite


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(argv: list[str], env: dict[str, str], log_name: str, tmp: Path) -> subprocess.Popen:
    """A platform process (gunicorn, chain monitor, chain sync) as a child with its output in a log file."""
    log = (tmp / f"{log_name}.log").open("ab")
    return subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=log, stderr=subprocess.STDOUT, preexec_fn=start_detached_but_tied)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flask_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def wait_for_http(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def wait_for(predicate, timeout: float = 40, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned); fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def follow_chain_from_head(config: dict) -> int:
    """Checkpoint the chain monitor at the current head, so it publishes only what happens next.

    Why: each test empties the collections, and a monitor without a checkpoint replays the
    session's whole chain from block 0, which grows with every test that sends transactions.
    """
    w3 = web3_client.get(config)
    head = w3.eth.get_block("latest")
    chain_checkpoints.save(get_db(config), f"chain-monitor:{w3.eth.chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    return head["number"]


@pytest.fixture
def chain_workers(app, platform, services, tmp_path):
    """`flask chain monitor` and `flask chain sync` as the Procfile runs them, following from the head."""
    follow_chain_from_head(app.config)
    processes = {name: start_process(flask_argv("chain", name), services, f"chain-{name}", tmp_path)
                 for name in ("monitor", "sync")}
    yield processes
    for process in processes.values():
        stop_process(process)
