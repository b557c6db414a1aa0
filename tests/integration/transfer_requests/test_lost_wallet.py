"""Recovery of a lost wallet on the real stack: the new wallet must be proven by signature, the investor cannot
approve their own request, the transfer agent's approval makes the new wallet a key of the investor's ONCHAINID
and calls the token's recoveryAddress once: tokens, identity and whitelisting move to the new wallet, the old
one is left empty and out of the registry. And a reverted forced transfer leaves its request visibly failed with
the contract's reason, then a retry from the transactions record completes it once."""

from __future__ import annotations

import html

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.wallet import hot_wallet
from app.data import transfer_requests, user_details
from app.domain.transactions import retries
from app.domain.transfers import lost_wallet, review
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import run_jobs, wait_for
from tests.integration.transfer_requests.conftest import MINTED, form, synced, unique_id


def prove_wallet(client) -> str:
    """Connect a new wallet as the onboarding page's script does: ask for the message, sign it, send both back."""
    own = Account.create()
    message = form(client, "/onboarding/wallets/message", {"address": own.address}).get_json()["message"]
    signature = "0x" + bytes(own.sign_message(encode_defunct(text=message)).signature).hex()
    assert form(client, "/onboarding/wallets", {"message": message, "signature": signature}).status_code == 200
    return own.address


def test_a_lost_wallet_is_recovered_to_a_proven_wallet_with_its_identity(app, db, pair):
    client, investor, offering = pair["sender_client"], pair["sender"], pair["offering"]
    lost = investor["account"].address
    unproven = form(client, "/account/transfers/recovery", {"position": pair["position"],
                                                            "newWallet": Account.create().address})
    assert unproven.status_code == 422 and lost_wallet.PROVE_FIRST in html.unescape(unproven.text)
    same = form(client, "/account/transfers/recovery", {"position": pair["position"], "newWallet": lost})
    assert same.status_code == 422 and "must differ" in same.text
    new = prove_wallet(client)
    made = form(client, "/account/transfers/recovery", {"position": pair["position"], "newWallet": new,
                                                        "reason": "Phone stolen"})
    assert made.status_code == 303, made.text
    [request] = transfer_requests.of_user(db, investor["_id"])
    assert (request["kind"], request["status"], request["walletAddress"], request["newWalletAddress"],
            request["investorOnchainID"], request["tokenQuantity"]) == (
        "lostWallet", "pending", lost, new, investor["identity"], MINTED)
    assert "Recovery of a lost wallet" in client.get("/account/transfers/").text
    with pytest.raises(review.NotAllowed):
        review.approve(app.config, investor, str(request["_id"]), "")

    agent = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert form(agent, f"/admin/transfers/{request['_id']}/approve", {"remark": "ID checked"}).status_code == 303
    run_jobs("chain")
    review.enqueue_execution(app.config, request["_id"])  # a second run sends nothing
    run_jobs("chain")
    done = transfer_requests.by_id(db, request["_id"])
    assert done["status"] == "completed", done.get("error")

    w3 = web3_client.get(app.config)
    token = contract(w3, "Token", offering["tokenAddress"])
    registry = contract(w3, "IdentityRegistry", offering["identityRegistry"])
    assert (token.functions.balanceOf(new).call(), token.functions.balanceOf(lost).call()) == (MINTED, 0)
    assert registry.functions.identity(new).call() == investor["identity"]
    assert not registry.functions.contains(lost).call()
    recoveries = token.events.RecoverySuccess().get_logs(from_block=0)
    assert [(e["args"]["_lostWallet"], e["args"]["_newWallet"]) for e in recoveries if e["args"]["_newWallet"] == new] \
        == [(lost, new)]  # once, though executed twice
    entry = next(w for w in user_details.wallets_of(db, investor["_id"]) if w["address"] == new)
    assert entry["onchainID"] == investor["identity"]
    synced(db, offering["tokenAddress"], new, MINTED)
    synced(db, offering["tokenAddress"], lost, 0)
    wait_for(lambda: db.whitelists.find_one({"_id": investor["whitelist_id"], "address": new, "status": "approved",
                                             "onChainRegistered": True}), what="the whitelisting followed the wallet")
    assert "Completed" in client.get("/account/transfers/").text
    assert db.outbox.count_documents({"to": investor["email"], "subject": {"$regex": "^Your holdings were moved"}}) == 1


