"""Where the stack's installed parts live (standard library only: used before the virtualenv exists).

Installed parts are cached per machine under ~/.cache/libertum (LIBERTUM_CACHE), keyed by
a hash of the files that pin them, so a fresh clone with the same pins starts in seconds
and a changed pin installs anew.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class MissingTool(RuntimeError):
    """A part of the stack is not installed; the message says how to get it."""


def cache_dir() -> Path:
    return Path(os.environ.get("LIBERTUM_CACHE", Path.home() / ".cache" / "libertum"))


def pin_hash(*files: str) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def venv_dir() -> Path:
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    return cache_dir() / f"venv-{python}-{pin_hash('requirements.txt', 'requirements-dev.txt')}"


FERRETDB_PINS = ("infra/ferretdb/go.mod", "infra/ferretdb/go.sum", "infra/ferretdb/main.go")
KAFKA_PINS = ("infra/kafka/pom.xml",)


def ferretdb_path() -> Path:
    return cache_dir() / "bin" / f"ferretdb-{pin_hash(*FERRETDB_PINS)}"


def kafka_classpath_file() -> Path:
    return cache_dir() / f"kafka-{pin_hash(*KAFKA_PINS)}.classpath"


def anvil_path() -> Path:
    """The native anvil binary npm placed (the .bin entry is a node wrapper: one more process per chain)."""
    native = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
    return native if native.exists() else ROOT / "node_modules" / ".bin" / "anvil"


def _installed(path: Path, what: str) -> str:
    if not path.exists():
        raise MissingTool(f"{what} is not installed ({path} is missing). Run `make install`.")
    return str(path)


def ferretdb_binary() -> str:
    return _installed(ferretdb_path(), "FerretDB")


def anvil_binary() -> str:
    return _installed(anvil_path(), "anvil (npm @foundry-rs/anvil)")


def kafka_classpath() -> str:
    return Path(_installed(kafka_classpath_file(), "the Kafka broker classpath")).read_text().strip()


def require(binary: str) -> str:
    """Absolute path of a command from the machine, or a message naming the package that provides it."""
    found = shutil.which(binary)
    if not found:
        package = {"redis-server": "redis-server", "chromium": "chromium", "java": "openjdk-17-jre-headless",
                   "go": "golang (Go toolchain)", "mvn": "maven", "npm": "npm"}.get(binary, binary)
        raise MissingTool(f"`{binary}` is not on PATH. Install {package} (`make install` does it with apt-get).")
    return found
