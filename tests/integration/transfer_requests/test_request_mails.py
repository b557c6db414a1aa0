"""Who is told when a transfer request starts waiting for a decision, on the real stack: the offering's transfer
agent (projectDetails.taId) once per request, nobody else; a new owner named by email only when that email is a
registered investor, while the requester's answer is the same whether or not it is."""

from __future__ import annotations

import html

from app.data import saved_transfer_requests, transfer_requests
from app.domain.transfers import notices
from tests.fixtures.accounts import make_user, signed_in_client
from tests.integration.transfer_requests.conftest import form, unique_id
from tests.integration.transfer_requests.test_lost_wallet import prove_wallet

REVIEW = "^A transfer request waits for your decision"
NAMED = "^An investor asked to register a holding to you"


def _mails(db, subject: str, to: str | None = None) -> list[dict]:
    return list(db.outbox.find({"subject": {"$regex": subject}, **({"to": to} if to else {})}))


def test_the_transfer_agent_is_mailed_once_when_a_confirmed_transfer_waits(app, db, pair):
    agent = make_user("subadmin")
    make_user("subadmin", permissions=["transfers"])  # staff work from the queue: not mailed
    db.offerings.update_one({"_id": pair["offering"]["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    sender, recipient = pair["sender_client"], pair["recipient_client"]
    made = form(sender, "/account/transfers/saved", {"position": pair["position"], "quantity": "2.5",
                                                     "uniqueId": unique_id(recipient)})
    assert made.status_code == 303, made.text
    assert _mails(db, REVIEW) == []  # saved, not yet waiting for a decision
    [item] = saved_transfer_requests.sent_by(db, pair["sender"]["_id"])
    assert form(recipient, f"/account/transfers/saved/{item['_id']}/confirm").status_code == 303
    [request] = transfer_requests.listing(db, "pending")

    [mail] = _mails(db, REVIEW)
    assert mail["to"] == agent["email"]
    assert f"/admin/transfers/{request['_id']}" in mail["body"] and "2.5 tokens" in mail["body"]
    assert "Transfer to another investor" in mail["body"]
    with app.app_context():
        notices.request_waiting(app.config, request)  # a retried confirmation or job tells nobody twice
    assert len(_mails(db, REVIEW)) == 1


def test_no_transfer_agent_means_no_extra_mail(app, db, pair):
    assert (pair["offering"].get("projectDetails") or {}).get("taId") in (None, "")
    owner = make_user("investor")
    typed = {"position": pair["position"], "quantity": "1", "newName": "Ada Lovelace", "newEmail": owner["email"],
             "newWallet": "0x" + "7" * 40}
    assert form(pair["sender_client"], "/account/transfers/new-owner", typed).status_code == 303
    assert _mails(db, REVIEW) == []
    assert len(_mails(db, NAMED, owner["email"])) == 1


def test_a_named_new_owner_is_mailed_only_if_registered_and_the_requester_cannot_tell(app, db, pair):
    agent = make_user("subadmin")
    db.offerings.update_one({"_id": pair["offering"]["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    client, owner = pair["sender_client"], make_user("investor")
    typed = {"position": pair["position"], "quantity": "3", "newName": "Grace Hopper", "newWallet": "0x" + "9" * 40,
             "reason": "Private sale"}
    ta = signed_in_client(app, agent)

    def file(email: str):
        answer = form(client, "/account/transfers/new-owner", {**typed, "newEmail": email})
        assert answer.status_code == 303, answer.text
        page = html.unescape(client.get(answer.headers["Location"]).text)
        [request] = transfer_requests.listing(db, "pending")
        assert form(ta, f"/admin/transfers/{request['_id']}/reject",  # frees the holding for the next request
                    {"remark": "Not documented", "confirm": "yes"}).status_code == 303
        flash = page[page.index("Request sent."):][:200]
        return (answer.status_code, answer.headers["Location"], answer.text, flash), request

    registered, first = file(owner["email"].upper())
    unknown, second = file("nobody-here@libertum.example")
    assert registered == unknown  # same status, redirect, body and message either way

    [mail] = _mails(db, NAMED)
    assert mail["to"] == owner["email"]
    assert "3 tokens" in mail["body"] and "0x" + "9" * 40 in mail["body"] and "onboarding" in mail["body"]
    assert _mails(db, NAMED, "nobody-here@libertum.example") == []
    assert _mails(db, NAMED, pair["sender"]["email"]) == []
    assert sorted(m["body"].count(str(r["_id"])) for r in (first, second) for m in _mails(db, REVIEW)) == [0, 0, 1, 1]
    assert {m["to"] for m in _mails(db, REVIEW)} == {agent["email"]}


def test_a_filed_recovery_mails_the_transfer_agent_once(app, db, pair):
    agent = make_user("subadmin")
    db.offerings.update_one({"_id": pair["offering"]["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    client = pair["sender_client"]
    new = prove_wallet(client)
    typed = {"position": pair["position"], "newWallet": new, "reason": "Phone stolen"}
    assert form(client, "/account/transfers/recovery", typed).status_code == 303
    assert form(client, "/account/transfers/recovery", typed).status_code in (303, 422)  # a second click
    [request] = transfer_requests.listing(db, "pending")
    [mail] = _mails(db, REVIEW)
    assert mail["to"] == agent["email"] and f"/admin/transfers/{request['_id']}" in mail["body"]
    assert "Recovery of a lost wallet" in mail["body"] and "10 tokens" in mail["body"]
