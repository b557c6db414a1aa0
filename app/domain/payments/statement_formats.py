"""Reading bank statements: ISO 20022 camt.053 XML and the platform's plain CSV layout. Pure, no server.

Why our own reader of camt.053 instead of a package: the platform needs a handful of elements
(the account, each entry's amount, currency, direction, booking date, the bank's references and
the remittance text), and the parser must refuse entity expansion and external entities
(defusedxml.ElementTree does: DTDs, entities and external references raise). pycamt 1.1.1 parses
with the standard library's parser, has one maintainer and returns amounts as floats-in-strings
we would parse again anyway.

Both readers return `Entry` values with amounts in integer minor units of the entry's currency
(Babel's currency precision: 2 for USD/EUR/GBP, 0 for JPY), never floats. Anything malformed
raises StatementRefused with a message the uploader can act on; nothing is half-read.

The CSV layout (docs/bank-statements.md): a header row naming at least the columns
`entry_reference, booking_date, amount, currency, reference` (optional `direction` CRDT/DBIT
or C/D, `debtor_name`, `account`); `amount` is a decimal with a dot ("1250.00"), a negative
amount or direction DBIT is money out. UTF-8, comma-separated, at most MAX_ROWS rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from babel.numbers import get_currency_precision
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeXml

from app.domain import errors

CAMT053, CSV = "camt.053", "csv"
MAX_ROWS = 5000
CSV_REQUIRED = ("entry_reference", "booking_date", "amount", "currency", "reference")
CSV_OPTIONAL = ("direction", "debtor_name", "account")
_AMOUNT = re.compile(r"^-?\d{1,15}(\.\d{1,5})?$", re.ASCII)
_CURRENCY = re.compile(r"^[A-Z]{3}$", re.ASCII)
_CAMT053_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053."
TEXT_MAX = 300


class StatementRefused(errors.Refused):
    """The file cannot be read as a statement; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One booked line of a statement, as the bank reported it."""

    bank_ref: str        # the bank's own reference of the entry (AcctSvcrRef, NtryRef, CSV entry_reference); "" if none
    position: int        # its place in the file (1-based), for messages and for entries without a bank reference
    credit: bool         # money in (CRDT)
    amount: int          # minor units of `currency`, positive
    currency: str
    booked: str          # YYYY-MM-DD
    text: str            # remittance information and references joined: where the payment reference is looked for
    debtor: str
    account: str         # the statement's account (IBAN) or the CSV `account` column


@dataclass(frozen=True)
class Statement:
    format: str
    statement_id: str    # the bank's id of the statement (camt Stmt/Id), "" for CSV
    account: str
    entries: tuple[Entry, ...]


def sniff(data: bytes) -> str:
    """camt.053 or csv from the file's first bytes; raises StatementRefused for anything else."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith(b"<"):
        if b"camt.053" in head:
            return CAMT053
        raise StatementRefused("This XML file is not an ISO 20022 camt.053 bank statement "
                               "(camt.052 and camt.054 reports are not statements).")
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    if all(column in first_line for column in CSV_REQUIRED):
        return CSV
    raise StatementRefused("Unknown statement format: upload an ISO 20022 camt.053 XML file or a CSV file whose "
                           f"header names the columns {', '.join(CSV_REQUIRED)}.")


def read(data: bytes) -> Statement:
    if not data.strip():
        raise StatementRefused("The file is empty.")
    return read_camt053(data) if sniff(data) == CAMT053 else read_csv(data)


def minor_units(text: str, currency: str, where: str) -> int:
    """'1250.00' USD -> 125000; refuses more decimals than the currency has, exponents, commas and signs."""
    text = (text or "").strip()
    if not _CURRENCY.match(currency or ""):
        raise StatementRefused(f"{where}: the currency {currency!r} is not an ISO 4217 code.")
    if not _AMOUNT.match(text) or text.startswith("-"):
        raise StatementRefused(f"{where}: the amount {text!r} is not a positive decimal number such as 1250.00.")
    whole, _, fraction = text.partition(".")
    precision = get_currency_precision(currency)
    if len(fraction.rstrip("0")) > precision:
        raise StatementRefused(f"{where}: {text} has more decimals than {currency} has ({precision}).")
    value = int(whole) * 10 ** precision + int((fraction + "0" * precision)[:precision] or 0)
    if value <= 0:
        raise StatementRefused(f"{where}: the amount must be more than zero.")
    return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, *path: str):
    """The first descendant along `path` of local names (namespaces ignored: camt.053 has a dozen versions)."""
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if _local(c.tag) == name), None)
    return node


def _text(node, *path: str) -> str:
    found = _child(node, *path)
    return " ".join((found.text or "").split())[:TEXT_MAX] if found is not None and found.text else ""


def _all(node, name: str) -> list:
    return [c for c in node.iter() if _local(c.tag) == name]


