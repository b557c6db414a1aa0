"""Who opens and decides transfer requests: staff with the `transfers` permission (any request), the offering's
transfer agent (its own offerings' requests only, even without the permission); other staff get a 403 that says
why and what to do; a transfer agent of another offering finds no such request."""

from __future__ import annotations

from bson import ObjectId

from app.data import transfer_requests
from app.domain.transfers import rules
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.integration.transfer_requests.conftest import form


def _request(db, investor: dict, offering: dict) -> dict:
    doc = rules.new_owner_doc(investor, offering, "0x" + "1" * 40, 5, {"name": "Grace", "email": "g@libertum.example",
                                                                       "wallet": "0x" + "2" * 40})
    return transfer_requests.insert_open(db, doc)


def test_the_transfer_agent_and_transfers_staff_review_others_are_told_why(app, db):
    agent, other_agent = make_user("subadmin"), make_user("subadmin")  # no `transfers` permission
    mine = list_offering(db, offering_doc(details={"taId": str(agent["_id"]), "isTransferAgent": True}))
    theirs = list_offering(db, offering_doc(details={"taId": str(other_agent["_id"]), "isTransferAgent": True}))
    investor = make_user("investor")
    ours, foreign = _request(db, investor, mine), _request(db, investor, theirs)

    ta = signed_in_client(app, agent)
    listing = ta.get("/admin/transfers/").text
    assert "Register a new owner" in listing  # each request's kind
    assert f"/admin/transfers/{ours['_id']}" in listing and f"/admin/transfers/{foreign['_id']}" not in listing
    assert ta.get(f"/admin/transfers/{foreign['_id']}").status_code == 404  # another agent's reads as missing
    assert form(ta, f"/admin/transfers/{foreign['_id']}/reject", {"remark": "x", "confirm": "yes"}).status_code == 404
    assert form(ta, f"/admin/transfers/{ours['_id']}/reject", {"remark": "Wallet not proven",
                                                               "confirm": "yes"}).status_code == 303
    assert transfer_requests.by_id(db, ours["_id"])["status"] == "rejected"

    staff = signed_in_client(app, make_user("subadmin", permissions=["transfers"]))
    assert f"/admin/transfers/{foreign['_id']}" in staff.get("/admin/transfers/").text

    nobody = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    refused = nobody.get("/admin/transfers/")
    assert refused.status_code == 403 and "“Transfers” permission" in refused.text
    assert nobody.get(f"/admin/transfers/{ObjectId()}").status_code == 403
    investor_client = signed_in_client(app, investor)
    assert investor_client.get("/admin/transfers/").status_code == 403
    staff_on_investor_page = staff.get("/account/transfers/")
    assert staff_on_investor_page.status_code == 403
