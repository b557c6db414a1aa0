"""Index declarations shared by the collection modules."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

ASC, DESC = ASCENDING, DESCENDING


@dataclass(frozen=True)
class Index:
    """One index: `keys` as (field, direction) pairs, optionally unique."""

    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    sparse: bool = False  # documents without the field are left out (a unique key that older documents lack)

    @property
    def name(self) -> str:
        return ("u_" if self.unique else "i_") + "_".join(f"{k}_{d}" for k, d in self.keys)


def ensure(db: Database, collection: str, indexes: tuple[Index, ...], retired: tuple[str, ...] = ()) -> list[str]:
    """Create missing indexes and drop `retired` ones an older version made; existing ones with the same
    name are left alone (idempotent)."""
    coll = db[collection]
    existing = {ix["name"] for ix in coll.list_indexes()}
    for name in retired:
        if name in existing:
            coll.drop_index(name)
    created = []
    for index in indexes:
        if index.name in existing:
            continue
        coll.create_index(list(index.keys), name=index.name, unique=index.unique, sparse=index.sparse)
        created.append(index.name)
    return created
