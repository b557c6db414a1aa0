"""In Chromium on a 390-px phone: staff find a line the stablecoin refused in "Held or undone lines", press "Try
paying again", confirm the browser's question (htmx), and the line is paid once through the payout's batch path (the
worker, the chain monitor and chain-sync as processes); the wallet's Test USD balance, read through web3, rose by
exactly its net."""

from __future__ import annotations

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect

from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data import dividends
from app.domain.distributions import rules
from app.domain.payments.stablecoin import faucet, treasury
from tests.factories import distribution_with_lines
from tests.fixtures.accounts import make_user
from tests.fixtures.pages import phone_problems, serious_violations, sign_in
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.e2e
NET_CENTS = 45_67


def test_staff_pay_a_refused_line_again_from_a_phone(page: Page, base_url: str, app, db, platform,
                                                      platform_processes):
    holder = Account.create().address
    dist = distribution_with_lines(db, {holder: NET_CENTS}, status="paid", offering_name="Repay Row")
    # the payout held it: the coin refused this wallet then
    db.dividends.update_one({"_id": dividends.line_id(dist["_id"], holder)},
                            {"$set": {"status": "held", "heldReason": "The stablecoin refused the transfer to this "
                                                                    "wallet: blocked for the test."}})
    usd = contract(hot_wallet(app.config).w3, "TestUSD", platform["stablecoin"]["address"])
    units = rules.stablecoin_units(NET_CENTS, usd.functions.decimals().call())
    faucet(app.config, treasury(app.config), units)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base_url, make_user("subadmin", permissions=["dividends"])["email"])
    page.goto(f"{base_url}/admin/distributions/{dist['_id']}/payout")
    expect(page.get_by_test_id("attention-line")).to_contain_text("blocked for the test")
    assert serious_violations(page) == []
    assert phone_problems(page) == []
    questions: list[str] = []

    def accept(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()
    page.on("dialog", accept)
    page.get_by_role("button", name="Try paying again").click()
    expect(page.get_by_text("The line is queued for payment")).to_be_visible()
    assert questions and "again?" in questions[0], "asked first"

    def paid() -> bool:
        page.reload()
        return page.get_by_test_id("distribution-status").inner_text() == "Paid" and \
            page.get_by_test_id("count-paid").inner_text() == "1"
    wait_for(paid, timeout=150, what="the line paid")
    assert usd.functions.balanceOf(holder).call() == units
    assert phone_problems(page) == []
    line = dividends.by_id(db, dividends.line_id(dist["_id"], holder))
    assert line["status"] == "paid" and line["payAttempt"] == 1 and line["txHash"]
