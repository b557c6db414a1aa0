"""The `addresses` collection (seed: Address). Postal addresses referenced from user details."""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "addresses"
INDEXES = (
    Index((("userId", ASC),)),
)
