"""Conversion to ERC-20 on the real stack: the issuer enables it (the ERC-20 deployed, recorded in `converts` and on
the offering, watched by the monitor), a holder converts both ways from the portfolio, and chain-sync's holdings
show both balances."""

from __future__ import annotations

import re

from bson import ObjectId

from app.chain.artifacts import contract
from tests.fixtures.accounts import post
from tests.fixtures.processes import wait_for
from tests.integration.conversion.conftest import UNIT, wait_balance

KEY = re.compile(r'name="request_key" value="([0-9a-f]+)"')


def enable(db, issuer_client, offering) -> dict:
    answer = post(issuer_client, f"/issuer/conversion/{offering['_id']}")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return wait_for(lambda: db.offerings.find_one({"_id": offering["_id"], "iserc20": True}), 120,
                    "conversion enabled on the offering")


def convert(client, offering, wallet: str, quantity: str, direction: str = "toErc20", key: str | None = None):
    page = client.get(f"/portfolio/convert/{offering['_id']}")
    assert page.status_code == 200
    key = key or KEY.search(page.get_data(as_text=True)).group(1)
    answer = post(client, f"/portfolio/convert/{offering['_id']}",
                  {"direction": direction, "wallet": wallet, "quantity": quantity, "request_key": key})
    return answer, key


def job_done(db, location: str) -> dict:
    key = location.split("/portfolio/conversions/", 1)[1]
    return wait_for(lambda: (db.chainJobs.find_one({"_id": key, "status": {"$in": ["done", "failed"]}})), 60,
                    f"conversion {key} closed")


def test_enable_then_convert_both_ways_with_balances_from_chain_sync(app, db, offering, issuer_client, holder, token,
                                                                      wallet, monitor, sync, worker):
    alice = holder(100)
    board = issuer_client.get(f"/issuer/offerings/{offering['_id']}/dashboard").get_data(as_text=True)
    assert f'href="/issuer/conversion/{offering["_id"]}" data-testid="conversion-link"' in board
    page = issuer_client.get(f"/issuer/conversion/{offering['_id']}")
    assert page.status_code == 200 and "Enable conversion to ERC-20" in page.get_data(as_text=True)

    enabled = enable(db, issuer_client, offering)
    erc20_address = enabled["erc20Address"]
    record = db.converts.find_one({"tokenAddress": offering["tokenAddress"]})
    assert record["erc20Address"] == erc20_address and record["createdAt"] and record["offeringId"] == offering["_id"]
    erc20 = contract(wallet.w3, "ConvertibleERC20", erc20_address)
    assert erc20.functions.name().call() == "Canal Warehouse (ERC-20)"
    assert erc20.functions.symbol().call() == "CWH20" and erc20.functions.decimals().call() == 18
    assert erc20.functions.converter().call() == wallet.account.address
    assert token.functions.isAgent(erc20_address).call()
    assert db.chainContracts.find_one({"address": erc20_address})["watching"] is True
    shown = issuer_client.get(f"/issuer/conversion/{offering['_id']}").get_data(as_text=True)
    assert erc20_address in shown

    wait_balance(db, offering["tokenAddress"], alice["wallet"], 100 * UNIT)
    answer, key = convert(alice["client"], offering, alice["wallet"], "40.5")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert job_done(db, answer.headers["Location"])["status"] == "done"
    wait_balance(db, erc20_address, alice["wallet"], 405 * UNIT // 10)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 595 * UNIT // 10)

    again, _ = convert(alice["client"], offering, alice["wallet"], "40.5", key=key)  # the same form sent twice
    assert again.headers["Location"] == answer.headers["Location"]
    assert erc20.functions.totalSupply().call() == 405 * UNIT // 10, "one conversion for one form"

    back, _ = convert(alice["client"], offering, alice["wallet"], "0.5", direction="toSecurity")
    assert back.status_code == 303, back.get_data(as_text=True)
    assert job_done(db, back.headers["Location"])["status"] == "done"
    wait_balance(db, erc20_address, alice["wallet"], 40 * UNIT)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 60 * UNIT)
    assert token.functions.balanceOf(alice["wallet"]).call() == 60 * UNIT
    assert token.functions.totalSupply().call() + erc20.functions.totalSupply().call() == 100 * UNIT

    html = alice["client"].get(f"/portfolio/convert/{offering['_id']}").get_data(as_text=True)
    assert re.search(r'data-testid="security-balance">60<', html)
    assert re.search(r'data-testid="erc20-balance">40<', html)
    portfolio = alice["client"].get("/portfolio/").get_data(as_text=True)  # both balances in the portfolio
    assert re.search(r'data-testid="balance">60<', portfolio) and "Convert to ERC-20" in portfolio
    assert f'data-erc20="{erc20_address}"' in portfolio
    assert re.search(r'data-testid="erc20-balance">40</span> CWH20', portfolio)
    status = alice["client"].get(back.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in status
    other = holder(1)
    assert other["client"].get(back.headers["Location"]).status_code == 404, "someone else's conversion is hidden"
    assert db.offerings.find_one({"_id": ObjectId(offering["_id"])})["iserc20"] is True


def test_a_failed_enabling_shows_the_reason_and_enabling_again_starts_the_next_attempt(app, db, offering, holder,
                                                                                      issuer_client, wallet, monitor,
                                                                                      sync, worker):
    real_token = offering["tokenAddress"]
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"tokenAddress": wallet.account.address}})  # no token
    assert post(issuer_client, f"/issuer/conversion/{offering['_id']}").status_code == 303
    failed = wait_for(lambda: db.chainJobs.find_one({"_id": f"deployErc20:{offering['_id']}:1", "status": "failed"}),
                      60, "the first attempt failed")
    assert "ConvertibleERC20" in failed["error"] or "deploy" in failed["error"]
    page = issuer_client.get(f"/issuer/conversion/{offering['_id']}").get_data(as_text=True)
    assert 'data-status="failed"' in page and "The deployment failed" in page and "Enable conversion" in page

    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"tokenAddress": real_token}})
    enabled = enable(db, issuer_client, offering)
    assert db.chainJobs.find_one({"_id": f"deployErc20:{offering['_id']}:2"})["status"] == "done"
    assert db.converts.count_documents({}) == 1 and enabled["erc20Address"]
    again = post(issuer_client, f"/issuer/conversion/{offering['_id']}")
    assert again.status_code == 422 and "already enabled" in again.get_data(as_text=True)
