"""Demo step: two distributions declared by the issuer, approved by the admin, fixed at their record date and
paid, through the distribution services (app/domain/distributions): rental income on Harbourside Lofts paid
in Test USD from the treasury through the distribution contract, and a capital return on Old Mill Cottages
paid by bank transfer and marked paid line by line with the bank's references.

Resumable: each is found by offering and payment method first and moved on from the state it is in; one whose
record date passed before it was approved (an interrupted run) is rejected and declared again."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app.data import distributions as distribution_data
from app.data import dividends
from app.data.mongo import get_db
from app.demo.offerings import PDF
from app.demo.waiting import wait_for
from app.domain.distributions import declaration, fiat, payout, review, rules, snapshot

RECORD_IN_S = 20  # the record time: just after the approval, so the demo waits seconds, not days


@dataclass(frozen=True)
class DemoDistribution:
    title: str  # the offering's
    kind: str  # rules.DIVIDEND_TYPES
    method: str  # rules.PAYMENT_METHODS
    waterfall: tuple[tuple[str, str], ...]  # (field, amount typed); distributable is the total

    @property
    def total(self) -> str:
        return dict(self.waterfall)["distributable"]


DISTRIBUTIONS = (
    DemoDistribution("Harbourside Lofts", "rentalIncome", "stablecoin", (
        ("grossRent", "130.00"), ("vacancy", "6.00"), ("operatingCosts", "14.00"), ("managementFee", "9.00"),
        ("reserveTopUp", "5.00"), ("distributable", "96.00"))),
    DemoDistribution("Old Mill Cottages", "capitalReturn", "fiat", (
        ("grossRent", "85.00"), ("vacancy", "4.00"), ("operatingCosts", "11.00"), ("managementFee", "6.00"),
        ("reserveTopUp", "4.00"), ("distributable", "60.00"))),
)


def ensure_paid(config, issuer: dict, admin: dict, offering: dict, spec: DemoDistribution) -> dict:
    """The offering's distribution of `spec`, declared, approved, snapshotted and paid (waits for each stage)."""
    found = _current(offering, spec) or _declare(config, issuer, offering, spec)
    if found["status"] == rules.DECLARED:
        try:
            review.approve(config, admin, str(found["_id"]), "Rent roll and bank statement checked.")
        except review.DecisionRefused:  # its record date passed while an earlier run was interrupted
            review.reject(config, admin, str(found["_id"]), "Record date passed before approval; declared again.")
            return ensure_paid(config, issuer, admin, offering, spec)
    wait_for(f"the record-date snapshot of the {spec.title} distribution",
             lambda: _snapshotted(config, found["_id"]), timeout=180)
    if spec.method == "fiat":
        _mark_bank_transfers(config, admin, found["_id"])
    return wait_for(f"the {spec.title} distribution to be paid ({rules.PAYMENT_METHODS[spec.method]})",
                    lambda: _paid(config, found["_id"], spec.method), timeout=240)


def _current(offering: dict, spec: DemoDistribution) -> dict | None:
    return next((d for d in distribution_data.of_offering(get_db(), offering["_id"])
                 if d.get("paymentMethod") == spec.method and d["status"] != rules.REJECTED), None)


def _declare(config, issuer: dict, offering: dict, spec: DemoDistribution) -> dict:
    record = (datetime.now(UTC) + timedelta(seconds=RECORD_IN_S)).strftime("%Y-%m-%dT%H:%M:%S")
    typed = {"dividendType": spec.kind, "amountKind": "total", "amount": spec.total, "paymentMethod": spec.method,
             "recordDate": record, "paymentDate": record, **dict(spec.waterfall)}
    distribution_id = declaration.declare(config, issuer, str(offering["_id"]), typed, io.BytesIO(PDF))
    return distribution_data.by_id(get_db(), distribution_id)


def _snapshotted(config, distribution_id: ObjectId) -> bool:
    """Take the snapshot once the record time passed and chain-sync holds the record block (what the scheduled
    job does; whichever runs first, the other finds it taken)."""
    try:
        return snapshot.take(config, distribution_id) not in (rules.DECLARED, rules.APPROVED)
    except snapshot.NotReady:
        return False


def _mark_bank_transfers(config, admin: dict, distribution_id: ObjectId) -> None:
    """Issue the payment file, then mark each line paid with the bank's reference, as staff do after the bank run."""
    fiat.payment_file(config, admin, distribution_id)
    distribution = distribution_data.by_id(get_db(), distribution_id)
    lines = dividends.of_distribution(get_db(), distribution_id)
    for n, (line_id, reference) in enumerate(sorted(fiat.references(distribution, lines).items()), start=1):
        line = dividends.by_id(get_db(), line_id)
        if line["status"] not in (dividends.PAID, dividends.HELD):
            fiat.mark_paid(config, admin, distribution_id, reference, f"DEMO-BANK-{reference[-5:]}-{n}")


def _paid(config, distribution_id: ObjectId, method: str) -> dict | None:
    if method == "stablecoin":
        payout.advance(config, distribution_id)  # what the payout sweep does each minute; safe to repeat
    current = distribution_data.by_id(get_db(), distribution_id)
    return current if current["status"] == rules.PAID else None
