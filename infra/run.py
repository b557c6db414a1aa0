"""`make run`: the whole platform on loopback with its data under var/.

Starts the servers, prepares the database, topics and contracts (idempotent), then runs the
Procfile's processes under infra/supervise.py (its `web` line as WEB_INSTANCES gunicorn instances
behind the `gateway`, nginx on LIBERTUM_WEB_PORT: infra/gateway.py), which restarts a process that dies (with
backoff) instead of stopping the others. Ctrl-C or SIGTERM stops the processes, then the servers.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra import demo, devchain, gateway, tools
from infra.stack import Ports, Stack, StackError
from infra.supervise import read_procfile
from infra.tools import ROOT

VAR = ROOT / "var"


def local_secrets(path: Path) -> dict[str, str]:
    """Random local secrets, generated on the first run and kept (0600) so sessions and the chain survive restarts."""
    generators = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "DEPLOYER_PRIVATE_KEY": lambda: f"0x{secrets.token_hex(32)}",
        "CLAIM_SIGNER_PRIVATE_KEY": lambda: f"0x{secrets.token_hex(32)}",
        "DATA_ENCRYPTION_KEY": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "WALLET_DATA_KEY": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "KYC_APP_TOKEN": lambda: f"sbx:{secrets.token_hex(8)}",
        "KYC_SECRET_KEY": lambda: secrets.token_urlsafe(32),
        "KYC_WEBHOOK_SECRET": lambda: secrets.token_urlsafe(32),
        "ESIGN_ACCESS_TOKEN": lambda: secrets.token_urlsafe(24),
        "ESIGN_HMAC_KEYS": lambda: secrets.token_urlsafe(32),
        "DEMO_PASSWORD": lambda: f"demo-{secrets.token_urlsafe(9)}",  # the demo accounts' (infra/demo.py)
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    pairs = (line.split("=", 1) for line in (path.read_text() if path.exists() else "").splitlines() if "=" in line)
    found = {key.strip(): value.strip() for key, value in pairs}
    missing = {name: make() for name, make in generators.items() if name not in found}
    if missing:  # a secret added by a newer version is generated once, the existing ones are kept
        with path.open("a") as handle:
            handle.write("".join(f"{name}={value}\n" for name, value in missing.items()))
        path.chmod(0o600)
    return {**found, **missing}


def ports_from_env() -> Ports:
    defaults = Ports()
    return Ports(**{name: int(os.environ.get(f"LIBERTUM_{name.upper()}_PORT", getattr(defaults, name)))
                    for name in ("redis", "mongo", "kafka", "kafka_controller", "anvil")})


def sandbox_env(environ: dict[str, str]) -> dict[str, str]:
    """The sandbox's ports and every setting that talks to them, derived together so a second stack moves all of it.

    `LIBERTUM_SANDBOX_SMTP_PORT` / `LIBERTUM_SANDBOX_HTTP_PORT` (or the older `SANDBOX_SMTP_PORT` /
    `SANDBOX_HTTP_PORT`) move the sandbox and the app's mail, SMS, KYC and e-signature calls with it;
    a provider URL set explicitly (a real provider) is kept.
    """
    smtp = environ.get("LIBERTUM_SANDBOX_SMTP_PORT") or environ.get("SANDBOX_SMTP_PORT") or "1025"
    http = environ.get("LIBERTUM_SANDBOX_HTTP_PORT") or environ.get("SANDBOX_HTTP_PORT") or "8025"
    derived = {"SMTP_SERVER": f"127.0.0.1:{smtp}", "SMS_API_URL": f"http://127.0.0.1:{http}/sms",
               "KYC_API_URL": f"http://127.0.0.1:{http}/kyc", "ESIGN_API_URL": f"http://127.0.0.1:{http}/esign"}
    return {"SANDBOX_SMTP_PORT": smtp, "SANDBOX_HTTP_PORT": http,
            **{name: environ.get(name) or value for name, value in derived.items()}}


def flask(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise StackError(f"`flask {' '.join(args)}` failed (exit {result.returncode}); see the lines above.")


def web_port_from_env() -> int:
    return int(os.environ.get("LIBERTUM_WEB_PORT", "8000"))


def platform_env(stack: Stack, web_port: int) -> dict[str, str]:
    """The settings every process of `make run` gets (and `make admin`'s command): the stack's addresses,
    the local secrets, the sandbox's ports, the public URL."""
    return {**os.environ, "LIBERTUM_ENV": os.environ.get("LIBERTUM_ENV", "development"), **stack.env(),
            **local_secrets(VAR / "secrets.env"), **sandbox_env(dict(os.environ)), "WEB_PORT": str(web_port),
            "PYTHONUNBUFFERED": "1",
            "PUBLIC_URL": os.environ.get("PUBLIC_URL", f"http://127.0.0.1:{web_port}"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def expand_web(procfile: dict[str, str], ports: list[int]) -> dict[str, str]:
    """The Procfile's `web` line as one process per instance port (`web-1`, `web-2`, ...), in its place."""
    expanded: dict[str, str] = {}
    for name, command in procfile.items():
        if name == "web":
            expanded.update({f"web-{n}": f"WEB_PORT={port} {command}" for n, port in enumerate(ports, 1)})
        else:
            expanded[name] = command
    return expanded


def web_topology(env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """The Procfile with its one `web` line as WEB_INSTANCES gunicorn instances on internal ports behind the
    `gateway` (nginx on LIBERTUM_WEB_PORT), written under var/run; and the settings the instances share:
    one trusted proxy hop, their siblings for /readyz, one fresh metrics folder for all of them."""
    config = gateway.config_from_env(env, VAR / "gateway")
    procfile = expand_web(read_procfile(ROOT / "Procfile"), config.instance_ports)
    metrics = VAR / "metrics"
    shutil.rmtree(metrics, ignore_errors=True)  # counters of a previous run are not this run's
    metrics.mkdir(parents=True)
    path = VAR / "run" / "Procfile"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{name}: {command}\n" for name, command in procfile.items()))
    return path, {**gateway.instance_env(config), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}


def wait_until_ready(url: str, supervisor: subprocess.Popen, timeout: float = 60) -> bool:
    """True once the web process reports every dependency up; False if the supervisor stopped first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    if supervisor.poll() is None:
        print(f"make run: {url} did not report ready within {timeout:.0f} s; see the process logs above.",
              file=sys.stderr, flush=True)
    return False


def main() -> int:
    started = time.monotonic()
    web_port = web_port_from_env()
    try:
        stack = Stack(VAR, ports_from_env())
        print("starting redis, ferretdb, kafka and anvil ...", flush=True)
        stack.start()
    except (StackError, tools.MissingTool) as error:
        print(f"\nmake run: {error}", file=sys.stderr)
        return 1
    env = platform_env(stack, web_port)
    supervisor = None
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True
        if supervisor and supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        devchain.fund(env["ETH_RPC_URL"], env["DEPLOYER_PRIVATE_KEY"])
        for command in (("db", "init"), ("kafka", "init"), ("chain", "bootstrap")):
            flask(env, *command)
        if not stopping:
            procfile, web_env = web_topology(env)
            supervisor = subprocess.Popen([sys.executable, "-m", "infra.supervise", "--procfile", str(procfile),
                                           "--cwd", str(ROOT)], cwd=ROOT, env={**env, **web_env})
            if wait_until_ready(f"http://127.0.0.1:{web_port}/readyz", supervisor):
                print(f"\nLibertum is up in {time.monotonic() - started:.1f} s: http://127.0.0.1:{web_port}/  "
                      f"(readiness: /readyz; a process that dies is restarted; Ctrl-C stops everything)\n",
                      flush=True)
                demo.start(env, web_port)
            supervisor.wait()
        return 0 if stopping else (supervisor.returncode if supervisor else 1)
    except StackError as error:
        print(f"\nmake run: {error}", file=sys.stderr)
        return 1
    finally:
        print("stopping the servers ...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
