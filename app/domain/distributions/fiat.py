"""Fiat payouts: the payment file staff send to the bank, and marking each line paid with its bank reference.

Each line is paid once: marking is a conditional update under the distribution's lock from "declared" or
"scheduled" to "paid"; a second mark of the same line answers with the first one's reference instead of
changing it. Lines are fixed at the snapshot, so each line's payment reference (DIV-<distribution>-<n>, n its
place in wallet order) is the same in every file and in the bank's statement. No bank details of investors are
stored on the platform: the file carries the holder's account reference (their Libertum ID or user id and email)
for the bank team to match.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bson import ObjectId
from bson.errors import InvalidId

from app import locks
from app.data import distributions, dividends, users
from app.data.mongo import get_db
from app.domain.distributions import payout, rules
from app.domain.platform import audit
from app.formatting import platform_currency

BANK_REFERENCE_MAX = 64
FILE_COLUMNS = ("holder name", "account reference", "net amount", "currency", "payment reference", "wallet",
                "gross amount", "withheld amount", "status")


class MarkRefused(ValueError):
    """The mark cannot be made; the message says why (shown next to the form, what was typed kept)."""


def distribution_of(config: dict, distribution_id) -> dict:
    try:
        found = distributions.by_id(get_db(config), ObjectId(str(distribution_id)))
    except (InvalidId, TypeError):
        found = None
    if found is None:
        raise LookupError("no such distribution")
    return found


def references(distribution: dict, lines: list[dict]) -> dict[str, str]:
    """line id -> its payment reference (lines in wallet order, as the snapshot fixed them)."""
    short = str(distribution["_id"])[-8:].upper()
    ordered = sorted(lines, key=lambda line: line["walletAddress"].lower())
    return {line["_id"]: f"DIV-{short}-{n:05d}" for n, line in enumerate(ordered, start=1)}


def payment_rows(config: dict, distribution: dict) -> list[dict]:
    """One row per line to pay or paid, with who, how much and the reference."""
    db = get_db(config)
    lines = dividends.of_distribution(db, distribution["_id"])
    refs = references(distribution, lines)
    people = {}
    for user_id in {line.get("userId") for line in lines if line.get("userId")}:
        people[user_id] = users.by_id(db, user_id) or {}
    rows = []
    for line in sorted(lines, key=lambda line: refs[line["_id"]]):
        person = people.get(line.get("userId")) or {}
        name = person.get("legalFullName") or person.get("name") or "Unknown holder"
        account = person.get("uniqueId") or (f"user {person['_id']}" if person.get("_id") else "no account")
        if person.get("email"):
            account = f"{account} ({person['email']})"
        rows.append({"line": line, "name": name, "account": account, "reference": refs[line["_id"]]})
    return rows


def payment_file(config: dict, actor: dict, distribution_id) -> tuple[str, str]:
    """(file name, CSV text) of the lines to pay by bank transfer; issuing it schedules the declared lines."""
    distribution = distribution_of(config, distribution_id)
    if distribution.get("paymentMethod") != "fiat":
        raise MarkRefused("This distribution is paid in stablecoin on chain; it has no bank payment file.")
    if distribution["status"] not in (rules.SNAPSHOTTED, rules.PAYING, rules.PAID):
        raise MarkRefused("The holders are fixed at the record date; the payment file exists from then on.")
    _start(config, distribution)
    rows = payment_rows(config, distribution)
    currency = distribution.get("currency") or platform_currency()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FILE_COLUMNS)
    for row in rows:
        line = row["line"]
        if line["status"] in (dividends.HELD,):
            continue
        writer.writerow([_cell(row["name"]), _cell(row["account"]), _decimal(int(line["dividendAmount"])), currency,
                         row["reference"], line["walletAddress"], _decimal(int(line.get("grossAmount") or 0)),
                         _decimal(int(line.get("withheldAmount") or 0)), line["status"]])
    audit.record("distribution.payment_file", actor=actor,
                 details={"distributionId": str(distribution["_id"]), "lines": len(rows)})
    return f"distribution-{distribution['_id']}-payments.csv", out.getvalue()


def mark_paid(config: dict, actor: dict, distribution_id, reference: str, bank_reference: object) -> dict:
    """Mark the line with payment `reference` paid with the bank's reference; returns the line as it is now."""
    distribution = distribution_of(config, distribution_id)
    if distribution.get("paymentMethod") != "fiat":
        raise MarkRefused("Lines of a stablecoin distribution are paid on chain, not marked by hand.")
    bank = " ".join(str(bank_reference or "").split())
    if not bank:
        raise MarkRefused("Type the bank's reference of the transfer.")
    if len(bank) > BANK_REFERENCE_MAX:
        raise MarkRefused(f"A bank reference has at most {BANK_REFERENCE_MAX} characters.")
    db = get_db(config)
    now = datetime.now(UTC)
    with locks.distribution(distribution["_id"], config):
        lines = dividends.of_distribution(db, distribution["_id"])
        by_reference = {ref: line_id for line_id, ref in references(distribution, lines).items()}
        line_id = by_reference.get(str(reference or "").strip().upper())
        if line_id is None:
            raise MarkRefused(f"No line of this distribution has the payment reference {reference!r}.")
        line = dividends.by_id(db, line_id)
        if line["status"] == dividends.PAID:
            raise MarkRefused(f"This line was already paid on {line['paidAt']:%d %b %Y} with bank reference "
                              f"{line.get('bankReference') or 'none'}; nothing changed.")
        if line["status"] == dividends.HELD:
            raise MarkRefused(f"This line is held ({line.get('heldReason') or 'no reason given'}); it is not paid.")
        if distribution["status"] == rules.SNAPSHOTTED:
            _start_locked(db, distribution, now)
        dividends.set_status(db, [line_id], (dividends.DECLARED, dividends.SCHEDULED),
                             {"status": dividends.PAID, "bankReference": bank, "paidAt": now,
                              "paidBy": actor.get("_id")})
        payout.close_if_done(db, distribution["_id"], now)
    audit.record("distribution.line_paid", actor=actor,
                 details={"distributionId": str(distribution["_id"]), "line": line_id, "bankReference": bank})
    from app.domain.distributions import statements  # late: statements renders mail templates
    statements.mail_paid(config, line_id)
    return dividends.by_id(db, line_id)


