"""`make run`'s process supervisor: the Procfile's processes, each restarted with backoff when it dies.

Why not honcho: honcho stops every process when one exits, so one crashing consumer took the
web process, the workers and the monitor down with it (and `make run` again met the same
crash). Here a process that exits is started again after a delay that doubles from
`first_delay` up to `max_delay`, and starts over once it stayed up `steady_after` seconds;
each restart prints one line naming the process, its exit code, the restart count and the
delay. The stack stops only on SIGTERM or SIGINT (Ctrl-C): every process gets SIGTERM, then
what is left of its process group gets SIGKILL after `grace` seconds.

The Procfile stays the single list of processes (`name: command`, run by /bin/sh); output
lines are prefixed with the time and the process name, as honcho did.

    python -m infra.supervise [--procfile Procfile] [--first-delay 1] [--max-delay 30]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from infra.stack import start_detached_but_tied

_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


def read_procfile(path: Path) -> dict[str, str]:
    """{name: command} in file order; blank lines and comments skipped, a malformed line refused."""
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line.strip())
        if not match or match.group(1) in entries:
            raise ValueError(f"{path}:{number}: expected a new `name: command`, got {line!r}")
        entries[match.group(1)] = match.group(2)
    return entries


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"code {code}"


@dataclass
class Backoff:
    first: float = 1.0
    cap: float = 30.0
    steady_after: float = 60.0
    failures: int = 0

    def delay(self, ran_for: float) -> float:
        """The wait before the next start, given how long the process ran this time."""
        self.failures = 1 if ran_for >= self.steady_after else self.failures + 1
        return min(self.cap, self.first * 2 ** (self.failures - 1))


@dataclass
class Child:
    name: str
    command: str
    backoff: Backoff
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    next_start: float | None = 0.0  # monotonic time of the next start; None while running
    readers: list[threading.Thread] = field(default_factory=list)


class Supervisor:
    def __init__(self, procfile: dict[str, str], env: dict[str, str] | None = None, cwd: Path | None = None,
                 out: TextIO = sys.stdout, first_delay: float = 1.0, max_delay: float = 30.0,
                 steady_after: float = 60.0, grace: float = 15.0):
        self.children = [Child(name, command, Backoff(first_delay, max_delay, steady_after))
                         for name, command in procfile.items()]
        self.env, self.cwd, self.out, self.grace = env, cwd, out, grace
        self.width = max([len("supervisor"), *(len(c.name) for c in self.children)])
        self._write = threading.Lock()

    def say(self, name: str, text: str) -> None:
        with self._write:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} | {text}\n")
            self.out.flush()

    def _start(self, child: Child) -> None:
        # Its own session (Ctrl-C reaches only us; its group is cleaned up after it), SIGTERM if we die.
        child.process = subprocess.Popen(["/bin/sh", "-c", child.command], cwd=self.cwd, env=self.env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         preexec_fn=start_detached_but_tied)
        child.started_at, child.next_start = time.monotonic(), None
        self.say("supervisor", f"started {child.name} (pid {child.process.pid})"
                 + (f", restart {child.restarts}" if child.restarts else ""))
        reader = threading.Thread(target=self._copy, args=(child.name, child.process.stdout), daemon=True)
        reader.start()
        child.readers = [reader]

    def _copy(self, name: str, stream) -> None:
        for raw in iter(stream.readline, b""):
            self.say(name, raw.decode("utf-8", "replace").rstrip("\n"))
        stream.close()

    def _check(self, child: Child, now: float) -> None:
        if child.next_start is not None:
            if now >= child.next_start:
                self._start(child)
            return
        code = child.process.poll()
        if code is None:
            return
        _kill_group(child.process, signal.SIGKILL)  # what it left behind (a worker's forked job) goes with it
        for reader in child.readers:
            reader.join(timeout=1)  # its last lines before the restart line
        delay = child.backoff.delay(now - child.started_at)
        child.restarts += 1
        child.next_start = now + delay
        self.say("supervisor", f"{child.name} exited with {describe_exit(code)}; restart {child.restarts} "
                               f"in {delay:.1f} s")

    def run(self, stop: threading.Event, poll: float = 0.1) -> None:
        """Start everything, restart what dies, until `stop` is set; then stop everything."""
        try:
            while not stop.is_set():
                now = time.monotonic()
                for child in self.children:
                    self._check(child, now)
                stop.wait(poll)
        finally:
            self.stop_all()

    def stop_all(self) -> None:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            self.say("supervisor", f"stopping {child.name} (SIGTERM)")
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()  # the process itself: gunicorn's master, rq's worker stop their own
        deadline = time.monotonic() + self.grace
        for child in running:
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("supervisor", f"{child.name} did not stop within {self.grace:.0f} s (SIGKILL)")
            _kill_group(child.process, signal.SIGKILL)
            child.process.wait()
            for reader in child.readers:
                reader.join(timeout=1)
        self.say("supervisor", "all processes stopped")


def _kill_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procfile", default="Procfile", type=Path)
    parser.add_argument("--cwd", type=Path, help="where the processes run (default: the Procfile's folder)")
    parser.add_argument("--first-delay", type=float, default=1.0, help="seconds before the first restart")
    parser.add_argument("--max-delay", type=float, default=30.0, help="longest wait between restarts")
    parser.add_argument("--steady-after", type=float, default=60.0, help="seconds up after which delays start over")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    supervisor = Supervisor(read_procfile(args.procfile), env=dict(os.environ),
                            cwd=args.cwd.resolve() if args.cwd else args.procfile.resolve().parent,
                            first_delay=args.first_delay, max_delay=args.max_delay, steady_after=args.steady_after)
    supervisor.run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
