"""Bank statements: staff upload one, each credit is matched to an open bank-transfer order by its payment
reference and settled through settlement, exactly once; what cannot be matched waits for a person.

Exactly once without transactions (FerretDB v1, app/locks.py):
- the file: `bankStatements._id` is its SHA-256, so uploading it again inserts nothing and applies nothing
  (entries a crash left half-done are finished, under the same keys);
- an entry: `bankEntries._id` is derived from the account and the bank's own entry reference
  (AcctSvcrRef / NtryRef / the CSV's entry_reference), so the same entry in another statement is refused
  by the primary key; it is processed under `locks.payment("bank:<id>")`;
- the payment: settlement records it under `fiat:<order reference>:<entry id>` (app.domain.payments.rules
  .payment_key), so a retry after a crash between settling and marking the entry records nothing twice.
An entry without a bank reference cannot be told apart from a repeat in another statement: it is never
settled automatically, it waits for staff.

What waits for a decision (listed on the statements page): credits with no order reference or an unknown
one, in another currency, or naming an order that takes no payment (cancelled, already paid, flagged
overpaid). Staff assign one to an order (through settlement, under the entry's key) or mark it to be
refunded or ignored, with a reason. Under- and overpaid orders are flagged by settlement as for any
payment and decided on the order's page.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from babel.numbers import get_currency_precision
from flask import current_app

from app import locks
from app.data import bank_entries, bank_statements, orders
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.orders.review import takes_bank_transfer
from app.domain.payments import settlement
from app.domain.payments.rules import PaymentRefused, payment_key
from app.domain.payments.statement_formats import Entry, StatementRefused, read
from app.domain.platform import audit, uploads
from app.formatting import money

REASON_MAX = 500
STALE = timedelta(minutes=5)  # a statement still `received` this long after its upload was interrupted: finish it
_REFERENCE = re.compile(r"LIB[\s\-_/.]*([2-9A-HJ-NP-Z]{4})[\s\-_/.]*([2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")
DECISIONS = ("assign", "refund", "ignore")


def _require(actor: dict) -> None:
    if not has_permission(actor, "orders"):
        raise errors.NotAllowed("Bank statements need the orders permission.")


def references_in(text: str) -> list[str]:
    """The distinct order references ("LIB-7K2Q-9XMD") in a payment's text, however the payer spaced them."""
    found = {f"LIB-{a}-{b}" for a, b in _REFERENCE.findall((text or "").upper())}
    return sorted(found)


def entry_key(entry: Entry, statement_id: str, default_account: str = "") -> str:
    """The entry's `_id`: from the bank's reference and account (the same entry in any statement has the same
    key), or, without a bank reference, from this file and the entry's position (never settled automatically)."""
    account = " ".join((entry.account or default_account).upper().split())  # a CSV may leave it out: BANK_IBAN's
    basis = f"bank:{account}:{entry.bank_ref}" if entry.bank_ref else f"file:{statement_id}:{entry.position}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def upload(config: dict, actor: dict, file_name: str, stream: BinaryIO) -> dict:
    """Keep the file, read it, match and settle its credits; returns the statement with a `summary`.

    Raises uploads.UploadTooLarge (413) above UPLOAD_MAX_BYTES, StatementRefused for an unreadable
    file (still kept and recorded, with the reason), Duplicate for a file uploaded before."""
    _require(actor)
    data = uploads.read_limited(stream, int(config["UPLOAD_MAX_BYTES"]))
    digest, now = hashlib.sha256(data).hexdigest(), datetime.now(UTC)
    name = " ".join((file_name or "statement").split())[:120]
    db = get_db(config)
    _keep_file(config, digest, data)
    doc = {"_id": digest, "fileName": name, "size": len(data), "uploadedAt": now, "uploadedBy": actor["_id"],
           "uploadedByEmail": actor.get("email"), "status": bank_statements.RECEIVED}
    if not bank_statements.insert_new(db, doc):
        earlier = bank_statements.get(db, digest) or {}
        if earlier.get("status") != bank_statements.RECEIVED or now - earlier["uploadedAt"] < STALE:
            return _duplicate(config, db, actor, digest, name, now, earlier)
        # its first upload stopped before the end (a crash): read it again and finish, under the same keys
    return _read_and_apply(config, db, actor, digest, name, data, now)


