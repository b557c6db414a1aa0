"""The pure folds behind chain-sync's holdings and token projections (no server)."""

from app.chain.constants import ZERO_ADDRESS as ZERO
from app.events.projections import fold_holding, fold_token, wallets_of

A, B = "0x" + "a" * 40, "0x" + "b" * 40


def event(name: str, block: int, log: int, **args) -> dict:
    return {"event": name, "blockNumber": block, "logIndex": log, "args": args}


def test_holding_folds_transfers_and_freezes():
    state = {"balance": 0, "frozen": 0, "isFrozen": False, "wm": (-1, -1)}
    for e in (event("Transfer", 1, 0, **{"from": ZERO, "to": A, "value": "100"}),
              event("TokensFrozen", 2, 0, _userAddress=A, _amount=30),
              event("Transfer", 3, 1, **{"from": A, "to": B, "value": 40}),
              event("TokensUnfrozen", 3, 2, _userAddress=A, _amount="10"),
              event("AddressFrozen", 4, 0, _userAddress=A, _isFrozen=True, _owner=B)):
        fold_holding(state, A, e)
    assert state == {"balance": 60, "frozen": 20, "isFrozen": True, "wm": (4, 0)}


def test_token_folds_supply_and_pause():
    state = {"paused": True, "supply": 0, "wm": (-1, -1)}
    for e in (event("Unpaused", 1, 0, _userAddress=A), event("Transfer", 2, 0, **{"from": ZERO, "to": A, "value": 9}),
              event("Transfer", 2, 1, **{"from": A, "to": ZERO, "value": 4})):
        fold_token(state, e)
    assert state == {"paused": False, "supply": 5, "wm": (2, 1)}


def test_mints_and_burns_touch_only_the_holder():
    assert wallets_of(event("Transfer", 1, 0, **{"from": ZERO, "to": A, "value": 1})) == [A]
    assert wallets_of(event("Paused", 1, 0, _userAddress=A)) == []
