"""The marketplace catalogue: every listed offering's card fields, held in each web process's memory.

Why: browsing filters, sorts and counts across all listed offerings on every request, and a
full collection scan costs ~200 ms per 1,000 documents on FerretDB (no sort or count
pushdown), while a Python pass over 1,000 cards costs about a millisecond. Redis keeps the
catalogue's version and which offerings changed at each version; a process seeing a newer
version reloads just those offerings (or everything, when it fell too far behind).
"""

from __future__ import annotations

import threading
import uuid

from bson import ObjectId

from app.data import offerings
from app.data.mongo import get_db
from app.extensions import redis_client

EPOCH_KEY = "marketplace:catalogue:epoch"  # new after Redis lost its data: every process reloads fully
VERSION_KEY = "marketplace:catalogue:version"
CHANGES_KEY = "marketplace:catalogue:changes"  # sorted set: member offering id, score the version it changed at
KEEP_CHANGES = 2_000


class Catalogue:
    """This process's copy; thread-safe for gunicorn's threaded workers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._epoch: str | None = None
        self._version: int | None = None
        self._docs: dict[str, dict] = {}
        self._sorted: dict[str, list[dict]] = {}

    def sorted_docs(self, config: dict, sort: str, key, descending: bool) -> list[dict]:
        """The catalogue in one order, sorted once per catalogue version rather than per request."""
        with self._lock:
            self._follow(config)
            cached = self._sorted.get(sort)
            if cached is None:
                cached = self._sorted[sort] = sorted(self._docs.values(), key=key, reverse=descending)
            return cached

    def docs(self, config: dict) -> list[dict]:
        """Every listed offering's card document, current as of the catalogue version in Redis."""
        with self._lock:
            self._follow(config)
            return list(self._docs.values())

    def _follow(self, config: dict) -> None:
        """Catch up with the version in Redis (caller holds the lock); sorted orders belong to one version."""
        epoch, current = version_token(config)
        if (self._epoch, self._version) != (epoch, current):
            self._refresh(config, redis_client.get(config), current, same_epoch=self._epoch == epoch)
            self._epoch = epoch
            self._sorted = {}

    def _refresh(self, config: dict, redis, current: int, same_epoch: bool) -> None:
        db = get_db(config)
        changed = None
        if same_epoch and self._version is not None and current > self._version:
            oldest = redis.zrange(CHANGES_KEY, 0, 0, withscores=True)
            if oldest and oldest[0][1] <= self._version + 1:  # the change log still covers our gap
                changed = [m.decode() for m in redis.zrangebyscore(CHANGES_KEY, self._version + 1, current)]
        if changed is None:
            self._docs = {str(d["_id"]): _indexed(d) for d in offerings.listed_cards(db)}
        else:
            for offering_id in changed:
                self._docs.pop(offering_id, None)
            for doc in offerings.listed_cards(db, [ObjectId(i) for i in changed]):
                self._docs[str(doc["_id"])] = _indexed(doc)
        self._version = current


def version_token(config: dict) -> tuple[str, int]:
    """(epoch, version) of the catalogue: changes whenever any listed offering may have changed."""
    redis = redis_client.get(config)
    epoch, version = redis.mget(EPOCH_KEY, VERSION_KEY)
    if epoch is None:
        redis.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
        epoch, version = redis.mget(EPOCH_KEY, VERSION_KEY)
    return epoch.decode(), int(version or 0)


def _indexed(doc: dict) -> dict:
    """The document plus `_search`: lower-cased text the marketplace's text filter looks in."""
    overview, details = doc.get("overview", {}), doc.get("projectDetails", {})
    parts = (overview.get("title"), overview.get("subTitle"), overview.get("location"), details.get("assetName"))
    doc["_search"] = " ".join(str(p) for p in parts if p).lower()
    doc["_location"] = str(overview.get("location") or "").lower()
    return doc


def record_change(offering_id: str, config: dict | None = None) -> None:
    """Tell every process that this offering's listing changed (created, edited, listed, raised, closed)."""
    redis = redis_client.get(config)
    version = redis.incr(VERSION_KEY)
    pipe = redis.pipeline()
    pipe.zadd(CHANGES_KEY, {offering_id: version})
    pipe.zremrangebyrank(CHANGES_KEY, 0, -KEEP_CHANGES - 1)
    pipe.execute()


catalogue = Catalogue()
