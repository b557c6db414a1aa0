"""transferability(holding, token, offering, now): whether tokens can move, and the reasons in plain words."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.transfers.transferability import movable, opens_at, transferability

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
OPEN = {"paused": False}
OFFERING = {"projectDetails": {"tokenDecimals": "2"}}


def holding(**extra):
    return {"balance": 1000, "frozen": 0, "isFrozen": False, **extra}


def keys(reasons):
    return [r.key for r in reasons]


def test_open_token_unrestricted_holding_can_move_everything():
    assert transferability(holding(), OPEN, OFFERING, NOW) == (True, [])
    assert movable(holding(), OPEN, OFFERING, NOW) == 1000


def test_paused_token_blocks_and_says_when_it_opens_at_a_date():
    offering = {"projectDetails": {"tokenOpening": "date", "tokenOpensAt": NOW + timedelta(days=3)}}
    can, reasons = transferability(holding(), {"paused": True}, offering, NOW)
    assert not can and keys(reasons) == ["paused"]
    assert "4 Mar 2030, 12:00 UTC" in reasons[0].text and reasons[0].until == NOW + timedelta(days=3)
    assert movable(holding(), {"paused": True}, offering, NOW) == 0


def test_a_token_never_seen_paused_or_unpaused_is_paused():
    can, reasons = transferability(holding(), None, {"projectDetails": {"tokenOpening": "close"}}, NOW)
    assert not can and "opens when the raise closes" in reasons[0].text


def test_paused_again_after_opening_says_the_issuer_paused():
    can, reasons = transferability(holding(), {"paused": True}, {"tokenOpenedAt": NOW}, NOW)
    assert not can and "paused transfers" in reasons[0].text


def test_lockup_of_part_limits_and_of_all_blocks_with_the_release_date():
    release = NOW + timedelta(days=30)
    part = holding(lockedLots=[(400, release), (100, NOW - timedelta(days=1))])  # the second lot is released
    can, reasons = transferability(part, OPEN, OFFERING, NOW)
    assert can and keys(reasons) == ["lockup"] and not reasons[0].blocks
    assert "4 of your tokens are locked up until 31 Mar 2030" in reasons[0].text
    assert movable(part, OPEN, OFFERING, NOW) == 600
    whole = holding(lockedLots=[(1000, int(release.timestamp()))])
    can, reasons = transferability(whole, OPEN, OFFERING, NOW)
    assert not can and reasons[0].blocks and "Your tokens are locked up until 31 Mar 2030" in reasons[0].text
    assert transferability(whole, OPEN, OFFERING, release + timedelta(seconds=1)) == (True, [])


def test_frozen_wallet_partial_and_whole_frozen_balances():
    can, reasons = transferability(holding(isFrozen=True), OPEN, OFFERING, NOW)
    assert not can and keys(reasons) == ["wallet_frozen"]
    can, reasons = transferability(holding(frozen=250), OPEN, OFFERING, NOW)
    assert can and "2.5 of your tokens are frozen" in reasons[0].text
    assert movable(holding(frozen=250), OPEN, OFFERING, NOW) == 750
    can, reasons = transferability(holding(frozen=1000), OPEN, OFFERING, NOW)
    assert not can and "All of your tokens are frozen" in reasons[0].text


def test_frozen_and_locked_parts_together_cover_the_balance():
    h = holding(frozen=600, lockedLots=[(600, NOW + timedelta(days=1))])
    assert movable(h, OPEN, OFFERING, NOW) == 400  # the token checks each separately
    h = holding(frozen=1000 - 1, lockedLots=[(1, NOW + timedelta(days=1))])
    assert movable(h, OPEN, OFFERING, NOW) == 1


def test_not_registered_or_not_verified_blocks():
    can, reasons = transferability(holding(registered=False), OPEN, OFFERING, NOW)
    assert not can and "whitelisted" in reasons[0].text
    can, reasons = transferability(holding(registered=True, verified=False), OPEN, OFFERING, NOW)
    assert not can and keys(reasons) == ["not_verified"]


def test_every_reason_at_once_blocking_first():
    h = holding(isFrozen=True, frozen=10, registered=False, lockedLots=[(5, NOW + timedelta(days=1))])
    can, reasons = transferability(h, {"paused": True}, OFFERING, NOW)
    assert not can
    assert keys(reasons) == ["paused", "wallet_frozen", "not_registered", "lockup", "tokens_frozen"]
    assert [r.blocks for r in reasons] == [True, True, True, False, False]


def test_nothing_held_cannot_move():
    can, reasons = transferability(holding(balance=0), OPEN, OFFERING, NOW)
    assert not can and keys(reasons) == ["empty"]


def test_opening_date_from_mongo_naive_and_iso_text():
    naive = {"projectDetails": {"tokenOpening": "date", "tokenOpensAt": datetime(2030, 1, 2, 3, 4)}}
    assert opens_at(naive) == datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    text = {"projectDetails": {"tokenOpening": "date", "tokenOpensAt": "not a date"}}
    assert opens_at(text) is None
    assert opens_at({"projectDetails": {"tokenOpening": "close", "tokenOpensAt": NOW}}) is None


BIG = st.integers(min_value=0, max_value=2**256 - 1)


@given(balance=BIG, frozen=BIG, locked=BIG, decimals=st.integers(0, 18))
def test_movable_never_exceeds_what_the_token_allows(balance, frozen, locked, decimals):
    h = {"balance": balance, "frozen": frozen, "isFrozen": False, "lockedLots": [(locked, NOW + timedelta(days=1))]}
    offering = {"projectDetails": {"tokenDecimals": str(decimals)}}
    can, reasons = transferability(h, OPEN, offering, NOW)
    amount = movable(h, OPEN, offering, NOW)
    assert 0 <= amount <= balance
    assert amount <= max(balance - frozen, 0)
    assert amount <= max(balance - locked, 0)
    assert can == (amount > 0)
    assert all(r.text for r in reasons)
