"""`make run`'s supervisor with real processes: a killed one comes back after a delay, the others keep serving,
a crash loop backs off, SIGTERM stops everything."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

from infra.supervise import Backoff, read_procfile
from tests.fixtures.processes import ROOT, free_port, wait_for


def started_pids(log: str, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"started {name} \(pid (\d+)\)", log)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_killed_process_is_restarted_with_backoff_and_the_others_keep_serving(tmp_path):
    port = free_port()
    python = sys.executable
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"consumer: exec {python} -c \"import time; print('consuming', flush=True); time.sleep(600)\"\n"
                        f"web: exec {python} -m http.server {port} --bind 127.0.0.1\n"
                        f"poison: echo 'poison: cannot start'; exit 3\n")
    output = (tmp_path / "supervisor.log").open("w")
    supervisor = subprocess.Popen([python, "-m", "infra.supervise", "--procfile", str(procfile),
                                   "--first-delay", "0.3", "--max-delay", "1.2"], cwd=ROOT, stdout=output,
                                  stderr=subprocess.STDOUT)
    log = (tmp_path / "supervisor.log").read_text
    try:
        wait_for(lambda: started_pids(log(), "consumer") and started_pids(log(), "web") and serves(port),
                 timeout=20, what="both processes up")
        consumer, web = started_pids(log(), "consumer")[0], started_pids(log(), "web")[0]
        os.kill(consumer, signal.SIGKILL)
        wait_for(lambda: len(started_pids(log(), "consumer")) == 2, timeout=20, what="the consumer restarted")
        assert "consumer exited with signal SIGKILL; restart 1 in 0.3 s" in log()
        assert started_pids(log(), "web") == [web] and alive(web) and serves(port), "the web process was untouched"
        wait_for(lambda: log().count("consuming") == 2, timeout=20, what="the new consumer's output")
        assert alive(started_pids(log(), "consumer")[1])
        # a process that dies at once is restarted with doubling delays, capped, without stopping the others
        wait_for(lambda: "poison exited with code 3; restart 5 in 1.2 s" in log(), timeout=30, what="the backoff")
        assert re.findall(r"poison exited with code 3; restart \d+ in ([\d.]+) s", log())[:5] == [
            "0.3", "0.6", "1.2", "1.2", "1.2"]
        assert re.search(r"\d poison +\| poison: cannot start", log()) and serves(port), "its output, prefixed"
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
        output.close()
    assert "all processes stopped" in log()
    for pid in started_pids(log(), "consumer") + started_pids(log(), "web"):
        assert not alive(pid), f"{pid} outlived the supervisor's SIGTERM"


def test_a_process_that_stayed_up_starts_its_delays_over():
    backoff = Backoff(first=1, cap=30, steady_after=60)
    assert [backoff.delay(ran_for=2) for _ in range(6)] == [1, 2, 4, 8, 16, 30]
    assert backoff.delay(ran_for=120) == 1


def test_the_procfile_is_read_in_order_and_a_bad_line_is_named(tmp_path):
    assert list(read_procfile(ROOT / "Procfile")) == ["gateway", "web", "worker", "chain-monitor", "chain-sync",
                                                  "sandbox"]
    bad = tmp_path / "Procfile"
    bad.write_text("web: gunicorn\nnot a process line\n")
    try:
        read_procfile(bad)
    except ValueError as error:
        assert "Procfile:2" in str(error)
    else:
        raise AssertionError("a malformed Procfile line was accepted")
