"""Marketplace speed with 1,000 offerings, as ratios measured in one run.

1. Marketplace first page and a filtered page vs a bare Flask endpoint rendering a trivial
   template, both under the web process's gunicorn settings, 32 connections (wrk, best of 5 runs each).
   Goal: >= 0.5 of the baseline's requests per second, p99 < 50 ms.
2. The offering page's server work with the Redis cache warm vs missing (the cache is
   invalidated before every uncached call). Goal: >= 5x.

    .venv/bin/python -m bench.marketplace
"""

from __future__ import annotations

import time

from bench.harness import gunicorn, stack_env, wrk, wrk_best
from tests.factories import offering_doc

OFFERINGS = 1_000
ASSET_TYPES = ("residential", "commercial", "industrial", "hospitality")


def seed(db) -> str:
    docs = [offering_doc(title=f"Building {n}", details={"assetType": ASSET_TYPES[n % 4],
                                                         "projectedYield": 400 + n % 600})
            for n in range(OFFERINGS)]
    db.offerings.insert_many(docs)
    return str(docs[0]["_id"])


def cache_ratio(app, offering_id: str, rounds: int = 300) -> tuple[float, float]:
    from flask import render_template

    from app import cache
    from app.domain.marketplace.service import ANONYMOUS
    from app.domain.offerings.page import offering_page

    def render(view):
        return render_template("marketplace/_offering_public.html", o=view)

    with app.test_request_context("/"):
        def timed(invalidate: bool) -> float:
            started = time.perf_counter()
            for _ in range(rounds):
                if invalidate:
                    cache.invalidate_offering(offering_id)
                offering_page(app.config, offering_id, ANONYMOUS, render)
            return (time.perf_counter() - started) / rounds * 1000

        timed(False)  # warm up both paths
        return timed(True), timed(False)


def main() -> None:
    with stack_env() as env:
        from app import create_app
        from app.data import init_db
        from app.data.mongo import get_db

        app = create_app()
        with app.app_context():
            init_db(get_db())
            offering_id = seed(get_db())
        with gunicorn("bench.baseline_app:app", env) as base, gunicorn("wsgi:app", env) as web:
            wrk(base + "/", seconds=2)
            wrk(web + "/offerings", seconds=2)  # warm up
            baseline = wrk_best(base + "/")
            first = wrk_best(web + "/offerings")
            filtered = wrk_best(web + "/offerings?asset_type=commercial&min_yield=6&sort=yield")
        uncached_ms, cached_ms = cache_ratio(app, offering_id)

    print(f"baseline (bare Flask + trivial template): {baseline['rps']:.0f} req/s, p99 {baseline['p99_ms']:.1f} ms")
    for name, result in (("marketplace first page", first), ("marketplace filtered page", filtered)):
        print(f"{name}: {result['rps']:.0f} req/s, p99 {result['p99_ms']:.1f} ms, non-2xx {result['non_2xx']}, "
              f"ratio {result['rps'] / baseline['rps']:.2f} (goal >= 0.5, p99 < 50 ms)")
    print(f"offering page server work: uncached {uncached_ms:.2f} ms, cached {cached_ms:.2f} ms, "
          f"ratio {uncached_ms / cached_ms:.1f}x (goal >= 5x)")


if __name__ == "__main__":
    main()
