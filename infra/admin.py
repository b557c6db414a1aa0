"""`make admin`: create an admin account on the platform `make run` is running, with its settings.

`flask --app wsgi users create-admin` alone does not run from a shell: the stack's addresses and
the local secrets (`var/secrets.env`) live in `make run`'s environment only. This builds the same
environment (infra/run.py's `platform_env`) and runs the command; it prompts for each answer.
"""

from __future__ import annotations

import socket
import subprocess
import sys

from infra.run import VAR, platform_env, ports_from_env, web_port_from_env
from infra.stack import Stack
from infra.tools import ROOT


def stack_is_up(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def main(argv: list[str]) -> int:
    ports = ports_from_env()
    if not stack_is_up(ports.mongo):
        print(f"make admin: nothing answers on the database port {ports.mongo}. Start the platform first "
              "(`make run` in another terminal), then run `make admin` again.", file=sys.stderr)
        return 1
    env = platform_env(Stack(VAR, ports), web_port_from_env())
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create-admin", *argv]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
