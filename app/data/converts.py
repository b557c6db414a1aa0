"""The `converts` collection (seed: Convert). ERC-20 wrappers created for security tokens."""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "converts"
INDEXES = (
    Index((("tokenAddress", ASC),)),
)
