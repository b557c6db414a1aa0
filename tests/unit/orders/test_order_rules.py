"""Order figures and refusals, without any server: integer money, whole tokens, clear reasons."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.orders import rules
from app.domain.orders.rules import Refusal, Standing

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
WALLET = "0x" + "AB" * 20


def offering(**changes) -> dict:
    details = {"tokenSupply": 10_000, "tokenDecimals": 0, "navLaunchPrice": 100_00, "latestNav": 125_00,
               "minInvestment": 1_000_00, "maxInvestment": 100_000_00, "maxTokenHolding": 2_000,
               "startDate": NOW - timedelta(days=1), "endDate": NOW + timedelta(days=30)}
    details.update(changes.pop("details", {}))
    return {"status": "live", "isActive": True, "fee": 150, "projectDetails": details, **changes}


def standing(**changes) -> Standing:
    values = {"whitelisted": True, "wallet": WALLET, "verified_wallets": (WALLET,), "whitelisted_wallet": WALLET,
              "held_tokens": 0, **changes}
    return Standing(**values)


def test_tokens_at_the_latest_nav_with_the_fee_rounded_half_up():
    q = rules.quote(offering(fee=133), tokens_text="9")  # 9 x $125 = $1,125; 1.33% = $14.9625 -> $14.96
    assert (q.tokens, q.quantity, q.price, q.amount, q.fee_amount, q.total) == (9, 9, 125_00, 1_125_00, 14_96, 1_139_96)
    assert rules.quote(offering(fee=150), tokens_text="1").fee_amount == 1_88  # $1.875 -> $1.88 (half up)


def test_an_amount_buys_the_whole_tokens_it_covers():
    q = rules.quote(offering(), amount_text="1,299.99")
    assert (q.tokens, q.amount) == (10, 1_250_00)


def test_launch_price_before_any_nav_and_base_units_from_decimals():
    q = rules.quote(offering(details={"latestNav": None, "tokenDecimals": 18}), tokens_text="3")
    assert q.price == 100_00 and q.quantity == 3 * 10**18


@pytest.mark.parametrize(("tokens", "amount", "message"), [
    ("", "", "Enter a number of tokens or an amount"),
    ("2.5", "", "Enter a whole number of tokens"),
    ("0", "", "Enter a whole number of tokens"),
    ("", "12,5x", "Enter an amount like 1,250.00"),
    ("", "10,5", "commas only between groups of three digits"),  # once read as $105
    ("", "99.99", r"That buys no token: one token costs \$125"),
])
def test_unreadable_input_is_refused_with_a_message(tokens, amount, message):
    with pytest.raises(Refusal, match=message):
        rules.quote(offering(), tokens_text=tokens, amount_text=amount)


@pytest.mark.parametrize(("doc", "person", "tokens", "message"), [  # "reserved" stands for others' orders
    (offering(), standing(whitelisted=False), 10, "You are not whitelisted"),
    (offering(status="approved"), standing(), 10, "not open for orders"),
    (offering(details={"startDate": NOW + timedelta(days=3)}), standing(), 10, "opens for orders on 04 June 2026"),
    (offering(details={"endDate": NOW - timedelta(days=1)}), standing(), 10, "closed for orders on 31 May 2026"),
    (offering(), standing(), 7, r"minimum investment is \$1,000; this order comes to \$875"),
    (offering(details={"maxTokenHolding": 5_000}), standing(), 801, r"maximum investment is \$100,000"),
    (offering(), standing(held_tokens=1_950), 60, "at most 2,000 tokens .* ordered 1,950, so you can order 50 more"),
    (offering(reserved=9_990), standing(), 20, "Only 10 tokens remain"),
    (offering(reserved=9_999), standing(), 20, "Only 1 token remains in this offering"),
    (offering(reserved=10_000), standing(), 20, "sold out"),
    (offering(), standing(wallet="0x" + "CD" * 20), 10, "only be sent to one of your verified wallets"),
    (offering(), standing(verified_wallets=(WALLET, "0x" + "CD" * 20), wallet="0x" + "CD" * 20), 10,
     "only be sent to the wallet it whitelisted"),
])
def test_each_rule_refuses_with_its_reason(doc, person, tokens, message):
    with pytest.raises(Refusal, match=message):
        rules.check(doc, rules.quote_tokens(doc, tokens), person, NOW, doc.get("reserved", 0))


def test_an_order_within_every_rule_passes():
    doc = offering()
    rules.check(doc, rules.quote_tokens(doc, 20), standing(held_tokens=1_980), NOW, 9_980)


def test_money_parsing_and_stablecoin_units():
    assert rules.parse_money("$1,250.5") == 1_250_50
    assert rules.parse_money("1.234") is None
