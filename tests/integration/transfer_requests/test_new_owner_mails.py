"""The new owner named in a request, mailed at filing because registered as an investor, hears once when the request
is rejected (without the reason, which is the requester's); someone not mailed at filing is not mailed then either,
even if they signed up in between, so the rejection tells nobody who is registered."""

from __future__ import annotations

from app.data import transfer_requests
from app.domain.transfers import notices
from tests.fixtures.accounts import make_user, signed_in_client
from tests.integration.transfer_requests.conftest import form

REJECTED = "^A holding will not be registered to you"
REASON = "Probate papers missing"


def _rejected_mails(db, to: str | None = None) -> list[dict]:
    return list(db.outbox.find({"subject": {"$regex": REJECTED}, **({"to": to} if to else {})}))


def _file_and_reject(app, db, pair, email: str, before_reject=None) -> dict:
    typed = {"position": pair["position"], "quantity": "1", "newName": "Grace Hopper", "newEmail": email,
             "newWallet": "0x" + "9" * 40, "reason": "Private sale"}
    assert form(pair["sender_client"], "/account/transfers/new-owner", typed).status_code == 303
    [request] = transfer_requests.listing(db, "pending")
    if before_reject:
        before_reject()
    staff = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert form(staff, f"/admin/transfers/{request['_id']}/reject", {"remark": REASON, "confirm": "yes"}) \
        .status_code == 303
    return transfer_requests.by_id(db, request["_id"])


def test_the_named_owner_mailed_at_filing_hears_once_that_it_was_rejected(app, db, pair):
    owner = make_user("investor")
    request = _file_and_reject(app, db, pair, owner["email"])
    assert request["status"] == "rejected"
    [mail] = _rejected_mails(db)
    assert mail["to"] == owner["email"]
    assert "register 1 token of" in mail["body"] and "0x" + "9" * 40 in mail["body"]
    assert "was not approved by the transfer agent" in mail["body"] and "/account/transfers/" in mail["body"]
    assert REASON not in mail["body"] and REASON not in mail["html"]
    with app.app_context():
        notices.tell_investor(app.config, request, "rejected", REASON)  # a retried decision mails nobody twice
    assert len(_rejected_mails(db)) == 1
    assert _rejected_mails(db, pair["sender"]["email"]) == []  # the requester has their own mail, with the reason
    assert db.outbox.count_documents({"to": pair["sender"]["email"],
                                      "subject": {"$regex": "^Your transfer request was not approved"}}) == 1


def test_nobody_not_mailed_at_filing_is_mailed_at_rejection(app, db, pair):
    late = "signed-up-later@libertum.example"
    _file_and_reject(app, db, pair, late, before_reject=lambda: make_user("investor", email=late))
    _file_and_reject(app, db, pair, "nobody-here@libertum.example")
    assert _rejected_mails(db) == []
