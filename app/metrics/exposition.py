"""One scrape: the request metrics of every process (multiprocess mode) plus the platform's backlogs.

The System page reads the same text through `snapshot`, so operators without Prometheus see
exactly the figures Prometheus would.
"""

from __future__ import annotations

import os
from collections import defaultdict

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from app.metrics.platform import PlatformCollector


def request_registry() -> CollectorRegistry:
    """All gunicorn workers and instances when PROMETHEUS_MULTIPROC_DIR is set, else this process."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def render(config: dict) -> bytes:
    """The Prometheus text exposition of everything."""
    platform = CollectorRegistry(auto_describe=False)
    platform.register(PlatformCollector(config))
    return generate_latest(request_registry()) + generate_latest(platform)


def snapshot(config: dict) -> dict:
    """The figures the System page shows, summed from the exposition: {metric: {labels tuple: value}}."""
    figures: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    for family in text_string_to_metric_families(render(config).decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            figures[sample.name][key] += sample.value
    return {name: dict(values) for name, values in figures.items()}
