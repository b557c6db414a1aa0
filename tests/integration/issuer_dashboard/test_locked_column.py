"""The cap table's locked column on the real stack: read from our LockupModule on anvil when the page is read.

Mints under a lock-up period show as locked on the dashboard and in the CSV; after anvil's clock passes the
release date (evm_increaseTime + evm_mine, no event at all) the same holdings show unlocked. A suite whose
compliance has no lock-up module (as suites deployed before the module) says "no lock-up"."""

from __future__ import annotations

import csv
import io
import secrets
from decimal import Decimal

import pytest
from bson import ObjectId
from eth_account import Account

from app.chain import lockups
from app.chain.agent import unpause
from app.chain.artifacts import contract
from app.chain.suite import deploy_token_suite
from app.chain.tx import function_call, send_call
from app.data import chain_contracts, user_details, users
from app.domain.orders.minting import mint_ready_orders
from app.domain.platform import chain_jobs as runner
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import FRANCE, registered_identity
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.moves_chain_clock  # run last: see tests/conftest.py

DAY = 86_400
UNIT = 10**18  # 18 decimals: locked amounts past 2**63 base units must stay exact


@pytest.fixture
def issuer():
    return make_user("issuer")


def _suite(app, db, wallet, platform, lockup_seconds: int) -> dict:
    suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"lk-{secrets.token_hex(6)}",
                               name="Lockup Lofts", symbol="LKL", decimals=18, owner=wallet.account.address,
                               agents=[wallet.account.address], authorized_countries=[FRANCE], max_balance=0,
                               supply_cap=0, lockup_seconds=lockup_seconds)
    unpause(wallet.w3, wallet.account, suite["token"])
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    return suite


def _offering(db, suite, issuer, title: str) -> dict:
    return list_offering(db, offering_doc(title=title, createdBy=issuer["_id"], tokenAddress=suite["token"],
                                         identityRegistry=suite["identityRegistry"],
                                         details={"tokenDecimals": 18}))


def _holder(app, db, wallet, platform, suite) -> tuple[dict, str]:
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"residenceCountry": "FR", "isKyc": True, "kycStatus": "approved"})
    address = Account.create().address
    registered_identity(wallet, platform, suite["identityRegistry"], address, FRANCE,
                        Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"]))
    user_details.add_verified_wallet(db, user["_id"], address, "metamask")
    return user, address


def _mint_orders(app, db, offering, buys: list[tuple[dict, str, int]]) -> None:
    """Settled orders of whole tokens minted by the platform's own mint jobs (one batchMint); base-unit
    quantities are stored as decimal text (app.data.amounts)."""
    db.orders.insert_many([{"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
                            "walletAddress": address, "quantity": str(whole * UNIT), "price": 100_00,
                            "amount": whole * 100_00, "feeAmount": 0, "totalAmount": whole * 100_00,
                            "paymentMethod": "fiat", "status": "settled", "isSettled": True, "isMinted": False,
                            "investorEmail": user["email"]} for user, address, whole in buys])
    for job_id in mint_ready_orders(app.config, offering["_id"]):
        assert runner.execute(app.config, job_id)["status"] == "done"


def _locked_cells(page: str) -> list[str]:
    return [cell.split("</td>")[0] for cell in page.split('data-testid="cap-locked">')[1:]]


def _travel(w3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def _csv_rows(client, offering) -> dict[str, dict]:
    answer = client.get(f"/issuer/offerings/{offering['_id']}/cap-table.csv")
    assert answer.status_code == 200
    return {row["wallet"]: row for row in csv.DictReader(io.StringIO(answer.text))}


def test_minted_tokens_show_locked_until_the_release_date(app, db, wallet, platform, chain_workers, issuer,
                                                         monkeypatch):
    monkeypatch.setattr(lockups, "BATCH_SIZE", 2)  # three holders: two JSON-RPC batches
    suite = _suite(app, db, wallet, platform, lockup_seconds=DAY)
    offering = _offering(db, suite, issuer, "Lockup Lofts")
    (alice, a), (bob, b), (carol, c) = (_holder(app, db, wallet, platform, suite) for _ in range(3))
    _mint_orders(app, db, offering, [(alice, a, 10), (bob, b, 20), (carol, c, 30)])
    wait_for(lambda: all(db.holdings.find_one({"_id": f"{suite['token']}:{w}"}) for w in (a, b, c)),
             what="chain-sync's holdings of the three minted wallets")
    locked_now = {w: lockups.locked_balances(wallet.w3, platform, suite["modularCompliance"], [w])[w]
                  for w in (a, b, c)}
    token = contract(wallet.w3, "Token", suite["token"])
    assert locked_now == {w: token.functions.balanceOf(w).call() for w in (a, b, c)} == \
        {a: 10 * UNIT, b: 20 * UNIT, c: 30 * UNIT}

    client = signed_in_client(app, issuer)
    rows = _csv_rows(client, offering)
    assert {w: Decimal(row["locked tokens"]) for w, row in rows.items()} == {a: 10, b: 20, c: 30}
    page = client.get(f"/issuer/offerings/{offering['_id']}/dashboard").text
    assert _locked_cells(page) == ["30", "20", "10"]  # largest holding first
    assert "lock-up period now" in page and "no lock-up" not in page

    _travel(wallet.w3, DAY + 1)  # the release date passes; nothing is sent, no event is synced
    rows = _csv_rows(client, offering)
    assert {w: Decimal(row["locked tokens"]) for w, row in rows.items()} == {a: 0, b: 0, c: 0}
    assert {w: int(row["token base units"]) for w, row in rows.items()} == {a: 10 * UNIT, b: 20 * UNIT, c: 30 * UNIT}
    page = client.get(f"/issuer/offerings/{offering['_id']}/dashboard").text
    assert _locked_cells(page) == ["0", "0", "0"]


def test_a_suite_without_the_lockup_module_says_no_lockup(app, db, wallet, platform, chain_workers, issuer):
    suite = _suite(app, db, wallet, platform, lockup_seconds=0)
    compliance = contract(wallet.w3, "ModularCompliance", suite["modularCompliance"])
    # As a suite deployed before the platform had the module: its compliance does not have it bound.
    send_call(wallet.w3, wallet.account, function_call(compliance, "removeModule", platform["lockupModule"]))
    assert lockups.lockup_compliance(wallet.w3, platform, suite["token"]) is None
    offering = _offering(db, suite, issuer, "Old Suite House")
    holder, address = _holder(app, db, wallet, platform, suite)
    _mint_orders(app, db, offering, [(holder, address, 5)])
    wait_for(lambda: db.holdings.find_one({"_id": f"{suite['token']}:{address}"}),
             what="chain-sync's holding of the minted wallet")

    client = signed_in_client(app, issuer)
    assert _csv_rows(client, offering)[address]["locked tokens"] == "no lock-up"
    page = client.get(f"/issuer/offerings/{offering['_id']}/dashboard").text
    assert 'data-testid="cap-locked">no lock-up</td>' in page
    assert "deployed without the lock-up module" in page
