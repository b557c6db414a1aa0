"""The issuer's dashboard on the real stack: anvil, chain-monitor and chain-sync processes, FerretDB.

The cap table must equal `balanceOf` on chain for every holder after mints, a forced transfer, freezes and a
burn; the dashboard's figures follow a scripted sequence; nobody but the issuer (and staff with the
offerings permission) sees any of it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.data import chain_contracts, user_details, users
from app.domain.orders.minting import mint_ready_orders
from app.domain.platform import chain_jobs as runner
from app.domain.platform import uploads
from tests.factories import PDF_BYTES, list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import wait_for

T0 = datetime(2026, 3, 1, tzinfo=UTC)  # settlement times of the scripted orders (the chart's x axis)


@pytest.fixture
def issuer():
    return make_user("issuer")


@pytest.fixture
def board_offering(app, db, suite, wallet, issuer):
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    doc = offering_doc(title="Dashboard Court", createdBy=issuer["_id"], tokenAddress=suite["token"],
                       identityRegistry=suite["identityRegistry"], raisedAmount=60 * 100_00)
    stored = uploads.store(app.config["UPLOAD_DIR"], str(doc["_id"]), io.BytesIO(PDF_BYTES), 10_000)
    doc["documents"] = {"pitchDeck": stored.name}
    return list_offering(db, doc)


def _investor(db, verified, country: str) -> tuple[dict, str]:
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"residenceCountry": country, "isKyc": True, "kycStatus": "approved"})
    address = verified()
    user_details.add_verified_wallet(db, user["_id"], address, "metamask")
    return {**user, "residenceCountry": country}, address


def _order(user, offering, address, quantity, status, settled_day=None) -> dict:
    doc = {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"], "walletAddress": address,
           "quantity": quantity, "price": 100_00, "amount": quantity * 100_00, "feeAmount": 100,
           "totalAmount": quantity * 100_00 + 100, "paymentMethod": "fiat", "status": status,
           "isSettled": status == "settled", "isMinted": False, "investorEmail": user["email"],
           "orderReceived": T0}
    if settled_day is not None:
        doc["settledAt"] = T0 + timedelta(days=settled_day)
    return doc


def _whitelist(user, offering, **fields) -> dict:
    return {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"], "userEmail": user["email"],
            "requestedAt": T0, **fields}


def test_cap_table_equals_balance_of_after_mints_transfers_freezes_and_burns(
        app, db, wallet, suite, chain_workers, verified, issuer, board_offering):
    token = contract(wallet.w3, "Token", suite["token"])
    (alice, a), (bob, b), (carol, c) = (_investor(db, verified, country) for country in ("GB", "FR", "DE"))
    db.orders.insert_many([_order(alice, board_offering, a, 10, "settled", 0),
                           _order(bob, board_offering, b, 20, "settled", 1),
                           _order(carol, board_offering, c, 30, "settled", 2),
                           _order(alice, board_offering, a, 7, "pending_payment"),
                           _order(bob, board_offering, b, 3, "cancelled")])
    db.whitelists.insert_many([
        _whitelist(alice, board_offering, status="approved", taStatus="approved", adminStatus="approved",
                   is_signed=True, signedAt=T0, template_id="subscription-agreement", onChainRegistered=True),
        _whitelist(bob, board_offering, status="signed", taStatus="approved", is_signed=True, signedAt=T0),
        _whitelist(carol, board_offering, status="pending_signature", taStatus="pending"),
        _whitelist(make_user("investor"), board_offering, status="declined", taStatus="pending")])
    db.auditLogs.insert_one({"event": "offering.submitted", "at": T0, "actorEmail": issuer["email"],
                             "details": {"offeringId": str(board_offering["_id"])}})

    mint_jobs = mint_ready_orders(app.config, board_offering["_id"])
    for job_id in mint_jobs:
        assert runner.execute(app.config, job_id)["status"] == "done"
    forced = ops.forced_transfer(wallet.w3, wallet.account, suite["token"], c, a, 5)  # carol 25, alice 15
    ops.burn(wallet.w3, wallet.account, suite["token"], b, 4)  # bob 16
    ops.freeze_partial_tokens(wallet.w3, wallet.account, suite["token"], c, 6)
    ops.set_address_frozen(wallet.w3, wallet.account, suite["token"], a, True)
    on_chain = {w: token.functions.balanceOf(w).call() for w in (a, b, c)}
    assert on_chain == {a: 15, b: 16, c: 25}
    wait_for(lambda: db.holdings.find_one({"_id": f"{suite['token']}:{a}", "isFrozen": True}),
             what="the synced wallet freeze (the last event)")

    issuer_client = signed_in_client(app, issuer)
    download = issuer_client.get(f"/issuer/offerings/{board_offering['_id']}/cap-table.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = {row["wallet"]: row for row in csv.DictReader(io.StringIO(download.text))}
    assert {w: int(row["token base units"]) for w, row in rows.items()} == on_chain
    assert {w: row["percentage of supply"] for w, row in rows.items()} == {a: "26.78", b: "28.57", c: "44.64"}
    assert rows[c]["frozen tokens"] == "6" and rows[a]["wallet frozen"] == "yes" and rows[b]["wallet frozen"] == "no"
    assert rows[a]["country"] == "GB" and rows[a]["email"] == alice["email"] and rows[a]["locked tokens"] == "0"

    page = issuer_client.get(f"/issuer/offerings/{board_offering['_id']}/dashboard").text
    assert page.count('data-testid="cap-row"') == 3
    assert 'data-testid="raised">Raised $6,000 of $1,000,000 (0.6%)' in page
    wait_for(lambda: db.orders.count_documents({"offeringId": board_offering["_id"], "isMinted": True}) == 3,
             what="chain-sync marking the three orders minted")
    page = issuer_client.get(f"/issuer/offerings/{board_offering['_id']}/dashboard").text
    assert '<tr data-testid="orders-minted"><td>Minted</td><td>3</td><td>$6,003</td>' in page
    assert '<tr data-testid="orders-settled"><td>Paid, minting</td><td>0</td>' in page
    assert '<tr data-testid="orders-pending_payment"><td>Awaiting payment</td><td>1</td><td>$701</td>' in page
    assert '<tr data-testid="orders-cancelled"><td>Cancelled</td><td>1</td><td>$301</td>' in page
    for stage, count in (("requested", 3), ("signed", 2), ("ta_approved", 2), ("approved", 1), ("registered", 1)):
        assert f'<tr data-testid="pipeline-{stage}"><td>' in page
        assert page.split(f'data-testid="pipeline-{stage}"')[1].split("</tr>")[0].endswith(f"<td>{count}</td>")
    assert '<tr data-testid="pipeline-refused"><td>Rejected, declined or expired</td><td>1</td>' in page
    assert 'aria-label="Amount raised over time against the target"' in page
    assert page.count('data-testid="investor-row"') == 3 and page.count('data-testid="event-row"') == 1
    assert "accepted (e-signed)" in page and "subscription-agreement" in page

    observed = signed_in_client(app, make_user("admin")).get("/admin/transactions/observed?event=Transfer").text
    rows = observed.split('data-testid="observed-row"')[1:]
    forced_hash = forced["transactionHash"].to_0x_hex()
    assert next(r for r in rows if forced_hash in r).count("<td>no</td>") == 1, "sent outside the platform's jobs"
    assert sum(1 for r in rows if mint_jobs[0] in r) == 3, "the batch's three mints name their job"

    reader = signed_in_client(app, alice)
    assert reader.get(f"/offerings/{board_offering['_id']}/documents/pitchDeck").status_code == 200
    page = issuer_client.get(f"/issuer/offerings/{board_offering['_id']}/dashboard").text
    opened = [row for row in page.split('data-testid="access-row"')[1:] if "opened" in row.split("</tr>")[0]]
    assert len(opened) == 1 and alice["email"] in opened[0] and board_offering["documents"]["pitchDeck"] in opened[0]


@pytest.mark.parametrize("viewer, allowed", [
    ("owner", True), ("other_issuer", False), ("investor", False), ("offerings_staff", True), ("kyc_staff", False),
    ("admin", True)])
def test_only_the_issuer_and_offerings_staff_see_the_dashboard(app, db, issuer, viewer, allowed):
    offering = list_offering(db, offering_doc(title="Private Figures", createdBy=issuer["_id"]))
    user = {"owner": lambda: issuer, "other_issuer": lambda: make_user("issuer"),
            "investor": lambda: make_user("investor"),
            "offerings_staff": lambda: make_user("subadmin", permissions=["offerings"]),
            "kyc_staff": lambda: make_user("subadmin", permissions=["kyc"]),
            "admin": lambda: make_user("admin")}[viewer]()
    client = signed_in_client(app, user)
    for path in ("dashboard", "cap-table.csv"):
        answer = client.get(f"/issuer/offerings/{offering['_id']}/{path}")
        assert answer.status_code == (200 if allowed else 404), (viewer, path)
        assert ("Private Figures" in answer.text) == (allowed and path == "dashboard")
    assert client.get(f"/issuer/offerings/{ObjectId()}/dashboard").status_code == 404
    assert client.get("/issuer/offerings/not-an-id/cap-table.csv").status_code == 404
