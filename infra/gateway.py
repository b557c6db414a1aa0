"""The gateway: nginx in front of N gunicorn instances of the web app (`make run`, the e2e tests, the bench).

nginx's configuration is rendered from infra/gateway/nginx.conf.j2 with the ports and limits
below; nginx runs in the foreground (supervised like every other process) with its pid, temp
files and logs under the gateway's base directory, never /var or /etc.

Settings (environment of `make run`; the tests pass them as arguments):
  LIBERTUM_WEB_PORT            published port of the gateway (8000)
  WEB_INSTANCES                gunicorn instances behind it (2)
  LIBERTUM_WEB_INSTANCE_PORT   internal port of the first instance; the others follow (8101, 8102, ...)
  GATEWAY_RATE                 requests per second per client address before 429 (20), burst GATEWAY_BURST (60)
  GATEWAY_CONNECTIONS          open connections per client address (64)
  GATEWAY_PAGE_CACHE_SECONDS   how long nginx shares a page the app marked shareable between anonymous
                               visitors (1; 0 turns the page cache off)
  MAX_CONTENT_LENGTH           largest request body, the app's own limit (10 MiB)

    python -m infra.gateway [--base var/gateway]   # render the config and exec nginx (the Procfile's `gateway`)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from infra import tools
from infra.stack import start_detached_but_tied
from infra.tools import ROOT

TEMPLATE = ROOT / "infra" / "gateway" / "nginx.conf.j2"
DEFAULT_BODY_LIMIT = 10 * 1024 * 1024  # app/config.py's MAX_CONTENT_LENGTH default


@dataclass
class GatewayConfig:
    base: Path
    port: int
    instance_ports: list[int]
    host: str = "127.0.0.1"
    body_limit: int = DEFAULT_BODY_LIMIT
    rate: int = 20
    burst: int = 60
    connections: int = 64
    client_timeout: int = 10
    read_timeout: int = 60
    fail_timeout: int = 5
    worker_processes: int = 1
    upstream_keepalive: int = 32  # idle connections kept to the instances; 0: one connection per request
    page_cache_seconds: int = 1  # 0: no page cache (every request reaches an instance)
    error_log: str = ""
    access_log: str = ""
    static_dir: Path = field(default=ROOT / "app" / "static")

    @property
    def conf_path(self) -> Path:
        return self.base / "nginx.conf"

    @property
    def cache_dir(self) -> Path:
        """Where nginx keeps shared pages. Started by root, nginx's workers run as `nobody`, who cannot reach a
        private folder (a test's temp dir): then a folder of its own in the system temp dir, owned by nobody."""
        if os.geteuid() == 0:
            return Path(tempfile.gettempdir()) / f"libertum-gateway-cache-{self.port}"
        return self.base / "cache"


def nginx_binary() -> str:
    """nginx lives in /usr/sbin, which an unprivileged user's PATH often lacks."""
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin{os.pathsep}/sbin")
    if not found:
        raise tools.MissingTool("`nginx` is not installed. Install the Debian package nginx "
                                "(`make install` does it with apt-get).")
    return found


def render(config: GatewayConfig) -> str:
    template = jinja2.Template(TEMPLATE.read_text(), undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return template.render(
        base=config.base, port=config.port, host=config.host, instance_ports=config.instance_ports,
        body_limit=config.body_limit, rate=config.rate, burst=config.burst, connections=config.connections,
        client_timeout=config.client_timeout, read_timeout=config.read_timeout, fail_timeout=config.fail_timeout,
        worker_processes=config.worker_processes, static_dir=config.static_dir,
        upstream_keepalive=config.upstream_keepalive, page_cache_seconds=config.page_cache_seconds,
        cache_dir=config.cache_dir,
        error_log=config.error_log or "stderr", access_log=config.access_log or "/dev/stdout",
        run_as_root=os.geteuid() == 0)


def write_config(config: GatewayConfig) -> Path:
    """Render the configuration, create nginx's temp folders, and let nginx itself check the result."""
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "logs"):
        (config.base / sub).mkdir(parents=True, exist_ok=True)
    if config.page_cache_seconds:
        _make_cache_dir(config.cache_dir)
    config.conf_path.write_text(render(config))
    result = subprocess.run([nginx_binary(), "-t", "-q", "-p", str(config.base), "-e", "stderr",
                             "-c", str(config.conf_path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the gateway's nginx configuration {config.conf_path} is invalid:\n{result.stderr}")
    return config.conf_path


def _make_cache_dir(path: Path) -> None:
    """A fresh, empty page cache (a page from an earlier run must never be served), writable by nginx's workers."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700, parents=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(path, nobody.pw_uid, nobody.pw_gid)


def nginx_argv(config: GatewayConfig) -> list[str]:
    return [nginx_binary(), "-p", str(config.base), "-e", "stderr", "-c", str(config.conf_path)]


def instance_ports(first: int, count: int) -> list[int]:
    return [first + index for index in range(count)]


def config_from_env(environ: dict[str, str], base: Path) -> GatewayConfig:
    count = int(environ.get("WEB_INSTANCES", "2"))
    if count < 1:
        raise ValueError(f"WEB_INSTANCES must be >= 1, got {count}")
    return GatewayConfig(
        base=base, port=int(environ.get("LIBERTUM_WEB_PORT", "8000")),
        instance_ports=instance_ports(int(environ.get("LIBERTUM_WEB_INSTANCE_PORT", "8101")), count),
        body_limit=int(environ.get("MAX_CONTENT_LENGTH", DEFAULT_BODY_LIMIT)),
        rate=int(environ.get("GATEWAY_RATE", "20")), burst=int(environ.get("GATEWAY_BURST", "60")),
        connections=int(environ.get("GATEWAY_CONNECTIONS", "64")),
        page_cache_seconds=int(environ.get("GATEWAY_PAGE_CACHE_SECONDS", "1")))


def instance_env(config: GatewayConfig) -> dict[str, str]:
    """What each web instance behind this gateway needs: trust the one proxy hop, know its siblings."""
    return {"PROXY_HOPS": "1", "WEB_INSTANCE_URLS": ",".join(f"http://127.0.0.1:{p}" for p in config.instance_ports)}


# --- a whole topology as child processes (tests, bench) ------------------------------------------------


@dataclass
class Topology:
    """nginx and its gunicorn instances, each a child process (kill one to test failover)."""

    config: GatewayConfig
    instances: dict[int, subprocess.Popen]
    nginx: subprocess.Popen
    logs: Path

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    def instance_url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"


def gunicorn_argv(port: int, access_log: bool = True) -> list[str]:
    binary = str(Path(sys.executable).parent / "gunicorn")
    return [binary, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
            *([] if access_log else ["--access-logfile", "/dev/null"]), "wsgi:app"]


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, preexec_fn=start_detached_but_tied)


def wait_answering(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def topology(env: dict[str, str], config: GatewayConfig, instance_access_log: bool = True) -> Iterator[Topology]:
    """Start `config.instance_ports` gunicorn instances and nginx in front; stop them all afterwards.

    The instances share one fresh PROMETHEUS_MULTIPROC_DIR under the base folder, as under `make run`.
    nginx always writes its access log (logs/nginx-access.log); the instances' own is optional (the bench).
    """
    logs = config.base / "logs"
    metrics_dir = config.base / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    config.error_log = config.error_log or str(logs / "nginx-error.log")
    config.access_log = config.access_log or str(logs / "nginx-access.log")
    write_config(config)
    shared = {**env, **instance_env(config), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
              "PUBLIC_URL": f"http://{config.host}:{config.port}"}
    instances = {port: _start(gunicorn_argv(port, instance_access_log), shared, logs / f"web-{port}.log")
                 for port in config.instance_ports}
    nginx = _start(nginx_argv(config), {}, logs / "nginx.log")
    running = Topology(config, instances, nginx, logs)
    try:
        for port in config.instance_ports:
            wait_answering(f"http://127.0.0.1:{port}/healthz")
        wait_answering(f"{running.url}/healthz")
        yield running
    finally:
        for process in [nginx, *instances.values()]:
            stop(process)
        shutil.rmtree(config.cache_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=ROOT / "var" / "gateway")
    args = parser.parse_args(argv)
    config = config_from_env(dict(os.environ), args.base.resolve())
    try:
        write_config(config)
    except (RuntimeError, tools.MissingTool) as error:
        print(f"gateway: {error}", file=sys.stderr, flush=True)
        return 1
    argv = nginx_argv(config)
    os.execv(argv[0], argv)  # noqa: S606 (our own argv: nginx takes over this supervised process)
    return 0  # not reached: nginx replaced this process


if __name__ == "__main__":
    sys.exit(main())
