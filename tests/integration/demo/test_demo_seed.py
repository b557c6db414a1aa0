"""`flask demo seed` on the test stack: the platform's own services make the demo, and a second run adds nothing."""

from __future__ import annotations

import pytest
from web3 import Web3

from app import create_app
from app.chain.artifacts import contract
from app.data import orders
from app.data.mongo import get_db
from app.demo import people, seed
from tests.fixtures.demo import run_seed

SENT = 25 * 10**17  # the demo's holder transfer: 2.5 Harbourside Lofts tokens (18 decimals), investor 1 to 2
MOVED = {(people.INVESTORS[0].email, "Harbourside Lofts"): -SENT,
         (people.INVESTORS[1].email, "Harbourside Lofts"): SENT}

COLLECTIONS = ("users", "userdetails", "offerings", "whitelists", "orders", "outbox", "chainJobs", "auditLogs",
               "navHistory", "distributions", "dividends")


@pytest.fixture(scope="module")
def demo_app(demo_site):
    app = create_app()
    with app.app_context():
        yield app


def counts(db) -> dict[str, int]:
    return {name: db[name].count_documents({}) for name in COLLECTIONS}


def test_the_demo_has_people_offerings_and_minted_orders(demo_site, demo_app):
    db = get_db()
    assert "demo login  admin" in demo_site["first_run"].stdout
    by_email = {u["email"]: u for u in db.users.find({})}
    assert by_email[people.ADMIN_PERSON.email]["userType"] == "admin"
    assert by_email[people.ISSUER_PERSON.email]["userType"] == "issuer"
    for person in (people.ISSUER_PERSON, *people.INVESTORS):
        assert by_email[person.email]["isKyc"] is True and by_email[person.email]["kycStatus"] == "approved"
    for person in people.INVESTORS:
        assert by_email[person.email]["onchainID"]
    statuses = sorted(o["status"] for o in db.offerings.find({}))
    assert statuses == ["live", "live", "live", "submitted"]
    assert all((o.get("overview") or {}).get("cover") for o in db.offerings.find({}))
    placed = list(db.orders.find({}))
    assert len(placed) == len(seed.ORDERS)
    assert {o["paymentMethod"] for o in placed} == {"fiat", "crypto"}
    assert all(o["isMinted"] for o in placed)


def test_the_tokens_are_on_chain_in_the_investors_wallets(demo_site, demo_app):
    db, config = get_db(), demo_app.config
    w3 = Web3(Web3.HTTPProvider(config["ETH_RPC_URL"]))
    for placed in map(orders.decoded, db.orders.find({})):
        offering = db.offerings.find_one({"_id": placed["offeringId"]})
        investor = db.users.find_one({"_id": placed["userId"]})
        wallet = people.wallet_of(config, investor["email"]).address
        token = contract(w3, "Token", offering["tokenAddress"])
        held = sum(int(o["quantity"]) for o in map(orders.decoded, db.orders.find({"userId": investor["_id"],
                                                                                  "offeringId": offering["_id"]})))
        held += MOVED.get((investor["email"], offering["overview"]["title"]), 0)  # the demo's holder transfer
        assert placed["walletAddress"] == wallet
        assert token.functions.balanceOf(wallet).call() == held


def test_each_stage_was_mailed_once(demo_site, demo_app):
    db = get_db()
    investor = people.INVESTORS[0].email
    subjects = [m["subject"] for m in db.outbox.find({"to": investor})]
    assert subjects.count("Libertum: Your identity is verified") == 1
    assert sum(s.endswith(": how to pay") for s in subjects) == 2  # two orders, each mailed its instructions
    assert subjects.count("Libertum: Your tokens are minted") == 2
    assert [m["subject"] for m in db.outbox.find({"to": people.ISSUER_PERSON.email}) if m["subject"].endswith(
        " is live")] == ["Libertum: Harbourside Lofts is live", "Libertum: Canal Street Offices is live",
                         "Libertum: Old Mill Cottages is live"]


