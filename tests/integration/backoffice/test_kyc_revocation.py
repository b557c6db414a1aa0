"""KYC revocation on the real stack: staff revoke with a reason, the investor is told by mail and in the app, can no
longer order, and their paid orders are held from minting with the reason (payment kept, nothing lost)."""

from __future__ import annotations

from app.data import mint_claims
from app.data import orders as order_docs
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from app.domain.payments import settlement
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.orders import approve, order_form

REASON = "Sanctions screening match on 2026-12-05"


def _approved_investor(app, db, offering) -> dict:
    user = make_user("investor")
    db.users.update_one({"_id": user["_id"]}, {"$set": {"kycStatus": "approved", "isKyc": True}})
    user["wallet"] = approve(db, user, offering)
    user["client"] = signed_in_client(app, user)
    return user


def _pay(app, order: dict) -> str:
    return settlement.settle(app.config, order["_id"], paid_amount=order["totalAmount"],
                             source={"kind": "fiat", "reference": order["paymentReference"], "by": "test"})


def test_a_revoked_investor_cannot_order_and_paid_orders_are_held_not_minted(app, db, auth):
    offering = list_offering(db, offering_doc(fee=0))
    investor = _approved_investor(app, db, offering)
    paid_before = ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
    assert _pay(app, paid_before) == "settled"
    unpaid = ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
    staff = auth("subadmin", permissions=["kyc", "users"])

    assert post(staff, f"/admin/users/{investor['_id']}/kyc/revoke",
                {"reason": " ", "confirm": "yes"}).status_code == 303
    assert db.users.find_one({"_id": investor["_id"]})["kycStatus"] == "approved"  # no reason: refused
    response = post(staff, f"/admin/users/{investor['_id']}/kyc/revoke", {"reason": REASON, "confirm": "yes"})
    assert response.status_code == 303
    user = db.users.find_one({"_id": investor["_id"]})
    assert (user["kycStatus"], user["isKyc"], user["kycReason"]) == ("revoked", False, REASON)
    entry = db.auditLogs.find_one({"event": "kyc.revoked"})
    assert entry["subjectId"] == str(investor["_id"]) and entry["details"] == {"reason": REASON, "heldOrders": 1}
    mail = db.outbox.find_one({"to": investor["email"], "subject": {"$regex": "revoked"}})
    assert REASON in mail["body"] and "cannot place new orders" in mail["body"]
    page = investor["client"].get("/onboarding/")
    assert "Revoked" in page.text and REASON in page.text

    held = order_docs.get(db, paid_before["_id"])
    assert held["kycHold"] is True and REASON in held["kycHoldReason"] and held["status"] == "settled"
    assert held["paidAmount"] == paid_before["totalAmount"]
    assert _pay(app, unpaid) == "settled"  # a payment arriving later is recorded, and the order held too
    assert order_docs.get(db, unpaid["_id"])["kycHold"] is True
    assert mint_claims.ready(db, offering["_id"]) == []

    try:
        ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
        raise AssertionError("a revoked investor placed an order")
    except Refusal as refusal:
        assert "revoked" in str(refusal) and REASON in str(refusal)
    form = investor["client"].get(f"/invest/{offering['_id']}/order")
    placed = post(investor["client"], f"/invest/{offering['_id']}/order", order_form(10))
    assert form.status_code == 200 and placed.status_code == 422 and "revoked" in placed.text
    assert db.orders.count_documents({"userId": investor["_id"]}) == 2

    again = post(staff, f"/admin/users/{investor['_id']}/kyc/revoke", {"reason": REASON, "confirm": "yes"})
    assert again.status_code == 303 and db.auditLogs.count_documents({"event": "kyc.revoked"}) == 1
    file = staff.get(f"/admin/users/{investor['_id']}/file")
    assert "Only an approved identity verification can be revoked" in file.text
    assert file.text.count("held: The investor") == 2


def test_only_kyc_staff_revoke(app, db, auth):
    offering = list_offering(db, offering_doc())
    investor = _approved_investor(app, db, offering)
    for client in (auth("subadmin", permissions=["users", "orders"]), investor["client"]):
        assert post(client, f"/admin/users/{investor['_id']}/kyc/revoke",
                    {"reason": REASON, "confirm": "yes"}).status_code == 403
    assert db.users.find_one({"_id": investor["_id"]})["kycStatus"] == "approved"
    staff = auth("subadmin", permissions=["kyc", "users"])
    assert post(staff, "/admin/users/0123456789abcdef01234567/kyc/revoke",
                {"reason": REASON, "confirm": "yes"}).status_code == 404
