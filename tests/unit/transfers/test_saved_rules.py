"""Pure rules of saved transfers and transfer requests: the Libertum ID's shape and reading, typed token quantities
read as exact base units over the whole range (18 decimals, huge supplies), and who may decide a request."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.transfers import rules, unique_ids
from app.formatting.numbers import units


def test_a_fresh_id_has_the_shape_and_avoids_look_alike_letters():
    drawn = {unique_ids.generate() for _ in range(500)}
    assert len(drawn) == 500  # random, not a counter
    for text in drawn:
        assert re.fullmatch(r"LIB-[A-Z2-9]{4}-[A-Z2-9]{4}", text) and unique_ids.is_valid(text)
        assert not set(text[4:].replace("-", "")) & set("01OILU")


@given(st.sampled_from([str.lower, str.upper, lambda t: t.replace("-", " "), lambda t: t.replace("-", ""),
                        lambda t: f"  {t.lower()} ", lambda t: t[4:]]))
def test_a_typed_id_is_read_leniently(spelling):
    text = unique_ids.generate()
    assert unique_ids.normalize(spelling(text)) == text


@pytest.mark.parametrize("typed", ["", None, "LIB-0000-0000", "LIB-ABCD", "someone@example.com", "LIB-ABCD-EFGH-J",
                                   "ЛИБ-ABCD-EFGH", "LIB-ABCD-EFG😀"])
def test_anything_else_is_no_id(typed):
    assert unique_ids.normalize(typed) == ""


@given(st.integers(min_value=1, max_value=10**40), st.integers(min_value=0, max_value=18))
def test_a_quantity_written_as_the_page_writes_it_reads_back_exactly(base, decimals):
    assert rules.parse_quantity(units(base, decimals, exact=True), decimals) == base
    assert rules.parse_quantity(units(base, decimals, exact=True, grouping=False), decimals) == base


@given(st.decimals(min_value=Decimal("0.000000000000000001"), max_value=Decimal(10) ** 30, places=18),
       st.integers(min_value=0, max_value=18))
def test_a_quantity_is_exact_or_refused_never_rounded(amount, decimals):
    text = format(amount, "f")
    with localcontext(prec=100):  # the default 28 digits would round the reference itself
        scaled = amount * (Decimal(10) ** decimals)
    if scaled == scaled.to_integral_value():
        assert rules.parse_quantity(text, decimals) == int(scaled)
    else:
        with pytest.raises(ValueError, match=r"decimals|whole tokens"):
            rules.parse_quantity(text, decimals)


@given(st.text(max_size=80))
def test_any_typed_text_is_a_quantity_or_a_clear_refusal(text):
    try:
        assert rules.parse_quantity(text, 18) > 0
    except ValueError as refusal:
        assert str(refusal).endswith(".")


@pytest.mark.parametrize(("typed", "decimals", "message"), [
    ("", 0, "Enter how many tokens"), ("0", 0, "more than zero"), ("0.000", 3, "more than zero"),
    ("-3", 0, "positive"), ("1.5", 0, "whole tokens"), ("0.1234567", 6, "at most 6 digits"),
    ("1e3", 0, "such as 25"), ("12 345", 0, None), ("1,000.50", 2, None), ("9" * 61, 0, "too long"),
])
def test_quantity_messages(typed, decimals, message):
    if message is None:
        assert rules.parse_quantity(typed, decimals) > 0
    else:
        with pytest.raises(ValueError, match=message):
            rules.parse_quantity(typed, decimals)


@given(st.integers(min_value=1, max_value=10**40), st.integers(min_value=0, max_value=10**40))
def test_a_quantity_above_what_can_move_is_refused(wanted, free):
    assert (rules.quantity_refusal(wanted, free) is None) == (wanted <= free)


def test_the_sender_and_the_recipient_never_decide_a_transfer_between_them():
    sender, recipient, staff = object(), object(), object()
    request = {"userId": sender, "createdBy": sender, "toUserId": recipient}
    assert rules.is_maker(sender, request) and rules.is_maker(recipient, request)
    assert not rules.is_maker(staff, request)
    assert not rules.is_maker(None, {"userId": sender, "createdBy": sender})


def test_a_confirmed_transfer_becomes_a_forced_transfer_request_named_after_it():
    saved = {"_id": "s1", "fromWallet": "0xA", "tokenQuantity": 10**30}
    sender = {"_id": "u1", "legalFullName": "Ada", "email": "ada@example.com"}
    recipient = {"_id": "u2", "legalFullName": "Bo", "email": "bo@example.com"}
    offering = {"_id": "o1", "overview": {"title": "Harbour"}, "projectDetails": {"tokenTicker": "HBL",
                                                                                  "tokenDecimals": 18}}
    doc = rules.holder_to_holder_doc(saved, sender, recipient, offering, "0xB")
    assert (doc["kind"], doc["status"], doc["isForceTransfer"], doc["walletAddress"], doc["newWalletAddress"],
            doc["tokenQuantity"], doc["requestKey"], doc["securityName"], doc["newRegisteredEmailId"]) == (
        "holderToHolder", "pending", True, "0xA", "0xB", 10**30, "saved:s1", "Harbour (HBL)", "bo@example.com")