def test_harbourside_has_a_nav_history_of_two_approved_valuations(demo_site, demo_app):
    db = get_db()
    harbour = db.offerings.find_one({"overview.title": "Harbourside Lofts"})
    history = harbour["navHistory"]
    assert [entry["nav"] for entry in history] == [104_50, 108_25] and history[0]["date"] < history[1]["date"]
    assert harbour["projectDetails"]["latestNav"] == 108_25
    assert history[0]["date"] >= harbour["projectDetails"]["startDate"]
    proposals = list(db.navHistory.find({"offeringId": harbour["_id"]}))
    assert sorted(p["status"] for p in proposals) == ["approved", "approved"]
    assert all(len(p["reportHash"]) == 64 for p in proposals)


def test_two_distributions_were_paid_one_in_stablecoin_one_by_bank_transfer(demo_site, demo_app):
    db, config = get_db(), demo_app.config
    paid = {d["paymentMethod"]: d for d in db.distributions.find({})}
    assert set(paid) == {"stablecoin", "fiat"} and {d["status"] for d in paid.values()} == {"paid"}
    assert (paid["stablecoin"]["totalAmount"], paid["fiat"]["totalAmount"]) == (96_00, 60_00)
    w3 = Web3(Web3.HTTPProvider(config["ETH_RPC_URL"]))
    for method, distribution in paid.items():
        lines = list(db.dividends.find({"distributionId": distribution["_id"]}))
        assert lines and {line["status"] for line in lines} == {"paid"}
        assert sum(line["grossAmount"] for line in lines) == distribution["totalAmount"]
        for line in lines:
            if method == "stablecoin":
                receipt = w3.eth.get_transaction_receipt(line["txHash"])
                assert receipt["status"] == 1
            else:
                assert line["bankReference"].startswith("DEMO-BANK-")


def test_the_tokens_are_open_and_their_holders_were_told_once(demo_site, demo_app):
    db = get_db()
    w3 = Web3(Web3.HTTPProvider(demo_app.config["ETH_RPC_URL"]))
    for offering in db.offerings.find({"status": "live"}):
        assert offering["tokenOpenedAt"] and offering["tokenPaused"] is False
        assert contract(w3, "Token", offering["tokenAddress"]).functions.paused().call() is False
    subjects = [m["subject"] for m in db.outbox.find({"to": people.INVESTORS[1].email})]
    assert sorted(s for s in subjects if s.endswith("can now be transferred")) == [
        "Libertum: Your Harbourside Lofts tokens can now be transferred",
        "Libertum: Your Old Mill Cottages tokens can now be transferred"]


def test_one_holder_transfer_went_through_the_platform_and_both_portfolios_show_it(demo_site, demo_app):
    db = get_db()
    [sent] = list(db.holderTransfers.find({}))
    assert sent["status"] == "done" and int(sent["amount"]) == SENT
    assert sent["toWallet"] == people.wallet_of(demo_app.config, people.INVESTORS[1].email).address
    harbour = db.offerings.find_one({"overview.title": "Harbourside Lofts"})
    held = {h["wallet"]: int(h["balance"]) for h in db.holdings.find({"token": harbour["tokenAddress"]})}
    assert held[sent["fromWallet"]] == 20 * 10**18 - SENT and held[sent["toWallet"]] == 12 * 10**18 + SENT


def test_harbourside_converts_to_erc20_and_the_locked_ones_say_until_when(demo_site, demo_app):
    db = get_db()
    harbour = db.offerings.find_one({"overview.title": "Harbourside Lofts"})
    assert harbour["iserc20"] is True and harbour["erc20Address"]
    assert db.converts.count_documents({"tokenAddress": harbour["tokenAddress"]}) == 1
    canal = db.offerings.find_one({"overview.title": "Canal Street Offices"})
    assert canal["projectDetails"]["lockupMonths"] == 12 and not canal.get("iserc20")


def test_a_second_run_adds_nothing(demo_site, demo_app):
    db = get_db()
    before = counts(db)
    again = run_seed(demo_site["env"])
    assert again.returncode == 0, again.stderr
    assert "already there (nothing added)" in again.stdout
    assert counts(db) == before


def test_the_demo_refuses_production(demo_site):
    refused = run_seed({**demo_site["env"], "LIBERTUM_ENV": "production", "SESSION_COOKIE_SECURE": "true"})
    assert refused.returncode != 0
    assert "never runs in production" in refused.stderr
