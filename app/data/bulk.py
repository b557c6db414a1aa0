"""Bulk writes sized for FerretDB v1, shared by the collection modules.

Why chunks: FerretDB v1.24 keeps the cursor of every statement of an `update` command open
until the whole command ends, and each open cursor holds one of its 100 SQLite
connections. A bulk update or replace touching more than 100 existing documents in one
command therefore waits forever for a 101st connection, and every other client of the
server with it (the chain-sync stall under a few thousand events). Upserts that insert
close their cursor at once; updates of existing documents do not. Keeping each command
well under the pool, with room for other clients' commands at the same time, avoids it;
on MongoDB the chunks cost a few extra round trips.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

UPDATE_CHUNK = 20
DUPLICATE_KEY = 11000


def write(collection: Collection, ops: Sequence, *, ordered: bool = False) -> int:
    """bulk_write `ops` (updates, replaces, upserts) in FerretDB-safe chunks; returns documents modified."""
    modified = 0
    for start in range(0, len(ops), UPDATE_CHUNK):
        modified += collection.bulk_write(list(ops[start:start + UPDATE_CHUNK]), ordered=ordered).modified_count
    return modified


def insert_new(collection: Collection, docs: Sequence[dict]) -> list:
    """Insert documents keyed by `_id` in one command; returns the ids that already existed.

    Why: an insert is one SQLite transaction per 100 documents on FerretDB, where an upsert
    is one per document, and a unique `_id` makes the insert exactly-once by itself.
    """
    if not docs:
        return []
    try:
        collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as error:
        others = [e for e in error.details["writeErrors"] if e["code"] != DUPLICATE_KEY]
        if others:
            raise
        return [docs[e["index"]]["_id"] for e in error.details["writeErrors"]]
    return []
