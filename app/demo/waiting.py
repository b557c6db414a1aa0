"""Waiting for the platform's asynchronous writers (RQ jobs, chain-sync) the way a person reloads a page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DemoStalled(RuntimeError):
    """Something the demo waits for did not happen in time: names it, so the operator knows which process to check."""


def wait_for(what: str, probe: Callable[[], T], timeout: float = 180, every: float = 0.5) -> T:
    """`probe()`'s first truthy answer; DemoStalled naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise DemoStalled(f"the demo waited {timeout:.0f} s for {what}; are the worker, chain-monitor and "
                              "chain-sync running (make run starts them)?")
        time.sleep(every)