def read_camt053(data: bytes) -> Statement:
    try:
        root = SafeXml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise StatementRefused("The XML declares a DTD or entities, which bank statements never need; it was "
                               "refused unread (entity expansion is an attack).") from None
    except SafeXml.ParseError as error:
        raise StatementRefused(f"The XML is malformed ({error}); nothing was read from it.") from None
    if _local(root.tag) != "Document" or not root.tag.startswith("{" + _CAMT053_NS):
        raise StatementRefused("This XML file is not an ISO 20022 camt.053 bank statement.")
    statements = _all(root, "Stmt")
    if len(statements) != 1:
        raise StatementRefused(f"The file holds {len(statements)} statements; upload one statement per file.")
    stmt = statements[0]
    account = _text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id")
    ntries = [c for c in stmt if _local(c.tag) == "Ntry"]
    if len(ntries) > MAX_ROWS:
        raise StatementRefused(f"The statement has {len(ntries)} entries; at most {MAX_ROWS} are read per file.")
    entries = tuple(_camt_entry(node, n, account) for n, node in enumerate(ntries, 1))
    return Statement(CAMT053, _text(stmt, "Id"), account, entries)


def _camt_entry(node, position: int, account: str) -> Entry:
    where = f"Entry {position}"
    amount_node = _child(node, "Amt")
    if amount_node is None:
        raise StatementRefused(f"{where} has no amount (Amt).")
    currency = (amount_node.get("Ccy") or "").strip()
    direction = _text(node, "CdtDbtInd")
    if direction not in ("CRDT", "DBIT"):
        raise StatementRefused(f"{where}: CdtDbtInd must be CRDT or DBIT, not {direction!r}.")
    booked = _text(node, "BookgDt", "Dt") or _text(node, "BookgDt", "DtTm")[:10]
    details = _all(node, "TxDtls")
    refs = [_text(node, "AcctSvcrRef"), _text(node, "NtryRef")] + [_text(d, "Refs", "AcctSvcrRef") for d in details]
    texts = [_text(node, "AddtlNtryInf")]
    debtor = ""
    for detail in details:
        texts += [(u.text or "").strip() for u in _all(detail, "Ustrd")]
        texts += [_text(r, "Ref") for r in _all(detail, "CdtrRefInf")]
        texts.append(_text(detail, "Refs", "EndToEndId"))
        debtor = debtor or _text(detail, "RltdPties", "Dbtr", "Nm") or _text(detail, "RltdPties", "Dbtr", "Pty", "Nm")
    return Entry(bank_ref=next((r for r in refs if r and r != "NOTPROVIDED"), ""), position=position,
                 credit=direction == "CRDT", amount=minor_units(amount_node.text or "", currency, where),
                 currency=currency, booked=_date(booked, where), text=" | ".join(t for t in texts if t)[:TEXT_MAX * 3],
                 debtor=debtor, account=account)


def _date(text: str, where: str) -> str:
    try:
        return date.fromisoformat((text or "").strip()[:10]).isoformat()
    except ValueError:
        raise StatementRefused(f"{where}: the booking date {text!r} is not a date (YYYY-MM-DD).") from None


def read_csv(data: bytes) -> Statement:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementRefused("The CSV file is not UTF-8 text.") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise StatementRefused(f"The CSV file is malformed ({error}).") from None
    if len(rows) > MAX_ROWS:
        raise StatementRefused(f"The file has {len(rows)} rows; at most {MAX_ROWS} are read per file.")
    if not rows:
        raise StatementRefused("The CSV file has a header but no entries.")
    entries = tuple(_csv_entry({(k or "").strip().lower(): v for k, v in row.items()}, n) for n, row in
                    enumerate(rows, 1))
    return Statement(CSV, "", entries[0].account, entries)


def _csv_entry(row: dict, position: int) -> Entry:
    where = f"Row {position}"
    if None in row or any(row.get(column) is None for column in CSV_REQUIRED):
        raise StatementRefused(f"{where} does not have the header's number of columns.")
    amount_text = (row["amount"] or "").strip()
    direction = (row.get("direction") or "").strip().upper()
    if direction not in ("", "CRDT", "DBIT", "C", "D"):
        raise StatementRefused(f"{where}: direction must be CRDT or DBIT (C or D), not {direction!r}.")
    debit = direction in ("DBIT", "D") or amount_text.startswith("-")
    currency = (row["currency"] or "").strip().upper()
    return Entry(bank_ref=" ".join((row["entry_reference"] or "").split())[:120], position=position,
                 credit=not debit, amount=minor_units(amount_text.lstrip("-"), currency, where), currency=currency,
                 booked=_date(row["booking_date"], where), text=" ".join((row["reference"] or "").split())[:TEXT_MAX],
                 debtor=" ".join((row.get("debtor_name") or "").split())[:TEXT_MAX],
                 account=" ".join((row.get("account") or "").split())[:64])