def import_statuses(config: dict, actor: dict, distribution_id, text: str) -> dict[str, list]:
    """Mark lines from a CSV with the columns `payment reference` and `bank reference` (the bank's export);
    returns {"paid": [references], "refused": [(reference, why)]}; a line already paid is refused, not changed."""
    done: dict[str, list] = {"paid": [], "refused": []}
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.strip().lower(): name for name in reader.fieldnames or []}
    if "payment reference" not in fields or "bank reference" not in fields:
        raise MarkRefused("The file needs the columns 'payment reference' and 'bank reference' (first row).")
    for row in reader:
        reference = (row.get(fields["payment reference"]) or "").strip()
        if not reference:
            continue
        try:
            mark_paid(config, actor, distribution_id, reference, row.get(fields["bank reference"]))
        except MarkRefused as refusal:
            done["refused"].append((reference, str(refusal)))
        else:
            done["paid"].append(reference)
    return done


def _start(config: dict, distribution: dict) -> None:
    """Issuing the file schedules the declared lines and moves the distribution to "paying" (once)."""
    if distribution["status"] != rules.SNAPSHOTTED:
        return
    with locks.distribution(distribution["_id"], config):
        _start_locked(get_db(config), distribution, datetime.now(UTC))


def _start_locked(db, distribution: dict, now: datetime) -> None:
    lines = [line["_id"] for line in dividends.of_distribution(db, distribution["_id"])
             if line["status"] == dividends.DECLARED]
    dividends.set_status(db, lines, (dividends.DECLARED,), {"status": dividends.SCHEDULED, "scheduledAt": now})
    distributions.transition(db, distribution["_id"], rules.SNAPSHOTTED,
                             {"status": rules.PAYING, "payoutStartedAt": now})


def _decimal(cents: int) -> str:
    """Cents as a plain decimal for the bank's spreadsheet: 123456 -> 1234.56 (no grouping, no symbol)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a name starting with = + - @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
