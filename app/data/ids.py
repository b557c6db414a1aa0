"""The one parser of document ids from outside (URLs, forms, jobs' arguments, stored references).

Each caller decides what an unreadable id means (nothing found, a 404, a refusal); this only says
whether the value names an ObjectId. Only bson is imported, so domain code may use it freely.
"""
from bson import ObjectId


def parse_id(value) -> ObjectId | None:
    """`value` as an ObjectId (an ObjectId itself, or its 24 hex digits), else None (never a fresh id for None)."""
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    return None
