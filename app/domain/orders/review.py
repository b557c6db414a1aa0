"""The back office's side of orders: filtered pages and CSV export, fiat payments received, unpaid orders
cancelled, token freezes.

Every operation needs the `orders` permission and is audited. Money typed by an admin is
parsed to integer cents; a payment goes through app.domain.payments.settlement (the one place that
compares paid and due and settles or flags). A freeze is an exactly-once chain job under a
natural key that names the order and the freeze's sequence number, so a double click or
two admins at once send one transaction; its write to the order holds the order's lock, as
settlement and cancellation do (app/locks.py), or it could undo a concurrent write to the same
document, such as a payment's or a reorg's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app import locks
from app.data import offerings, orders, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.accounts.permissions import has_permission
from app.domain.orders import mint_recovery
from app.domain.orders import placement as ordering
from app.domain.orders.placement import NotFound
from app.domain.orders.rules import Refusal, parse_money
from app.domain.payments import settlement
from app.domain.payments.rules import PaymentRefused
from app.domain.platform import audit, chain_ops, numerals
from app.domain.platform.notifications import send_email
from app.domain.portfolio.csv_export import safe_cell as _spreadsheet_cell
from app.formatting import units

PAGE_SIZE = 50
METHODS = ("fiat", "crypto")
FLAGS = settlement.FLAGS
CSV_COLUMNS = ("order", "placed", "investor", "offering", "wallet", "tokens", "quantity", "price", "amount", "fee",
               "total", "method", "status", "flag", "reference", "paid", "settled", "minted", "tx_hash", "frozen")


@dataclass(frozen=True)
class Filters:
    offering: str = ""
    status: str = ""
    method: str = ""
    email: str = ""
    flagged: bool = False
    held: bool = False  # orders whose mint the token refused (app.domain.orders.mint_recovery), waiting for staff

    @classmethod
    def parse(cls, args) -> Filters:
        """Filters from query arguments; unknown values are dropped (an empty filter, never an error)."""
        status = args.get("status", "")
        method = args.get("method", "")
        offering = args.get("offering", "")
        return cls(offering=offering if parse_id(offering) else "",
                   status=status if status in orders.STATUSES else "", method=method if method in METHODS else "",
                   email=(args.get("email") or "").strip().lower()[:200], flagged=args.get("flagged") == "1",
                   held=args.get("held") == "1")

    def query(self) -> dict:
        found: dict = {"status": self.status} if self.status else {"status": {"$in": list(orders.STATUSES)}}
        if self.offering:
            found["offeringId"] = parse_id(self.offering)
        if self.method:
            found["paymentMethod"] = self.method
        if self.email:
            found["investorEmail"] = {"$regex": "^" + re.escape(self.email)}
        if self.flagged:
            found["paymentFlag"] = {"$in": list(FLAGS)}
        if self.held:
            found["mintHeld"] = True
        return found

    def args(self) -> dict:
        values = {"offering": self.offering, "status": self.status, "method": self.method, "email": self.email,
                  "flagged": "1" if self.flagged else "", "held": "1" if self.held else ""}
        return {k: v for k, v in values.items() if v}


def _require(actor: dict) -> None:
    if not has_permission(actor, "orders"):
        raise PermissionError("managing orders needs the orders permission")


def order_page(actor: dict, filters: Filters, before: str = "") -> dict:
    """One page of orders, newest first; `next` continues after its last one (keyset, no skipping)."""
    _require(actor)
    before_id = parse_id(before)
    found = orders.page(get_db(), filters.query(), before_id, PAGE_SIZE + 1)
    rows = found[:PAGE_SIZE]
    return {"orders": rows, "next": str(rows[-1]["_id"]) if len(found) > PAGE_SIZE else ""}


def offering_choices(actor: dict) -> list[tuple[str, str]]:
    _require(actor)
    return [(str(d["_id"]), (d.get("overview") or {}).get("title") or "Untitled")
            for d in offerings.for_review(get_db(), ("live", "closed"))]


def order_for_admin(actor: dict, order_id: str) -> dict:
    _require(actor)
    oid = parse_id(order_id)
    order = orders.get(get_db(), oid) if oid else None
    if order is None or order["status"] not in orders.STATUSES:
        raise NotFound(order_id)
    return order


def export_rows(actor: dict, filters: Filters) -> Iterator[str]:
    """The filtered orders as CSV lines, read page by page (never the whole collection at once).

    The permission check and the audit entry happen here, before the download starts; the lines are
    produced while the response streams, after the request's context ended, so they use only the
    database handle taken now."""
    _require(actor)
    audit.record("orders.exported", actor=actor, details=filters.args())
    return _csv_lines(get_db(), filters.query())


def _csv_lines(db, query: dict) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield _take(out)
    before = None
    while True:
        batch = orders.page(db, query, before, 500)
        for order in batch:
            writer.writerow([safe_cell(v) for v in csv_values(order)])
        yield _take(out)
        if len(batch) < 500:
            return
        before = batch[-1]["_id"]


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _cents(value) -> str:
    """Cents as a spreadsheet number ("1234.50"): every decimal, no thousands commas."""
    return units(value, 2, exact=True, grouping=False)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def csv_values(order: dict) -> list:
    paid = order.get("paidAmount") or 0
    paid_text = _cents(paid) if order.get("paymentMethod") == "fiat" else str(paid)
    return [str(order["_id"]), _when(order.get("orderReceived")), order.get("investorEmail") or "",
            order.get("offeringTitle") or str(order.get("offeringId")), order.get("walletAddress") or "",
            order.get("tokens") or "", order.get("quantity") or 0, _cents(order.get("price")),
            _cents(order.get("amount")), _cents(order.get("feeAmount")), _cents(order.get("totalAmount")),
            order.get("paymentMethod") or "", order.get("status") or "", order.get("paymentFlag") or "",
            order.get("paymentReference") or "", paid_text, _when(order.get("settledAt")),
            _when(order.get("orderMinted")), order.get("tx_hash") or "", "yes" if order.get("isFreezed") else "no"]


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula, always text (the rule of app.domain.portfolio.csv_export)."""
    return _spreadsheet_cell(str(value))


