"""End-to-end: gunicorn serving the real app on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import start_process, stop_process, wait_for_http


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
