"""Chain transactions the platform observed: every live event chain-sync stored (`chainEvents`), newest first,
each marked with the platform's job when the platform sent its transaction, so staff also see what it did
not send (investors' own transfers, another agent's operations)."""

from __future__ import annotations

from app.data import reporting
from app.data.mongo import get_db

EVENTS = ("Transfer", "TokensFrozen", "TokensUnfrozen", "AddressFrozen", "Paused", "Unpaused",
          "IdentityRegistered", "IdentityRemoved", "RecoverySuccess")
PAGE_SIZE = 50


def parse_after(text: str | None) -> tuple[int, int] | None:
    """(blockNumber, logIndex) from a cursor "block-index"; None when absent or malformed."""
    block, _, index = str(text or "").partition("-")
    if not (block.isascii() and block.isdigit() and index.isascii() and index.isdigit()) or len(block + index) > 30:
        return None
    return int(block), int(index)


def page(event: str, after: str | None) -> dict:
    """One page of observed events (optionally one event name) and the cursor of the next page."""
    event = event if event in EVENTS else ""
    db = get_db()
    found = reporting.chain_events_page(db, event, parse_after(after), PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    hashes = sorted({e["transactionHash"] for e in shown if e.get("transactionHash")})
    sent = reporting.jobs_of_transactions(db, hashes)
    rows = [{"block": e.get("blockNumber"), "index": e.get("logIndex"), "event": e.get("event") or "",
             "contract": e.get("address") or "", "tx_hash": e.get("transactionHash") or "",
             "args": ", ".join(f"{k} {v}" for k, v in sorted((e.get("args") or {}).items())),
             "job": sent.get(e.get("transactionHash") or "", "")} for e in shown]
    last = shown[-1] if shown else None
    return {"rows": rows, "event": event, "events": EVENTS,
            "next": f"{last['blockNumber']}-{last['logIndex']}" if last and len(found) > PAGE_SIZE else None}
