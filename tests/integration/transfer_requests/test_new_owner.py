"""Registering a new owner (inheritance, private sale) on the real stack: the investor's form never tells whether
someone is registered, staff approval is refused (the request waits) until the new owner is an approved investor
with that wallet proven and whitelisted for the offering, then the forced transfer runs once."""

from __future__ import annotations

import html

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.data import transfer_requests
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import approved_investor
from tests.fixtures.processes import run_jobs
from tests.integration.transfer_requests.conftest import MINTED, form, synced

THREE = 3 * 10 ** 18


def test_a_new_owner_is_checked_at_approval_then_receives_the_tokens(app, db, platform, pair):
    client, offering = pair["sender_client"], pair["offering"]
    owner = approved_investor(app, platform, offering)
    wallet = owner["account"].address
    typed = {"position": pair["position"], "quantity": "3", "newName": "Grace Hopper", "newEmail": owner["email"],
             "newWallet": wallet, "reason": "Inheritance"}

    def refused(**changes):
        answer = form(client, "/account/transfers/new-owner", {**typed, **changes})
        assert answer.status_code == 422, answer.text
        return html.unescape(answer.text)

    assert "This is you" in refused(newWallet=pair["sender"]["account"].address)
    assert "Enter a valid email address" in refused(newEmail="not an email")
    assert "0x followed by 40" in refused(newWallet="0x123")
    assert "more than you can transfer now" in refused(quantity="11")
    page = refused(quantity="1.0000000000000000001", newName="Zoë Ångström")
    assert "at most 18 digits" in page and 'value="Zoë Ångström"' in page
    assert db.transferrequets.count_documents({}) == 0

    # someone with no account: saved all the same (the form reveals nothing), refused at approval
    assert form(client, "/account/transfers/new-owner", {**typed, "newEmail": "nobody@libertum.example"}) \
        .status_code == 303
    [unknown] = transfer_requests.listing(db, "pending")
    agent = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert form(agent, f"/admin/transfers/{unknown['_id']}/approve").status_code == 303
    shown = html.unescape(agent.get(f"/admin/transfers/{unknown['_id']}").text)
    assert "No investor account has the new owner" in shown
    assert form(agent, f"/admin/transfers/{unknown['_id']}/reject",
                {"remark": "No such investor", "confirm": "yes"}).status_code == 303

    db.users.update_one({"_id": owner["_id"]}, {"$set": {"kycStatus": "pending", "isKyc": False}})
    db.whitelists.update_one({"_id": owner["whitelist_id"]}, {"$set": {"status": "signed"}})
    assert form(client, "/account/transfers/new-owner", typed).status_code == 303
    [request] = transfer_requests.listing(db, "pending")
    rid = request["_id"]
    form(agent, f"/admin/transfers/{rid}/approve")
    assert "identity is not verified" in agent.get(f"/admin/transfers/{rid}").text
    db.users.update_one({"_id": owner["_id"]}, {"$set": {"kycStatus": "approved", "isKyc": True}})
    form(agent, f"/admin/transfers/{rid}/approve")
    assert "not whitelisted for this offering" in agent.get(f"/admin/transfers/{rid}").text
    assert transfer_requests.by_id(db, rid)["status"] == "pending"  # refused approvals change nothing
    db.whitelists.update_one({"_id": owner["whitelist_id"]}, {"$set": {"status": "approved"}})
    assert "Passed" in agent.get(f"/admin/transfers/{rid}").text
    assert form(agent, f"/admin/transfers/{rid}/approve", {"remark": "Probate seen"}).status_code == 303
    run_jobs("chain")
    done = transfer_requests.by_id(db, rid)
    assert (done["status"], done["toUserId"]) == ("completed", owner["_id"]), done.get("error")
    token = contract(web3_client.get(app.config), "Token", offering["tokenAddress"])
    assert token.functions.balanceOf(wallet).call() == THREE
    synced(db, offering["tokenAddress"], wallet, THREE)
    synced(db, offering["tokenAddress"], pair["sender"]["account"].address, MINTED - THREE)
    assert db.outbox.count_documents({"to": owner["email"], "subject": {"$regex": "^Tokens were transferred"}}) == 1
    named = signed_in_client(app, owner).get("/account/transfers/").text  # the new owner sees it too
    assert "Holdings registered to you" in named and "3 tokens" in named and "Completed" in named
    assert db.outbox.count_documents({"to": pair["sender"]["email"],
                                      "subject": {"$regex": "^Your holding was transferred to its new owner"}}) == 1
