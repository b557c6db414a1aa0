"""The one-of-each helpers of issue 12: the id parser, the zero address, the money and amount formatters."""
import pytest
from bson import ObjectId

from app.data.ids import parse_id
from app.domain.offerings import rules as offering_rules
from app.domain.payments.rules import flag_reason, format_units
from app.domain.portfolio import rules as portfolio_rules
from app.formatting import fixed_units, money, units


def test_parse_id_reads_hex_and_passes_an_object_id_through():
    oid = ObjectId()
    assert parse_id(str(oid)) == oid
    assert parse_id(oid) is oid


@pytest.mark.parametrize("value", [None, "", "nope", "0" * 23, "g" * 24, 12, b"123456789012", ["0" * 24], "０" * 24])
def test_parse_id_refuses_anything_else_without_making_a_fresh_id(value):
    assert parse_id(value) is None


def test_money_in_a_payment_message_has_the_marketplace_style():
    assert flag_reason("underpaid", 9_050, 10_300, "cents") == "Received $90.50 of $103: $12.50 is still due."
    assert format_units(-5, "cents") == money(-5) == "-$0.05"


def test_one_base_unit_formatter_trims_or_keeps_every_decimal():
    assert units(123450, 2) == "1,234.5" and units(123450, 2, exact=True) == "1,234.50"
    assert units(123450, 2, exact=True, grouping=False) == "1234.50"
    assert units(10**18 + 1, 18) == "1.000000000000000001" and units(-5, 0) == "-5" and units(None, 6) == "0"
    assert fixed_units(507_500_000, 6) == "507.500000"
    assert portfolio_rules.units is units


@pytest.mark.parametrize(("kind", "bound", "shown"), [("int", 10**12, "1,000,000,000,000"), ("money", 1, "$0.01"),
                                                      ("money", 150_00, "$150"), ("percent", 100_00, "100"),
                                                      ("percent", 12_50, "12.5")])
def test_a_wizard_limit_is_shown_without_floats_and_money_in_its_one_style(kind, bound, shown):
    assert offering_rules.shown_bound(offering_rules.Field("x", "X", kind), bound) == shown
    field = offering_rules.Field("x", "X", kind, minimum=bound)
    assert offering_rules.parse_value(field, "0") == (None, f"Must be at least {shown}.")