def takes_bank_transfer(order: dict) -> bool:
    """A fiat order still owed money: waiting for its payment, or flagged short (the rest may follow)."""
    return order.get("paymentMethod") == "fiat" and (
        order.get("status") == "pending_payment"
        or (order.get("status") == "payment_review" and order.get("paymentFlag") == "underpaid"))


def record_fiat_payment(config: dict, actor: dict, order_id: str, amount_text: str, transfer_id: str = "") -> str:
    """An admin saw a bank transfer: settle the order (or flag it) through settlement; returns its status.

    The first transfer is recorded under the order's reference. A second one (the rest of a short payment)
    needs the bank's own id of that transfer: it is the key that records it once, however often it is posted."""
    order = order_for_admin(actor, order_id)
    if order.get("paymentMethod") != "fiat":
        raise Refusal("This order is paid in stablecoin; its payment is matched on chain, not marked by hand.")
    if not takes_bank_transfer(order):
        raise Refusal(f"This order is {order['status'].replace('_', ' ')}; only an order waiting for its payment "
                      "(or for the rest of it) can be marked paid.")
    cents = parse_money(amount_text)
    if not cents:
        raise Refusal(f"Enter the amount received. {numerals.MONEY_FORMAT}", "amount")
    transfer_id = (transfer_id or "").strip()[:64]
    if order.get("payments") and not transfer_id:
        raise Refusal("A payment is already recorded for this order: enter the bank's id of this second transfer.",
                      "transfer")
    source = {"kind": "fiat", "reference": order["paymentReference"], "by": str(actor["_id"])}
    if transfer_id:
        source["transferId"] = transfer_id
    try:
        status = settlement.settle(config, order["_id"], paid_amount=cents, source=source)
    except PaymentRefused as refused:
        raise Refusal(str(refused)) from None
    audit.record("order.payment_received", actor=actor,
                 details={"orderId": order_id, "amount": cents, "reference": order["paymentReference"],
                          "transferId": transfer_id or None, "status": status})
    return status


