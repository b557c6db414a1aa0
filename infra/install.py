"""Install whatever the stack lacks; fast when everything is already there (standard library only).

Each step checks first and prints one line. A failed step stops with a message naming the
component, the command that failed and what to do, and exit code 1.

    python3 -m infra.install            # everything `make run` and `make test` need
    python3 -m infra.install --venv     # print the virtualenv path (for the Makefile)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from infra import tools
from infra.tools import ROOT

# binary -> Debian package; wrk drives the benchmarks (bench/harness.py); nginx is the gateway (infra/gateway.py)
APT_PACKAGES = {"redis-server": "redis-server", "chromium": "chromium", "java": "openjdk-17-jre-headless",
                "mvn": "maven", "wrk": "wrk", "nginx": "nginx"}
SBIN = f"{os.pathsep}/usr/sbin{os.pathsep}/sbin"  # nginx's home, often missing from a user's PATH


class InstallError(RuntimeError):
    pass


def _run(component: str, argv: list[str], cwd: Path = ROOT, env: dict | None = None, hint: str = "") -> None:
    started = time.monotonic()
    result = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise InstallError(f"{component}: `{' '.join(argv)}` failed (exit {result.returncode}).\n"
                           + "\n".join(output) + (f"\nWhat to do: {hint}" if hint else ""))
    print(f"  {component}: done in {time.monotonic() - started:.1f} s", flush=True)


def apt_packages() -> None:
    path = os.environ.get("PATH", "") + SBIN
    missing = [pkg for binary, pkg in APT_PACKAGES.items() if not shutil.which(binary, path=path)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise InstallError(f"system packages missing: {' '.join(missing)}. Install them: "
                           f"sudo apt-get install -y {' '.join(missing)}")
    print(f"installing Debian packages: {' '.join(missing)}", flush=True)
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    _run("apt", ["apt-get", "update", "-qq"], env=env, hint="check the machine reaches Debian's mirrors")
    _run("apt", ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def virtualenv() -> None:
    venv = tools.venv_dir()
    if (venv / ".complete").exists():
        return
    print(f"creating the Python virtualenv {venv}", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    _run("python venv", [sys.executable, "-m", "venv", str(venv)])
    _run("python packages", [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                             "-r", "requirements-dev.txt"], hint="check that PyPI is reachable and the pins exist")
    (venv / ".complete").touch()


def npm_packages() -> None:
    lock = (ROOT / "package-lock.json").read_bytes()
    stamp = ROOT / "node_modules" / ".libertum-lock-sha"
    digest = hashlib.sha256(lock).hexdigest()
    forge = ROOT / "node_modules" / "@foundry-rs" / "forge-linux-amd64" / "bin" / "forge"
    if stamp.exists() and stamp.read_text() == digest and tools.anvil_path().exists() and forge.exists():
        return
    print("installing npm packages (anvil, forge, solc, T-REX, ONCHAINID, htmx)", flush=True)
    # Optional dependencies carry anvil's and forge's binaries: never omit them.
    _run("npm", [tools.require("npm"), "ci", "--no-audit", "--no-fund", "--include=optional"],
         hint="check that the npm registry is reachable")
    stamp.write_text(digest)


def ferretdb() -> None:
    target = tools.ferretdb_path()
    if target.exists():
        return
    print("building FerretDB v1.24.2 from the Go module proxy (first time: about 1-2 minutes)", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _run("ferretdb", [tools.require("go"), "build", "-trimpath", "-o", str(target), "."],
         cwd=ROOT / "infra" / "ferretdb",
         hint="check that the Go module proxy is reachable and go >= 1.24 is installed")


def kafka() -> None:
    target = tools.kafka_classpath_file()
    if target.exists() and all(Path(jar).exists() for jar in target.read_text().strip().split(":")):
        return
    print("resolving Apache Kafka jars from Maven Central", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _run("kafka", [tools.require("mvn"), "-q", "-B", "dependency:build-classpath",
                   f"-Dmdep.outputFile={target}"], cwd=ROOT / "infra" / "kafka",
         hint="check that Maven Central is reachable")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--venv"]:
        print(tools.venv_dir())
        return 0
    started = time.monotonic()
    try:
        for step in (apt_packages, virtualenv, npm_packages, ferretdb, kafka):
            step()
    except (InstallError, tools.MissingTool) as error:
        print(f"\ninstall failed: {error}", file=sys.stderr)
        return 1
    venv_link = ROOT / ".venv"
    if not venv_link.exists() or venv_link.resolve() != tools.venv_dir():
        venv_link.unlink(missing_ok=True)
        venv_link.symlink_to(tools.venv_dir())
    print(f"stack installed ({time.monotonic() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
