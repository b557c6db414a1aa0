"""Each kind of agent action made as a case, decided and executed on anvil, and the projection showing it:
frozen amounts, frozen wallets, the paused flag, a burn lowering the supply, a forced transfer and a wallet
recovery moving the balance. One-person kinds run on the maker's confirmation; the others need a checker."""

from __future__ import annotations

from eth_account import Account

from app.chain.artifacts import contract
from app.data import agent_actions
from app.data.ids import parse_id
from app.data.user_details import add_verified_wallet
from tests.fixtures.processes import run_jobs, wait_for
from tests.integration.enforcement.conftest import TOKEN, case_id_of, decide, holding, make_case, staff


def run_case(db, maker, kind: str, offering: dict, checker=None, **fields) -> dict:
    """Make, approve (the maker's confirmation, or the checker's approval) and execute one case."""
    cid = case_id_of(make_case(maker, offering, kind, **fields))
    assert decide(checker or maker, cid, "approve").status_code == 303
    run_jobs("chain")
    case = agent_actions.by_id(db, parse_id(cid))
    assert case["state"] == "executed", case
    return case


def supply_synced(db, offering: dict):
    return (db.chainTokens.find_one({"_id": offering["tokenAddress"]}) or {})


def test_freezes_and_pauses_run_on_the_makers_confirmation_and_reach_the_projections(app, db, book):
    offering, a = book["offering"], book["a"]["account"].address
    maker = staff(app)
    run_case(db, maker, "freeze_partial", offering, wallet=a, amount="2.5")
    wait_for(lambda: holding(db, offering, a).get("frozen") == str(25 * TOKEN // 10), what="2.5 tokens frozen")
    run_case(db, maker, "unfreeze_partial", offering, wallet=a, amount="0.5")
    wait_for(lambda: holding(db, offering, a).get("frozen") == str(2 * TOKEN), what="2 tokens still frozen")
    run_case(db, maker, "freeze_address", offering, wallet=a)
    wait_for(lambda: holding(db, offering, a).get("isFrozen") is True, what="the wallet frozen")
    run_case(db, maker, "unfreeze_address", offering, wallet=a)
    wait_for(lambda: holding(db, offering, a).get("isFrozen") is False, what="the wallet unfrozen")
    run_case(db, maker, "pause", offering)
    wait_for(lambda: supply_synced(db, offering).get("paused") is True, what="the token paused")
    case = run_case(db, maker, "unpause", offering)
    wait_for(lambda: supply_synced(db, offering).get("paused") is False, what="the token unpaused")
    page = maker.get(f"/admin/enforcement/{case['_id']}").text
    assert "Executed" in page and case["txHash"] in page and f"block {case['blockNumber']}" in page
    events = [e["event"] for e in db.auditLogs.find({"event": {"$regex": "^agent_action"}})]
    assert events.count("agent_action.executed") == 6 and events.count("agent_action.created") == 6


def test_burn_forced_transfer_and_recovery_need_a_checker_and_move_the_balances(app, db, book):
    offering, token, w3 = book["offering"], book["token"], book["hot"].w3
    a, b = book["a"]["account"].address, book["b"]["account"].address
    maker, checker = staff(app), staff(app)
    supply = token.functions.totalSupply().call()
    run_case(db, maker, "burn", offering, checker, wallet=b, amount="1.25")
    assert token.functions.totalSupply().call() == supply - 125 * TOKEN // 100
    wait_for(lambda: supply_synced(db, offering).get("totalSupply") == str(supply - 125 * TOKEN // 100),
             what="the burn lowering the synced supply")

    run_case(db, maker, "forced_transfer", offering, checker, wallet=a, to_wallet=b, amount="3")
    wait_for(lambda: holding(db, offering, b).get("balance") == str(375 * TOKEN // 100 + 3 * TOKEN),
             what="the forced transfer synced")
    assert holding(db, offering, a)["balance"] == str(7 * TOKEN)

    new_wallet = Account.create().address
    add_verified_wallet(db, book["a"]["_id"], new_wallet, "metamask")  # the investor proved it by signature
    run_case(db, maker, "recovery", offering, checker, wallet=a, new_wallet=new_wallet)
    wait_for(lambda: holding(db, offering, new_wallet).get("balance") == str(7 * TOKEN), what="the recovery synced")
    assert (token.functions.balanceOf(a).call(), token.functions.balanceOf(new_wallet).call()) == (0, 7 * TOKEN)
    registry = contract(w3, "IdentityRegistry", offering["identityRegistry"])
    assert registry.functions.isVerified(new_wallet).call() and not registry.functions.contains(a).call()
    assert holding(db, offering, a)["balance"] == "0"
    listed = db.whitelists.find_one({"_id": book["a"]["whitelist_id"]})  # the whitelisting follows the wallet
    assert (listed["address"], listed["recoveredFrom"], listed["status"]) == (new_wallet, a, "approved")
