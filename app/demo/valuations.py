"""Demo step: Harbourside Lofts' NAV history, two valuations proposed by the issuer with their report and
approved by the admin through the NAV service (app/domain/nav), with effective dates 60 and 20 days back.

Resumable: a valuation whose effective date is approved already is skipped; a pending one is approved."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from app.data import nav_history
from app.data.mongo import get_db
from app.demo.offerings import PDF
from app.domain.nav import proposals, review

# (days before today it took effect, NAV per token, valuer, method)
UPDATES = ((60, "104.50", "Knight Frank LLP", "income_capitalisation"),
           (20, "108.25", "Savills plc", "comparables"))


def ensure_history(issuer: dict, admin: dict, offering: dict) -> list[str]:
    """The two approved valuations of `offering` (ids of their proposals)."""
    db, today, approved = get_db(), datetime.now(UTC).date(), []
    for days_ago, nav, valuer, method in UPDATES:
        effective = today - timedelta(days=days_ago)
        mine = [p for p in nav_history.of_offering(db, offering["_id"]) if p["effectiveDate"].date() == effective]
        done = next((p for p in mine if p["status"] == nav_history.APPROVED), None)
        if done is None:
            proposal = next((p for p in mine if p["status"] == nav_history.PENDING), None)
            proposal_id = str(proposal["_id"]) if proposal else _propose(issuer, offering, effective, nav, valuer,
                                                                          method)
            review.approve(admin, proposal_id, "Valuation report and valuer's credentials checked.")
            done = {"_id": proposal_id}
        approved.append(str(done["_id"]))
    return approved


def _propose(issuer: dict, offering: dict, effective, nav: str, valuer: str, method: str) -> str:
    form = {"nav": nav, "effective_date": effective.isoformat(), "valuer": valuer, "method": method}
    outcome = proposals.propose(issuer, str(offering["_id"]), form, io.BytesIO(PDF))
    if outcome.proposal_id is None:
        raise RuntimeError(f"demo NAV update for {offering['overview']['title']} refused: {outcome.errors}")
    return outcome.proposal_id
