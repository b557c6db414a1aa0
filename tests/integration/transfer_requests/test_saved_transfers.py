"""Saved transfers between investors on the real stack: the sender names the recipient by their Libertum ID, the
recipient confirms (or declines, or the sender withdraws first), the transfer agent approves, and the forced
transfer moves the tokens on chain exactly once, seen in both investors' holdings; refusals are explained before
anything is saved, and an unknown ID reads like an ineligible one."""

from __future__ import annotations

import html

import pytest

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.data import saved_transfer_requests, transfer_requests
from app.domain.transfers import review, saved
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import eligible_investor
from tests.fixtures.processes import run_jobs
from tests.integration.transfer_requests.conftest import DECIMALS, MINTED, form, synced, unique_id

SENT = 25 * 10 ** (DECIMALS - 1)  # 2.5 tokens


def test_a_confirmed_transfer_is_approved_once_and_moves_the_tokens(app, db, pair):
    sender, recipient = pair["sender_client"], pair["recipient_client"]
    their_id = unique_id(recipient)
    assert unique_id(recipient) == their_id  # stable
    made = form(sender, "/account/transfers/saved", {"position": pair["position"], "quantity": "2.5",
                                                     "uniqueId": f" {their_id.lower().replace('-', ' ')} ",
                                                     "remark": "For the flat 🏠"})
    assert made.status_code == 303, made.text
    [item] = saved_transfer_requests.sent_by(db, pair["sender"]["_id"])
    assert (item["status"], item["toUserId"], item["uniqueId"], item["tokenQuantity"]) == (
        "awaitingRecipient", pair["recipient"]["_id"], their_id, SENT)
    assert db.savetransferrequets.find_one({})["tokenQuantity"] == str(SENT)
    page = recipient.get("/account/transfers/").text
    assert "Waiting for the recipient" in page and "2.5 tokens" in page and "For the flat 🏠" in page
    assert db.outbox.find_one({"to": pair["recipient"]["email"],
                               "subject": {"$regex": "^An investor wants to transfer tokens to you"}})
    assert form(sender, f"/account/transfers/saved/{item['_id']}/confirm").status_code == 404  # not theirs

    assert form(recipient, f"/account/transfers/saved/{item['_id']}/confirm").status_code == 303
    [request] = transfer_requests.listing(db, "pending")
    assert (request["kind"], request["isForceTransfer"], request["walletAddress"], request["newWalletAddress"],
            request["tokenQuantity"], request["toUserId"]) == (
        "holderToHolder", True, pair["sender"]["account"].address, pair["recipient"]["account"].address, SENT,
        pair["recipient"]["_id"])
    assert "Confirmed by the recipient" in sender.get("/account/transfers/").text
    assert db.outbox.find_one({"to": pair["sender"]["email"], "subject": {"$regex": "^Your transfer was confirmed"}})
    rid = str(request["_id"])

    for party in (pair["sender"], pair["recipient"]):  # neither side of the transfer decides it
        with pytest.raises(review.NotAllowed):
            review.approve(app.config, party, rid, "")
    agent = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert "Transfer to another registered investor, confirmed by the recipient" in agent.get(
        f"/admin/transfers/{rid}").text
    assert form(agent, f"/admin/transfers/{rid}/approve", {"remark": "Matches the sale agreement"}).status_code == 303
    second = signed_in_client(app, make_user("admin"))
    assert form(second, f"/admin/transfers/{rid}/approve").status_code == 303
    assert "already decided" in second.get(f"/admin/transfers/{rid}").text
    run_jobs("chain")
    review.enqueue_execution(app.config, request["_id"])  # run again: nothing is sent twice
    run_jobs("chain")
    done = transfer_requests.by_id(db, request["_id"])
    assert done["status"] == "completed" and done["txHash"]

    token = contract(web3_client.get(app.config), "Token", pair["offering"]["tokenAddress"])
    to = pair["recipient"]["account"].address
    moves = [log["args"] for log in token.events.Transfer().get_logs(from_block=0) if log["args"]["to"] == to]
    assert [m["value"] for m in moves] == [SENT]
    assert token.functions.paused().call() is True  # a forced transfer works while the token is paused
    synced(db, pair["offering"]["tokenAddress"], to, SENT)
    synced(db, pair["offering"]["tokenAddress"], pair["sender"]["account"].address, MINTED - SENT)
    assert "Completed" in recipient.get("/account/transfers/").text
    assert db.outbox.count_documents({"to": pair["recipient"]["email"],
                                      "subject": {"$regex": "^Tokens were transferred to you"}}) == 1
    assert db.outbox.count_documents({"to": pair["sender"]["email"],
                                      "subject": {"$regex": "^Your transfer to another investor was completed"}}) == 1