def test_a_reverted_transfer_is_visibly_failed_and_a_retry_completes_it_once(app, db, pair):
    sender, recipient, offering = pair["sender_client"], pair["recipient_client"], pair["offering"]
    assert form(sender, "/account/transfers/saved", {"position": pair["position"], "quantity": "4",
                                                     "uniqueId": unique_id(recipient)}).status_code == 303
    [item] = db.savetransferrequets.find({})
    assert form(recipient, f"/account/transfers/saved/{item['_id']}/confirm").status_code == 303
    [request] = transfer_requests.listing(db, "pending")
    hot, wallet = hot_wallet(app.config), pair["sender"]["account"].address
    ops.burn(hot.w3, hot.account, offering["tokenAddress"], wallet, MINTED)  # the tokens are gone meanwhile
    admin = make_user("admin")
    review.approve(app.config, admin, str(request["_id"]), "")
    run_jobs("chain")
    failed = transfer_requests.by_id(db, request["_id"])
    assert failed["status"] == "failed" and "balance" in failed["error"].lower(), failed.get("error")
    staff_page = signed_in_client(app, admin).get(f"/admin/transfers/{request['_id']}").text
    assert "Failed" in staff_page and html.escape(failed["error"]) in staff_page
    assert "Failed" in sender.get("/account/transfers/").text
    assert "could not be executed" in db.outbox.find_one({"to": pair["sender"]["email"],
                                                          "subject": {"$regex": "could not be executed"}})["subject"]

    ops.mint(hot.w3, hot.account, offering["tokenAddress"], wallet, MINTED)  # the holder has tokens again
    told = retries.retry(app.config, admin, failed["forcedTransferJobId"])
    assert "Sent again" in told
    with pytest.raises(Exception, match="already sent again"):
        retries.retry(app.config, admin, failed["forcedTransferJobId"])
    run_jobs("chain")
    done = transfer_requests.by_id(db, request["_id"])
    assert done["status"] == "completed", done.get("error")
    token = contract(web3_client.get(app.config), "Token", offering["tokenAddress"])
    to = pair["recipient"]["account"].address
    assert [log["args"]["value"] for log in token.events.Transfer().get_logs(from_block=0) if log["args"]["to"] == to] \
        == [4 * 10 ** 18]


def test_a_reverted_recovery_is_failed_with_the_reason_and_its_retry_recovers_once(app, db, pair):
    client, investor, offering = pair["sender_client"], pair["sender"], pair["offering"]
    lost, new = investor["account"].address, prove_wallet(client)
    assert form(client, "/account/transfers/recovery", {"position": pair["position"], "newWallet": new}) \
        .status_code == 303
    [request] = transfer_requests.of_user(db, investor["_id"])
    hot = hot_wallet(app.config)
    ops.burn(hot.w3, hot.account, offering["tokenAddress"], lost, MINTED)  # nothing left to recover: it reverts
    admin = make_user("admin")
    review.approve(app.config, admin, str(request["_id"]), "")
    run_jobs("chain")
    failed = transfer_requests.by_id(db, request["_id"])
    assert failed["status"] == "failed" and "recover" in failed["error"].lower(), failed.get("error")
    assert db.whitelists.find_one({"_id": investor["whitelist_id"]})["address"] == lost  # stayed with the wallet
    assert "Failed" in client.get("/account/transfers/").text

    ops.mint(hot.w3, hot.account, offering["tokenAddress"], lost, MINTED)
    assert "Sent again" in retries.retry(app.config, admin, failed["recoveryAddressJobId"])
    run_jobs("chain")
    run_jobs("chain")
    assert transfer_requests.by_id(db, request["_id"])["status"] == "completed"
    token = contract(web3_client.get(app.config), "Token", offering["tokenAddress"])
    assert (token.functions.balanceOf(new).call(), token.functions.balanceOf(lost).call()) == (MINTED, 0)
    recoveries = token.events.RecoverySuccess().get_logs(from_block=0)
    assert len([e for e in recoveries if e["args"]["_newWallet"] == new]) == 1
    assert db.whitelists.find_one({"_id": investor["whitelist_id"]})["address"] == new