def decide_flag(config: dict, actor: dict, order_id: str, accept: bool, reason: str) -> str:
    """Accept a flagged payment as received, or refuse it (to be refunded); settlement audits and mails."""
    order = order_for_admin(actor, order_id)
    try:
        return settlement.resolve_flag(config, order["_id"], actor, accept=accept, reason=reason)
    except PaymentRefused as refused:
        raise Refusal(str(refused)) from None


def cancel_order(config: dict, actor: dict, order_id: str, reason: str) -> str:
    """Cancel an unpaid order for the investor (its tokens go back on sale); they read the reason by email and
    on the order page. A paid order cannot be cancelled here: its payment is settled or refunded first."""
    order = order_for_admin(actor, order_id)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise Refusal("Give a reason: the investor reads it.", "reason")
    if order["status"] != orders.PENDING_PAYMENT:
        raise Refusal(f"This order is {order['status'].replace('_', ' ')}; only an order still waiting for its "
                      "payment can be cancelled.")
    updated = ordering.cancel_for_staff(config, order, actor["_id"], reason)
    audit.record("order.cancelled_by_admin", actor=actor, details={"orderId": order_id, "reason": reason})
    investor = users.by_id(get_db(), order["userId"])
    if investor and investor.get("email"):
        send_email(investor["email"], "Libertum: Your order was cancelled", "order_cancelled",
                   {"reference": order["paymentReference"], "reason": reason,
                    "offering_title": order.get("offeringTitle") or "an offering"}, investor["_id"])
    return updated["status"]


def retry_mint(config: dict, actor: dict, order_id: str) -> str:
    """Mint a held order again once its cause is fixed (such as the wallet registered again); returns the job id."""
    order = order_for_admin(actor, order_id)
    job_id = mint_recovery.retry(config, order)
    audit.record("order.mint_retried", actor=actor,
                 details={"orderId": order_id, "jobId": job_id, "heldFor": order.get("mintHoldReason")})
    return job_id


def set_frozen(config: dict, actor: dict, order_id: str, frozen: bool) -> str:
    """Freeze or unfreeze the order's minted tokens on chain; returns the chain job id."""
    order = order_for_admin(actor, order_id)
    with locks.order(order["_id"], config):
        job_id = _set_frozen(config, order_for_admin(actor, order_id), frozen)  # re-read under the lock
    audit.record("order.frozen" if frozen else "order.unfrozen", actor=actor,
                 details={"orderId": order_id, "jobId": job_id})
    return job_id


def _set_frozen(config: dict, order: dict, frozen: bool) -> str:
    """Send the freeze; `isFreezed` changes only when chain-sync applies the token's TokensFrozen/TokensUnfrozen
    (app.events.projections), so until then the order shows `freezePending` (freezing… or unfreezing…)."""
    if not order.get("isMinted"):
        raise Refusal("Only minted tokens can be frozen; this order's tokens are not on chain yet.")
    if freeze_pending(config, order):
        raise Refusal(f"This order's tokens are already {order['freezePending']}: wait for the chain to confirm it.")
    if bool(order.get("isFreezed")) == frozen:
        raise Refusal("This order's tokens are already frozen." if frozen else "This order's tokens are not frozen.")
    token = offerings.token_address(get_db(), order["offeringId"])
    version = int(order.get("freezeVersion") or 0)
    op = "freezePartialTokens" if frozen else "unfreezePartialTokens"
    job_id = chain_ops.submit(config, op, f"order:{order['_id']}:{version + 1}", token, order["walletAddress"],
                              int(order["quantity"]), orderId=order["_id"], freezeVersion=version + 1)
    orders.transition(get_db(), order["_id"], {"freezeVersion": order.get("freezeVersion")},
                      {"freezePending": "freezing" if frozen else "unfreezing", "freezeVersion": version + 1,
                       "freezeJobId": job_id})
    return job_id


def freeze_pending(config: dict, order: dict) -> str:
    """"freezing" or "unfreezing" while the order's freeze job is on its way; "" when none is (or its job failed)."""
    pending = order.get("freezePending") or ""
    if not pending or not order.get("freezeJobId"):
        return ""
    job = chain_ops.job_status(config, order["freezeJobId"])
    return "" if job is None or job["status"] == "failed" else pending
