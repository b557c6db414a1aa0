"""The gateway's view of its web instances: each one's /healthz, probed in parallel with a short timeout."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests


def probe(url: str, timeout: float = 1.0) -> dict:
    started = time.perf_counter()
    try:
        up = requests.get(f"{url}/healthz", timeout=timeout).status_code == 200
        detail = "answers" if up else "unhealthy"
    except requests.RequestException as error:
        up, detail = False, type(error).__name__
    return {"url": url, "up": up, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def probe_all(urls: tuple[str, ...]) -> list[dict]:
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(probe, urls))
