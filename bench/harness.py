"""Shared pieces of the benchmarks: a throw-away stack, gunicorn servers with the web process's settings, wrk."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from infra import devchain
from infra.run import local_secrets
from infra.stack import Ports, Stack

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def stack_env() -> Iterator[dict[str, str]]:
    """Start the real servers on free ports and point this process's settings at them."""
    base = Path(tempfile.mkdtemp(prefix="libertum-bench-"))
    stack = Stack(base, Ports.free(), kafka_heap="384m")
    stack.start()
    # The same generated secrets `make run` uses, so a setting added there is never missing here.
    env = {**stack.env(), **local_secrets(base / "secrets.env"), "LIBERTUM_ENV": "test",
           "MONGO_DB": "libertum_bench", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    devchain.fund(env["ETH_RPC_URL"], env["DEPLOYER_PRIVATE_KEY"])
    try:
        yield env
    finally:
        stack.stop()
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_path: str, env: dict[str, str]) -> Iterator[str]:
    """`app_path` served exactly as the Procfile serves the platform (gunicorn.conf.py), access log off."""
    port = _free_port()
    binary = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen([binary, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                                "--access-logfile", "/dev/null", app_path], cwd=ROOT,
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, connections: int = 32, seconds: int = 8, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Requests per second and p99 latency (ms) of `url` under `connections` concurrent connections."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": p99, "non_2xx": int(errors.group(1)) if errors else 0}


def wrk_best(url: str, runs: int = 5, connections: int = 32, seconds: int = 3,
             headers: dict[str, str] | None = None) -> dict[str, float]:
    """The best of `runs` wrk runs. Why: gunicorn's threaded workers each accept keep-alive connections
    greedily, so one run may pin most of the 32 connections on one worker (one core); the best run is the
    server's capacity, and both sides of a ratio are measured the same way."""
    return max((wrk(url, connections, seconds, headers) for _ in range(runs)), key=lambda result: result["rps"])
