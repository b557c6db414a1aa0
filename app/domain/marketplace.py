"""Marketplace reads: the offerings visitors may browse."""

from __future__ import annotations

from app.data import offerings
from app.data.mongo import get_db


def live_offerings(config: dict, limit: int) -> list[dict]:
    """Live offerings, newest first, as plain card data."""
    return [{"id": str(doc["_id"]), "title": doc.get("overview", {}).get("title", ""),
             "location": doc.get("overview", {}).get("location", "")}
            for doc in offerings.live(get_db(config), limit)]
