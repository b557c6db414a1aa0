"""The checklist's rules one by one: each failing rule says what to do next; caps count seats like the modules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import checklist as c

FR, DE = 250, 276
SUITE = c.Suite(allowed_countries=frozenset({FR, DE}), max_balance=100, investor_cap=2, investors=2,
                country_caps={DE: 1}, country_investors={DE: 1}, supply_cap=300, total_supply=250)


def party(wallet: str, **fields) -> c.Party:
    return c.Party(wallet=wallet, identity=f"id-{wallet}", verified=True, country=FR, holder=f"id-{wallet}", **fields)


def verdict(rules) -> dict:
    return {r.key: r.passed for r in rules}


def test_a_full_register_refuses_a_newcomer_unless_the_sender_leaves():
    sender = party("a", balance=40, identity_balance=40)
    assert verdict(c.transfer(SUITE, sender, party("b"), 10))["investor_cap"] is False
    assert verdict(c.transfer(SUITE, sender, party("b"), 40))["investor_cap"] is True  # gives all: seat frees
    assert verdict(c.transfer(SUITE, sender, party("b", identity_balance=5), 10))["investor_cap"] is True


def test_country_cap_and_country_list():
    roomy = c.Suite(**{**SUITE.__dict__, "investor_cap": 0})
    german = c.Party(wallet="g", identity="id-g", verified=True, country=DE, holder="id-g")
    assert verdict(c.transfer(roomy, party("a", balance=9, identity_balance=9), german, 1))["investor_cap"] is False
    american = c.Party(wallet="u", identity="id-u", verified=True, country=840, holder="id-u")
    rules = c.transfer(roomy, party("a", balance=9, identity_balance=9), american, 1)
    assert verdict(rules)["country"] is False and not c.chain_allows(rules)


def test_holding_cap_counts_the_identity_and_ignores_moves_within_it():
    rich = party("b", identity_balance=95)
    assert verdict(c.transfer(SUITE, party("a", balance=9, identity_balance=9), rich, 6))["holding_cap"] is False
    twin = c.Party(wallet="a2", identity="id-a", verified=True, country=FR, holder="id-a", identity_balance=150)
    assert verdict(c.transfer(SUITE, party("a", balance=9, identity_balance=150), twin, 6))["holding_cap"] is True


def test_lockup_frozen_paused_and_balance():
    sender = party("a", balance=50, locked=30, frozen_tokens=10, identity_balance=50)
    rules = verdict(c.transfer(SUITE, sender, party("b", identity_balance=1), 25))
    assert rules["lockup"] is False and rules["balance"] is True
    paused = c.Suite(**{**SUITE.__dict__, "paused": True})
    assert verdict(c.transfer(paused, sender, party("b", identity_balance=1), 5))["paused"] is False
    frozen = party("b", frozen=True, identity_balance=1)
    assert verdict(c.transfer(SUITE, sender, frozen, 5))["frozen"] is False


def test_mint_checks_supply_and_not_pause_or_lockup():
    rules = verdict(c.mint(c.Suite(**{**SUITE.__dict__, "paused": True, "investor_cap": 0}), party("b"), 60))
    assert rules["supply"] is False and "paused" not in rules and "lockup" not in rules


def test_the_platform_kyc_is_a_rule_apart_from_the_chain():
    lapsed = party("a", balance=9, identity_balance=9, kyc_valid=False, kyc_reason="expired on 10 Jan 2026")
    rules = c.transfer(c.Suite(allowed_countries=frozenset({FR})), lapsed, party("b", identity_balance=1), 1)
    assert c.chain_allows(rules) and not c.allowed(rules)
    (kyc,) = c.failing(rules)
    assert kyc.key == "kyc" and "expired" in kyc.detail and "Renew" in kyc.next_step


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200), st.integers(0, 200), st.booleans(),
       st.integers(0, 150))
def test_every_failing_rule_says_what_to_do(balance, locked, frozen_tokens, held, verified, amount):
    sender = party("a", balance=balance, locked=locked, frozen_tokens=frozen_tokens, identity_balance=balance)
    to = c.Party(wallet="b", identity="id-b" if verified else None, verified=verified, country=FR, holder="id-b",
                 identity_balance=held)
    for rules in (c.transfer(SUITE, sender, to, amount), c.mint(SUITE, to, amount)):
        assert all(r.next_step for r in c.failing(rules))
        assert c.allowed(rules) == (not c.failing(rules))
