"""Redis cache keys and their invalidation, kept together so no key outlives the data it copies.

An offering's cached page is keyed by a per-offering version number; anything that changes
the offering, its NAV or its raise calls `invalidate_offering`, which bumps the version, so
every older copy becomes unreachable at once and simply expires.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user

from app.domain.marketplace.catalogue import record_change, version_token
from app.extensions import redis_client

OFFERING_PAGE_TTL_S = 600


def _version_key(offering_id: str) -> str:
    return f"offering:{offering_id}:version"


def _page_key(offering_id: str, version: int) -> str:
    return f"offering:{offering_id}:page:v{version}"


def cached_offering_page(offering_id: str, config: dict | None = None) -> tuple[dict | None, int]:
    """(the cached entry or None, the version a fresh entry must be stored under)."""
    redis = redis_client.get(config)
    version = int(redis.get(_version_key(offering_id)) or 0)
    raw = redis.get(_page_key(offering_id, version))
    return (json.loads(raw) if raw is not None else None), version


def store_offering_page(offering_id: str, version: int, entry: dict, config: dict | None = None) -> None:
    redis_client.get(config).set(_page_key(offering_id, version), json.dumps(entry), ex=OFFERING_PAGE_TTL_S)


def invalidate_offering(offering_id: str, config: dict | None = None) -> None:
    """Call after any change to the offering, its NAV or its raise."""
    redis_client.get(config).incr(_version_key(offering_id))


def offering_changed(offering_id: str, config: dict | None = None) -> None:
    """The one call after any change to an offering, its NAV or its raise: page and catalogue both follow."""
    invalidate_offering(offering_id, config)
    record_change(offering_id, config)


class _PageMemo:
    """A small per-process LRU of rendered anonymous pages, each valid for one catalogue version and `ttl` s."""

    def __init__(self, size: int = 256):
        self._size, self._lock, self._entries = size, threading.Lock(), OrderedDict()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key, value, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_catalogue_pages = _PageMemo()
SHAREABLE_HEADERS = ("Content-Type", "HX-Push-Url")
SHAREABLE_MARK = "X-Libertum-Shareable"  # read and removed by the gateway's page cache


def catalogue_page(ttl: float = 15) -> Callable:
    """Serve anonymous visitors a page rendered from the same catalogue version within `ttl` seconds.

    Keyed by the catalogue's (epoch, version), so any recorded offering change renders anew;
    the short ttl bounds how late date-driven states (upcoming -> open) may show. Signed-in
    users, whose pages carry their name and eligibility, are always rendered. The answer is marked
    shareable, so the gateway may serve it to other anonymous visitors for a second without an
    instance (GATEWAY_PAGE_CACHE_SECONDS, docs/operations.md).
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.is_authenticated:
                return view(*args, **kwargs)
            key = (version_token(current_app.config), request.full_path, bool(request.headers.get("HX-Request")))
            cached = _catalogue_pages.get(key)
            if cached is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200 or "Set-Cookie" in response.headers:
                    return response  # only plain, cookie-free pages are shareable between visitors
                cached = (response.get_data(), {k: v for k, v in response.headers.items() if k in SHAREABLE_HEADERS})
                _catalogue_pages.put(key, cached, ttl)
            body, headers = cached
            # The gateway may share this answer with other anonymous visitors for a second (infra/gateway).
            return current_app.response_class(body, headers={**headers, SHAREABLE_MARK: "1"})

        return wrapper

    return decorate