def _read_and_apply(config: dict, db, actor: dict, digest: str, name: str, data: bytes, now: datetime) -> dict:
    try:
        statement = read(data)
    except StatementRefused as refused:
        bank_statements.set_fields(db, digest, {"status": bank_statements.REFUSED, "error": str(refused)})
        audit.record("statement.refused", actor=actor, details={"statement": digest, "file": name,
                                                                "reason": str(refused)})
        raise
    bank_statements.set_fields(db, digest, {"format": statement.format, "statementRef": statement.statement_id,
                                            "account": statement.account, "entryCount": len(statement.entries)})
    repeated = _insert_entries(config, db, digest, statement.entries, now)
    _process_new(config, db, digest)
    summary = _summary(db, digest, repeated)
    bank_statements.set_fields(db, digest, {"status": bank_statements.PROCESSED, "summary": summary})
    audit.record("statement.uploaded", actor=actor, details={"statement": digest, "file": name, **summary})
    return {**bank_statements.get(db, digest), "summary": summary}


class Duplicate(errors.Refused):
    """The same file was uploaded before: nothing in it is applied again."""


def _duplicate(config: dict, db, actor: dict, digest: str, name: str, now: datetime, earlier: dict):
    bank_statements.note_duplicate(db, digest, {"at": now, "by": actor["_id"], "fileName": name})
    audit.record("statement.duplicate", actor=actor, details={"statement": digest, "file": name})
    when = earlier.get("uploadedAt")
    if earlier.get("status") == bank_statements.RECEIVED:
        raise Duplicate("This statement is being read right now (uploaded at "
                        f"{when.strftime('%H:%M:%S UTC')}); reload the statements page in a moment.")
    if earlier.get("status") != bank_statements.REFUSED:
        _process_new(config, db, digest)  # finish entries a crash left unmarked
    raise Duplicate(f"This statement was already uploaded ({earlier.get('fileName') or 'same file'}"
                    f"{', on ' + when.strftime('%Y-%m-%d %H:%M UTC') if when else ''}); nothing in it was applied "
                    "again.")


def _keep_file(config: dict, digest: str, data: bytes) -> None:
    """The uploaded bytes, kept for audit under their hash (outside the web root, never served as a page)."""
    folder = Path(config["UPLOAD_DIR"]) / "bank-statements"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{digest}.statement"
    if not path.exists():
        path.write_bytes(data)
        path.chmod(0o600)


def _insert_entries(config: dict, db, digest: str, entries: tuple[Entry, ...], now: datetime) -> int:
    """Insert each entry once, in one bulk insert; returns how many were known already (another statement, or
    twice in this one), which are only noted.

    Why classify first: an entry that pays no order (no or unknown reference, a debit, another currency, a closed
    order) moves no money, so it is inserted with its outcome at once; only a matching entry is inserted `new`
    and then settled under its lock. One write per entry instead of three (FerretDB fsyncs each update).
    """
    default_account = str(config.get("BANK_IBAN") or "")
    docs = []
    for entry in entries:
        doc = {"_id": entry_key(entry, digest, default_account), "statementId": digest, "position": entry.position,
               "bankRef": entry.bank_ref, "credit": entry.credit, "amount": entry.amount, "currency": entry.currency,
               "booked": entry.booked, "text": entry.text, "debtor": entry.debtor, "account": entry.account,
               "receivedAt": now}
        status, fields = _classify(config, db, doc)
        docs.append({**doc, "status": bank_entries.NEW} if status == "match" else {**doc, "status": status, **fields})
    known = set(bank_entries.insert_many_new(db, docs))
    own = {e["_id"] for e in bank_entries.of_statement(db, digest)} if known else set()  # from an interrupted run
    for key in known - own:
        bank_entries.seen_again(db, key, digest)
    return len(known - own)


def _process_new(config: dict, db, digest: str) -> None:
    for entry in bank_entries.still_new(db, digest):
        with locks.payment(f"bank:{entry['_id']}", config):
            current = bank_entries.get(db, entry["_id"])
            if current and current["status"] == bank_entries.NEW:
                _apply(config, db, current)


def _apply(config: dict, db, entry: dict) -> None:
    """Match one new entry and settle it, or set it aside with the reason (the caller holds its lock)."""
    status, fields = _classify(config, db, entry)
    if status == "match":
        order = fields.pop("order")
        status, fields = _settle(config, entry, order, by="statement")
    bank_entries.move(db, entry["_id"], (bank_entries.NEW,), {"status": status, **fields})