def test_refusals_are_explained_and_save_nothing(app, db, pair):
    sender = pair["sender_client"]
    their_id, own_id = unique_id(pair["recipient_client"]), unique_id(sender)
    outsider = signed_in_client(app, eligible_investor())  # verified, not whitelisted for this offering
    outsider_id = unique_id(outsider)

    def attempt(**typed):
        data = {"position": pair["position"], "uniqueId": their_id, "quantity": "1", "remark": "", **typed}
        answer = form(sender, "/account/transfers/saved", data)
        assert answer.status_code == 422, answer.text
        return html.unescape(answer.text)

    unknown = attempt(uniqueId="LIB-2222-2222" if their_id != "LIB-2222-2222" else "LIB-3333-3333")
    assert saved.UNKNOWN_RECIPIENT.split(".")[0] in unknown
    assert saved.UNKNOWN_RECIPIENT.split(".")[0] in attempt(uniqueId=outsider_id)  # reads like an unknown ID
    assert "Enter the recipient's Libertum ID" in attempt(uniqueId="bob@example.com")
    assert "your own Libertum ID" in attempt(uniqueId=own_id)
    assert "at most 18 digits" in attempt(quantity="0.0000000000000000001")
    assert "more than zero" in attempt(quantity="0")
    assert "positive" in attempt(quantity="-1")
    assert "more than you can transfer now" in attempt(quantity="10.000000000000000001")
    assert "more than you can transfer now" in attempt(quantity="9" * 40)
    assert "Choose one of the holdings" in attempt(position=f"{pair['offering']['_id']}|0xdead")
    page = attempt(quantity="abc", remark="kept ✓")
    assert 'value="abc"' in page and 'value="kept ✓"' in page  # what was typed is kept
    assert db.savetransferrequets.count_documents({}) == 0


def test_declined_and_withdrawn_transfers_never_reach_review(app, db, pair):
    sender, recipient = pair["sender_client"], pair["recipient_client"]
    their_id = unique_id(recipient)
    for quantity in ("1", "2"):
        assert form(sender, "/account/transfers/saved", {"position": pair["position"], "uniqueId": their_id,
                                                         "quantity": quantity}).status_code == 303
    second, first = saved_transfer_requests.sent_by(db, pair["sender"]["_id"])
    assert form(sender, f"/account/transfers/saved/{first['_id']}/withdraw").status_code == 303
    assert form(recipient, f"/account/transfers/saved/{first['_id']}/confirm").status_code == 303
    assert "can no longer change: it is withdrawn by the sender" in recipient.get("/account/transfers/").text
    asked = form(recipient, f"/account/transfers/saved/{second['_id']}/decline")
    assert asked.status_code == 200 and "Decline this transfer?" in asked.text  # asks first
    assert form(recipient, f"/account/transfers/saved/{second['_id']}/decline", {"confirm": "yes"}).status_code == 303
    assert form(sender, f"/account/transfers/saved/{second['_id']}/withdraw").status_code == 303
    statuses = {d["_id"]: d["status"] for d in db.savetransferrequets.find({})}
    assert statuses == {first["_id"]: "withdrawn", second["_id"]: "declined"}
    assert db.transferrequets.count_documents({}) == 0
    page = sender.get("/account/transfers/").text
    assert "Declined by the recipient" in page and "Withdrawn by the sender" in page
    assert db.outbox.find_one({"to": pair["recipient"]["email"],
                               "subject": {"$regex": "^A transfer to you was withdrawn"}})
    assert db.outbox.find_one({"to": pair["sender"]["email"], "subject": {"$regex": "^Your transfer was declined"}})


def test_a_rejected_transfer_is_explained_to_both_investors(app, db, pair):
    sender, recipient = pair["sender_client"], pair["recipient_client"]
    assert form(sender, "/account/transfers/saved", {"position": pair["position"], "quantity": "3",
                                                     "uniqueId": unique_id(recipient)}).status_code == 303
    [item] = saved_transfer_requests.sent_by(db, pair["sender"]["_id"])
    assert form(recipient, f"/account/transfers/saved/{item['_id']}/confirm").status_code == 303
    [request] = transfer_requests.listing(db, "pending")
    staff = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert form(staff, f"/admin/transfers/{request['_id']}/reject",
                {"remark": "Private sale price not documented", "confirm": "yes"}).status_code == 303
    for client in (sender, recipient):
        page = client.get("/account/transfers/").text
        assert "Rejected" in page and "Private sale price not documented" in page
    for person, subject in ((pair["sender"], "^Your transfer request was not approved"),
                            (pair["recipient"], "^A transfer to you was not approved")):
        mail = db.outbox.find_one({"to": person["email"], "subject": {"$regex": subject}})
        assert mail and "Private sale price not documented" in mail["body"], person["email"]
