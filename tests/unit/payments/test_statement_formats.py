"""Reading bank statements without a server: camt.053 and CSV entries, exact minor units, and every refusal."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.payments import statement_formats as formats
from app.domain.payments.statement_formats import StatementRefused
from tests.integration.statements.helpers import IBAN, Credit, camt053, csv_statement


def test_a_camt053_statement_gives_each_entry_with_its_bank_reference_text_and_exact_amount():
    statement = formats.read(camt053("S-9", [Credit("R-1", "2030.00", "LIB-7K2Q-9XMD"),
                                             Credit("R-2", "0.10", "fees", debit=True, currency="EUR")]))
    assert (statement.format, statement.statement_id, statement.account) == ("camt.053", "S-9", IBAN)
    first, second = statement.entries
    assert (first.bank_ref, first.amount, first.currency, first.credit, first.booked) == (
        "R-1", 203000, "USD", True, "2026-12-04")
    assert "LIB-7K2Q-9XMD" in first.text and first.debtor == "A. Investor" and first.position == 1
    assert (second.amount, second.currency, second.credit) == (10, "EUR", False)


def test_the_csv_layout_reads_the_same_entries():
    statement = formats.read(csv_statement([Credit("C-1", "12.5", "LIB-7K2Q-9XMD"),
                                            Credit("C-2", "3", "x", currency="JPY", debit=True)]))
    assert statement.format == "csv" and [e.amount for e in statement.entries] == [1250, 3]
    assert statement.entries[1].credit is False and statement.entries[0].account == IBAN


@pytest.mark.parametrize(("data", "said"), [
    (b"", "empty"),
    (b"<html><body>camt</body></html>", "not an ISO 20022 camt.053"),
    (b"date;amount\n2026-12-04;10\n", "Unknown statement format"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
     b'camt.053.001.02">&a;</Document>', "DTD or entities"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>', "malformed"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>', "0 statements"),
    (b"entry_reference,booking_date,amount,currency,reference\nA,2026-02-30,1.00,USD,x\n", "not a date"),
    (b"entry_reference,booking_date,amount,currency,reference\nA,2026-02-03,1.001,USD,x\n", "more decimals"),
    (b"entry_reference,booking_date,amount,currency,reference\nA,2026-02-03,0.00,USD,x\n", "more than zero"),
    (b"entry_reference,booking_date,amount,currency,reference\nA,2026-02-03,1.00,US,x\n", "ISO 4217"),
    (b"entry_reference,booking_date,amount,currency,reference\n", "no entries"),
    (b"entry_reference,booking_date,amount,currency,reference\n\xff\xfe,,,,\n", "not UTF-8"),
])
def test_each_bad_file_is_refused_with_what_is_wrong(data, said):
    with pytest.raises(StatementRefused, match=said):
        formats.read(data)


@given(st.integers(min_value=1, max_value=10**15 - 1), st.sampled_from(["USD", "EUR", "JPY", "BHD"]))
def test_minor_units_read_back_exactly_whatever_the_amount_and_the_currency(minor, currency):
    places = {"USD": 2, "EUR": 2, "JPY": 0, "BHD": 3}[currency]
    whole, part = divmod(minor, 10**places)
    text = f"{whole}.{str(part).zfill(places)}" if places else str(whole)
    assert formats.minor_units(text, currency, "x") == minor
    if places:
        assert formats.minor_units(text + "0", currency, "x") == minor  # a trailing zero changes nothing
        with pytest.raises(StatementRefused):
            formats.minor_units(text + "1", currency, "x")  # one decimal more than the currency has


@given(st.text(max_size=40))
def test_any_text_is_a_refusal_or_an_amount_never_a_crash(text):
    with contextlib.suppress(StatementRefused):
        assert formats.minor_units(text, "USD", "x") > 0