def platform_currency(config: dict) -> str:
    return str(config.get("PLATFORM_CURRENCY") or "USD")


def _classify(config: dict, db, entry: dict) -> tuple[str, dict]:
    if not entry["credit"]:
        return bank_entries.DEBIT, {"reason": "Money out of the account: not a payment to match."}
    refs = references_in(entry.get("text") or "")
    if entry["currency"] != platform_currency(config):
        return bank_entries.OTHER_CURRENCY, {
            "reference": refs[0] if len(refs) == 1 else "",
            "reason": f"Paid in {entry['currency']}; orders are due in {platform_currency(config)}. Refund it, "
                      "or ignore it once converted and credited by hand."}
    if not entry.get("bankRef"):
        return bank_entries.UNMATCHED, {"reason": "The bank gave this entry no reference of its own, so a repeat "
                                                  "in another statement could not be recognised: decide by hand."}
    if not refs:
        return bank_entries.UNMATCHED, {"reason": "No order reference (such as LIB-7KQ2-M9PD) in the payment's text."}
    if len(refs) > 1:
        return bank_entries.UNMATCHED, {"reason": f"The text names several orders ({', '.join(refs)}): "
                                                  "assign it by hand."}
    return _order_for(db, refs[0], entry["_id"])


def _order_for(db, reference: str, entry_id: str) -> tuple[str, dict]:
    order = orders.by_reference(db, reference)
    if order is None:
        return bank_entries.UNMATCHED, {"reference": reference, "reason": f"No order has the reference {reference}."}
    if _key(reference, entry_id) in (order.get("paymentKeys") or []):
        return "match", {"order": order}  # recorded before a crash stopped us marking the entry: finish it
    found = {"reference": reference, "orderId": order["_id"]}
    if order.get("paymentMethod") != "fiat":
        return bank_entries.ORDER_CLOSED, {**found, "reason": f"Order {reference} is paid in stablecoin, not by "
                                                              "bank transfer."}
    if order["status"] == orders.CANCELLED:
        why = order.get("cancelReason") or order.get("cancellationReason") or ""
        return bank_entries.ORDER_CLOSED, {**found, "reason": f"Order {reference} was cancelled"
                                                              f"{' (' + why + ')' if why else ''}: refund the money "
                                                              "or assign it to another order."}
    if not takes_bank_transfer(order):
        return bank_entries.ORDER_CLOSED, {**found, "reason": f"Order {reference} is "
                                                              f"{order['status'].replace('_', ' ')} and takes no "
                                                              "further payment: refund it or assign it elsewhere."}
    return "match", {"order": order}


def _key(reference: str, entry_id: str) -> str:
    """The settlement key of a statement entry paid to the order `reference` (app.domain.payments.rules.payment_key)."""
    return payment_key({"kind": "fiat", "reference": reference, "transferId": entry_id})


def _settle(config: dict, entry: dict, order: dict, *, by: str) -> tuple[str, dict]:
    """Record the entry on the order through settlement, under the entry's own key; the entry's outcome."""
    source = {"kind": "fiat", "reference": order["paymentReference"], "by": by, "transferId": entry["_id"]}
    found = {"reference": order["paymentReference"], "orderId": order["_id"]}
    try:
        status = settlement.settle(config, order["_id"], paid_amount=int(entry["amount"]), source=source)
    except PaymentRefused as refused:
        return bank_entries.ORDER_CLOSED, {**found, "reason": str(refused)}
    if status in ("settled", "minted"):
        return bank_entries.SETTLED, {**found, "orderStatus": status, "reason": ""}
    current = orders.get(get_db(config), order["_id"]) or {}
    return bank_entries.FLAGGED, {**found, "orderStatus": status, "flag": current.get("paymentFlag"),
                                  "reason": current.get("paymentFlagReason") or ""}


def _summary(db, digest: str, repeated: int) -> dict:
    counts = {status: 0 for status in bank_entries.STATUSES}
    for entry in bank_entries.of_statement(db, digest):
        counts[entry["status"]] += 1
    return {"settled": counts[bank_entries.SETTLED], "flagged": counts[bank_entries.FLAGGED],
            "review": sum(counts[s] for s in bank_entries.NEEDS_DECISION), "debits": counts[bank_entries.DEBIT],
            "repeated": repeated}


