"""Bad set-ups stop with one message naming the component, and leave nothing running."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infra import tools
from infra.stack import Ports, Service, Stack, StackError


def test_a_port_in_use_names_the_component_and_starts_nothing(tmp_path):
    ports = Ports.free()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports.redis))
        squatter.listen()
        stack = Stack(tmp_path, ports)
        with pytest.raises(StackError, match=f"port in use: redis port {ports.redis}"):
            stack.start()
    assert all(service.process is None for service in stack.services)


def test_a_service_that_never_answers_stops_the_whole_stack(tmp_path):
    stack = Stack(tmp_path, Ports.free())
    redis = stack.services[1]
    silent = Service("silent", Ports.free().redis, ["sleep", "60"], ready=lambda: False, timeout=1)
    stack.services = [redis, silent]
    with pytest.raises(StackError, match=r"silent did not answer on 127\.0\.0\.1:\d+ within 1 s"):
        stack.start()
    assert redis.process.poll() is not None, "the redis that did start was stopped again"
    assert silent.process.poll() is not None


def test_a_service_that_exits_shows_its_log(tmp_path):
    stack = Stack(tmp_path, Ports.free())
    broken = Service("broken", Ports.free().redis, ["sh", "-c", "echo 'cannot open data dir' >&2; exit 3"],
                     ready=lambda: False, timeout=5)
    stack.services = [broken]
    with pytest.raises(StackError, match=r"(?s)broken exited with code 3 while starting.*cannot open data dir"):
        stack.start()


def test_a_missing_toolchain_says_what_to_install():
    with pytest.raises(tools.MissingTool, match="`no-such-server` is not on PATH"):
        tools.require("no-such-server")


def test_servers_die_with_the_process_that_started_them(tmp_path):
    """A killed `make run` or test run leaves no server behind (PR_SET_PDEATHSIG)."""
    script = ("import sys, time; from pathlib import Path; from infra.stack import Ports, Stack\n"
              f"stack = Stack(Path({str(tmp_path)!r}), Ports.free()); stack.services = stack.services[1:2]\n"
              "stack.start(); print(stack.services[0].process.pid, flush=True); time.sleep(60)\n")
    supervisor = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                  cwd=Path(__file__).resolve().parents[2])
    redis_pid = int(supervisor.stdout.readline())
    assert _alive(redis_pid)
    supervisor.kill()
    supervisor.wait()
    deadline = time.monotonic() + 10
    while _alive(redis_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(redis_pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
