"""End-to-end: the gateway (nginx) and two gunicorn instances serving the real app on free ports, and
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import time

import pytest
import requests
from playwright.sync_api import Page

from infra.gateway import GatewayConfig, topology
from tests.fixtures.processes import flask_argv, follow_chain_from_head, free_port, start_process, stop_process


@pytest.fixture(scope="session")
def live_server(services, tmp_path_factory) -> str:
    """The platform as `make run` serves it: nginx (the gateway) in front of two gunicorn instances."""
    config = GatewayConfig(base=tmp_path_factory.mktemp("gateway"), port=free_port(),
                           instance_ports=[free_port(), free_port()], rate=1000, burst=2000,
                           # These tests change offerings and look at once as visitors; the page cache's second
                           # of sharing (tests/integration/gateway/test_page_cache.py) would make them race it.
                           page_cache_seconds=0)
    with topology(services, config) as running:
        yield running.url


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright cannot download its own browser here: use Debian's chromium."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable}


def fill(page: Page, values: dict[str, str]) -> None:
    """Type each value into the field with exactly that label (or choose it, for a select)."""
    for label, value in values.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def open_latest_mail(page: Page, mail_sandbox: str, to: str, subject: str) -> None:
    """Open the newest mail to `to` with `subject` in the mail sink, waiting for the worker to deliver it."""
    page.goto(f"{mail_sandbox}/mail/?to={to}")
    for _ in range(50):
        if page.get_by_role("link", name=subject).count():
            break
        time.sleep(0.2)
        page.reload()
    page.get_by_role("link", name=subject).first.click()


@pytest.fixture
def platform_processes(app, services, platform, kyc_sandbox, mail_sandbox, live_server, tmp_path):
    """The worker on every queue, the chain monitor and chain-sync, as the Procfile runs them; sandboxes deliver
    their webhooks to the live server."""
    requests.post(f"{kyc_sandbox}/settings", data={"webhookUrl": f"{live_server}/webhooks/kyc/sumsub"},
                  timeout=5).raise_for_status()
    requests.post(f"{app.config['ESIGN_API_URL']}/settings",
                  data={"webhookUrl": f"{live_server}/webhooks/esign/docusign"}, timeout=5).raise_for_status()
    follow_chain_from_head(app.config)
    processes = [start_process(flask_argv(*argv), services, name, tmp_path) for name, argv in (
        ("worker", ("worker", "kyc", "esign", "chain", "mail", "default")),
        ("monitor", ("chain", "monitor")), ("sync", ("chain", "sync")))]
    yield
    for process in processes:
        stop_process(process)
