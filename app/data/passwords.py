"""The `passwords` collection (seed: Password). The last password hashes of a user, so none of the last five is reused."""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "passwords"
INDEXES = (
    Index((("userId", ASC),), unique=True),
)