# --- The back office's pages and decisions ---

def overview(config: dict, actor: dict) -> dict:
    _require(actor)
    db = get_db(config)
    return {"statements": bank_statements.recent(db), "waiting": [_row(e) for e in bank_entries.needing_decision(db)],
            "partial": [_row({**e, "order": order}) for e in bank_entries.flagged(db)
                        if (order := orders.get(db, e["orderId"])) and order.get("paymentFlag") in ("underpaid",
                                                                                                    "overpaid")]}


def statement(config: dict, actor: dict, statement_id: str) -> dict:
    _require(actor)
    db = get_db(config)
    found = bank_statements.get(db, str(statement_id)[:64])
    if found is None:
        raise errors.NotFound("no such statement")
    return {"statement": found, "entries": [_row(e) for e in bank_entries.of_statement(db, found["_id"])]}


def _row(entry: dict) -> dict:
    """An entry as the pages show it: the amount in its own currency ("$1,250", "1250.00 EUR")."""
    currency = entry.get("currency") or "USD"
    if currency == platform_currency(current_app.config):
        return {**entry, "amount_text": money(entry["amount"])}
    places = get_currency_precision(currency)
    whole, part = divmod(int(entry["amount"]), 10 ** places)
    return {**entry, "amount_text": f"{whole}{'.' + str(part).zfill(places) if places else ''} {currency}"}


def decide(config: dict, actor: dict, entry_id: str, action: str, reason: str = "", reference: str = "") -> str:
    """Assign a waiting entry to an order (by its reference), or mark it to be refunded or ignored; returns the
    entry's status after. Raises Refused with what to do when it cannot."""
    _require(actor)
    if action not in DECISIONS:
        raise errors.Refused("Choose assign, refund or ignore.")
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if action != "assign" and not reason:
        raise errors.Refused("Give the reason: it stays with the entry for the audit.")
    db = get_db(config)
    entry_id = str(entry_id)[:64]
    with locks.payment(f"bank:{entry_id}", config):
        entry = bank_entries.get(db, entry_id)
        if entry is None:
            raise errors.NotFound("no such entry")
        if entry["status"] not in bank_entries.NEEDS_DECISION:
            raise errors.Refused(f"This entry is {entry['status'].replace('_', ' ')} already; reload the page.")
        decision = {"action": action, "by": actor["_id"], "byEmail": actor.get("email"), "at": datetime.now(UTC),
                    "reason": reason}
        status = _assign(config, db, entry, reference, decision) if action == "assign" else _set_aside(
            db, entry, action, decision)
    audit.record(f"bank_entry.{action}", actor=actor,
                 details={"entry": entry_id, "amount": entry["amount"], "currency": entry["currency"],
                          "reference": reference or entry.get("reference") or "", "reason": reason, "status": status})
    return status


def _set_aside(db, entry: dict, action: str, decision: dict) -> str:
    status = bank_entries.REFUND_DUE if action == "refund" else bank_entries.IGNORED
    if bank_entries.move(db, entry["_id"], bank_entries.NEEDS_DECISION, {"status": status, "decision": decision}) \
            is None:
        raise errors.Refused("This entry was decided meanwhile; reload the page.")
    return status


def _assign(config: dict, db, entry: dict, reference: str, decision: dict) -> str:
    if entry["currency"] != platform_currency(config):
        raise errors.Refused(f"This entry is in {entry['currency']}: it cannot pay an order due in "
                             f"{platform_currency(config)}. Mark it to be refunded, or ignored with a reason.")
    refs = references_in(reference)
    if len(refs) != 1:
        raise errors.Refused("Enter the payment reference of the order this money pays (such as LIB-7KQ2-M9PD).")
    status, found = _order_for(db, refs[0], entry["_id"])
    if status != "match":
        raise errors.Refused(found["reason"])
    outcome, fields = _settle(config, entry, found["order"], by=f"staff:{decision['by']}")
    if outcome == bank_entries.ORDER_CLOSED:
        raise errors.Refused(fields["reason"])
    bank_entries.move(db, entry["_id"], bank_entries.NEEDS_DECISION,
                      {**fields, "status": bank_entries.ASSIGNED, "outcome": outcome, "decision": decision})
    return outcome
