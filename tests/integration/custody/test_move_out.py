"""Moving holdings out of a held wallet to the investor's own wallet, on the real stack: the own wallet proven by
signature (EIP-4361), the move refused without a valid second-factor code, a transfer request in the seed's
TransferRequet shape, the maker unable to approve it, a rejection needing its reason, and an approval executed
once on chain (identity and registration of the new wallet, the agent's forcedTransfer on a paused token) however
often it is approved or its job rerun; the recovered balance is on chain and in the portfolio."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.wallet import hot_wallet
from app.data import transfer_requests
from app.domain.custody import service as custody
from app.domain.onboarding.identities import create_identities
from app.domain.transfers import execution, review
from app.domain.whitelisting.review import country_code
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import live_offering
from tests.fixtures.processes import run_jobs, wait_for
from tests.integration.custody.conftest import form, walletless_investor

DECIMALS = 18
QUANTITY = 7 * 10 ** DECIMALS


@pytest.fixture
def holder(app, db, platform, chain_workers):
    """A walletless investor whose held wallet holds QUANTITY of a paused token, synced into holdings."""
    offering = live_offering(app, platform, details={"tokenDecimals": DECIMALS})
    investor = walletless_investor()
    held = custody.create_held_wallet(app.config, investor)
    identity = create_identities(str(investor["_id"]))[held]
    hot = hot_wallet(app.config)
    ops.register_identity(hot.w3, hot.account, offering["identityRegistry"], held, identity, country_code("GB"))
    ops.mint(hot.w3, hot.account, offering["tokenAddress"], held, QUANTITY)
    wait_for(lambda: db.holdings.find_one({"_id": f"{offering['tokenAddress']}:{held}", "balance": str(QUANTITY)}),
             timeout=90, what="the minted holding synced")  # chain-sync rejoining its group after the last test
    client = signed_in_client(app, investor)
    return {"user": investor, "client": client, "held": held, "offering": offering}


def prove_own_wallet(client) -> str:
    """Connect a wallet as the page's script does: ask for the message, sign it, send both back."""
    own = Account.create()
    message = form(client, "/onboarding/wallets/message", {"address": own.address}).get_json()["message"]
    signature = "0x" + bytes(own.sign_message(encode_defunct(text=message)).signature).hex()
    assert form(client, "/onboarding/wallets", {"message": message, "signature": signature}).status_code == 200
    return own.address


def turn_on_2fa(client) -> str:
    form(client, "/auth/2fa/setup")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', client.get("/auth/2fa").text).group(1)
    enabled = form(client, "/auth/2fa/enable", {"code": pyotp.TOTP(secret).now()})
    assert enabled.status_code == 200
    client.recovery_codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", enabled.text)
    return secret


