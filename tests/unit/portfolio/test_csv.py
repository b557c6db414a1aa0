"""CSV exports: formula-safe text cells, numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from app.domain.portfolio.csv_export import holdings_csv, safe_cell, transactions_csv
from app.domain.portfolio.rules import Position


def test_cells_that_a_spreadsheet_would_evaluate_are_escaped():
    for hostile in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert safe_cell(hostile) == "'" + hostile
    assert safe_cell("Harbour Lofts") == "Harbour Lofts"
    assert safe_cell(-120) == -120 and safe_cell(Decimal("-1.20")) == "-1.20"
    assert safe_cell(Decimal("5E-18")) == "0.000000000000000005"  # plain digits, never scientific notation
    assert safe_cell(None) == "" and safe_cell(True) == "yes"
    assert safe_cell(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00+00:00"


def test_holdings_csv_round_trips_with_an_escaped_title():
    p = Position("id1", "=cmd|' /C calc'!A0", "LBT", "0xT", 2, 100_00, 12345, 100, False, 12_345_00, 12_000_00,
                 345_00, 287, 0, 0)
    rows = list(csv.reader(io.StringIO(holdings_csv([p]))))
    assert rows[0][0] == "offering" and len(rows) == 2
    assert rows[1][:6] == ["'=cmd|' /C calc'!A0", "LBT", "0xT", "123.45", "1.00", "no"]
    assert rows[1][7:10] == ["1234500", "1200000", "34500"]


def test_transactions_csv_keeps_signed_amounts_as_numbers():
    row = {"at": datetime(2026, 1, 1, tzinfo=UTC), "offering": "@evil", "ticker": "LBT", "kind": "Sent",
           "amount": -120, "counterparty": "0xB", "block": 11, "tx_hash": "0x1"}
    rows = list(csv.reader(io.StringIO(transactions_csv([row]))))
    assert rows[1] == ["2026-01-01T00:00:00+00:00", "'@evil", "LBT", "Sent", "-120", "0xB", "11", "0x1"]
