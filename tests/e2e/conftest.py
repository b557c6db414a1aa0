"""End-to-end: gunicorn serving the real app on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.fixtures.processes import start_process, stop_process, wait_for_http


@pytest.fixture(scope="session")
def live_server(services, tmp_path_factory) -> str:
    """The platform's web process under gunicorn, as `make run` starts it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = start_process([gunicorn, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            {**services, "PUBLIC_URL": f"http://127.0.0.1:{port}"}, "gunicorn",
                            tmp_path_factory.mktemp("web"))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/healthz")
        yield url
    finally:
        stop_process(process)


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
