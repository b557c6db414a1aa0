"""The one-of-each helpers of issue 12: the id parser, the zero address, the money and amount formatters."""
import pytest
from bson import ObjectId

from app.data.ids import parse_id


def test_parse_id_reads_hex_and_passes_an_object_id_through():
    oid = ObjectId()
    assert parse_id(str(oid)) == oid
    assert parse_id(oid) is oid


@pytest.mark.parametrize("value", [None, "", "nope", "0" * 23, "g" * 24, 12, b"123456789012", ["0" * 24], "０" * 24])
def test_parse_id_refuses_anything_else_without_making_a_fresh_id(value):
    assert parse_id(value) is None