def test_a_move_needs_the_second_factor(app, db, holder):
    client = holder["client"]
    own = prove_own_wallet(client)
    page = client.get("/onboarding/wallets/held").text
    assert "Turn on two-factor authentication" in page and "7 tokens" in page
    without = form(client, "/onboarding/wallets/held/move", {"wallet": own, "code": "123456"})
    assert without.status_code == 422 and "Turn on two-factor authentication first" in without.text

    secret = turn_on_2fa(client)
    wrong = pyotp.TOTP(secret).at(time.time() + 600)  # a well-formed code of no current step
    refused = form(client, "/onboarding/wallets/held/move", {"wallet": own, "code": wrong})
    assert refused.status_code == 422 and "This code is not right" in refused.text
    elsewhere = form(client, "/onboarding/wallets/held/move",
                     {"wallet": Account.create().address, "code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert elsewhere.status_code == 422 and "Choose one of your own verified wallets" in elsewhere.text
    assert db.transferrequets.count_documents({}) == 0
    assert db.auditLogs.find_one({"event": "transfer.refused_second_factor"})


def test_the_move_is_approved_by_someone_else_and_executed_once_on_chain(app, db, holder):
    client, held, offering = holder["client"], holder["held"], holder["offering"]
    own = prove_own_wallet(client)
    secret = turn_on_2fa(client)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    made = form(client, "/onboarding/wallets/held/move", {"wallet": own, "code": code})
    assert made.status_code == 303, made.text
    [request] = transfer_requests.of_user(db, holder["user"]["_id"])
    assert (request["status"], request["walletAddress"], request["newWalletAddress"], request["tokenQuantity"],
            request["isForceTransfer"], request["registeredEmailId"]) == (
        "pending", held, own, QUANTITY, True, holder["user"]["email"])
    assert db.transferrequets.find_one({})["tokenQuantity"] == str(QUANTITY)  # beyond int64: a decimal string
    assert "Waiting for approval" in client.get("/onboarding/wallets/held").text
    rid = str(request["_id"])

    with pytest.raises(review.NotAllowed):  # the maker, whose tokens they are, never decides
        review.approve(app.config, holder["user"], rid, "")
    assert form(client, f"/admin/transfers/{rid}/approve").status_code == 403
    staff = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert form(staff, f"/admin/transfers/{rid}/reject", {"remark": " ", "confirm": "yes"}).status_code == 303
    assert "Say why the request is rejected" in staff.get(f"/admin/transfers/{rid}").text
    assert transfer_requests.by_id(db, request["_id"])["status"] == "pending"

    assert form(staff, f"/admin/transfers/{rid}/approve", {"remark": "Checked with the investor"}).status_code == 303
    second = signed_in_client(app, make_user("admin"))
    assert form(second, f"/admin/transfers/{rid}/approve").status_code == 303  # a second approval
    assert "already decided" in second.get(f"/admin/transfers/{rid}").text
    run_jobs("chain")  # the new wallet's identity, its registration, the agent's forcedTransfer
    done = transfer_requests.by_id(db, request["_id"])
    assert done["status"] == "completed" and done["txHash"] and done["remark"] == "Checked with the investor"

    review.enqueue_execution(app.config, request["_id"])  # the job run again, and the domain call again
    run_jobs("chain")
    assert execution.execute(app.config, rid) == "completed"
    w3 = web3_client.get(app.config)
    token = contract(w3, "Token", offering["tokenAddress"])
    moves = [log["args"] for log in token.events.Transfer().get_logs(from_block=0) if log["args"]["to"] == own]
    assert [(m["from"], m["value"]) for m in moves] == [(held, QUANTITY)]  # one transfer on chain
    assert token.functions.paused().call() is True  # forcedTransfer works on a paused token
    assert (token.functions.balanceOf(own).call(), token.functions.balanceOf(held).call()) == (QUANTITY, 0)

    wait_for(lambda: db.holdings.find_one({"_id": f"{offering['tokenAddress']}:{own}", "balance": str(QUANTITY)}),
             what="the moved holding synced")
    portfolio = client.get("/portfolio/").text
    assert re.search(r'data-testid="balance">7</span>', portfolio), portfolio
    assert "Completed" in client.get("/onboarding/wallets/held").text
    events = [e["event"] for e in db.auditLogs.find({"event": {"$regex": "^transfer"}}).sort("at", 1)]
    assert events == ["transfer.requested", "transfer.approved", "transfer.completed"]
    assert [m["subject"] for m in db.outbox.find({"to": holder["user"]["email"], "subject": {"$regex": "^Your h"}})] \
        == [f"Your holdings were moved to your wallet: {request['securityName']}"]  # once, though run three times


def test_a_rejection_is_explained_to_the_investor_who_may_ask_again(app, db, holder):
    client = holder["client"]
    own = prove_own_wallet(client)
    secret = turn_on_2fa(client)
    assert form(client, "/onboarding/wallets/held/move",
                {"wallet": own, "code": pyotp.TOTP(secret).at(time.time() + 30)}).status_code == 303
    [request] = transfer_requests.of_user(db, holder["user"]["_id"])
    staff = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    dashboard = staff.get("/admin/").text  # the back office's queue, and its Transfers section
    assert "Transfer requests to decide" in dashboard and 'data-testid="queue-count">1<' in dashboard
    assert 'href="/admin/transfers/"' in dashboard
    assert form(staff, f"/admin/transfers/{request['_id']}/reject",
                {"remark": "Prove the wallet is yours first", "confirm": "yes"}).status_code == 303
    rejected = transfer_requests.by_id(db, request["_id"])
    assert (rejected["status"], rejected["remark"], "openKey" in rejected) == (
        "rejected", "Prove the wallet is yours first", False)
    page = client.get("/onboarding/wallets/held").text
    assert "Rejected" in page and "Prove the wallet is yours first" in page
    mail = db.outbox.find_one({"to": holder["user"]["email"], "subject": {"$regex": "^Your transfer request"}})
    assert mail and "Prove the wallet is yours first" in str(mail)
    again = form(client, "/onboarding/wallets/held/move", {"wallet": own, "code": client.recovery_codes[0]})
    assert again.status_code == 303  # the closed request freed its place (a recovery code is a second factor too)
    assert db.transferrequets.count_documents({"status": "pending"}) == 1
