"""`make run`'s process list: the Procfile's one web line becomes one process per instance behind the gateway."""

from __future__ import annotations

from pathlib import Path

from infra.run import expand_web
from infra.supervise import read_procfile

ROOT = Path(__file__).resolve().parents[3]


def test_the_web_line_becomes_one_process_per_instance_port_in_its_place():
    procfile = read_procfile(ROOT / "Procfile")
    expanded = expand_web(procfile, [8101, 8102])
    assert list(expanded)[:3] == ["gateway", "web-1", "web-2"]
    assert expanded["web-1"] == f"WEB_PORT=8101 {procfile['web']}"
    assert expanded["web-2"] == f"WEB_PORT=8102 {procfile['web']}"
    assert {k: v for k, v in expanded.items() if not k.startswith("web-")} == {
        k: v for k, v in procfile.items() if k != "web"}
