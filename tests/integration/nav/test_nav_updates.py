"""NAV updates on the real stack: an issuer proposes through the page with the report, staff decide through the
back office, and the order price, the offering page (cached) and the portfolio follow, each read through
the pages or services people use."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bson import ObjectId
from eth_account import Account

from app.data import nav_history, user_details
from app.domain.nav import holder_mails, review
from app.domain.orders import placement
from tests.factories import PDF_BYTES, list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.chain import ZERO
from tests.fixtures.chain_events import apply, log_message
from tests.fixtures.orders import approve, order_form

TODAY = datetime.now(UTC).date()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
FORM = {"nav": "120.00", "effective_date": YESTERDAY, "valuer": "Knight Frank LLP", "method": "comparables"}


@pytest.fixture
def issuer(app):
    return make_user("issuer")


@pytest.fixture
def offering(db, issuer):
    """The issuer's deployed, live offering: $100.00 a token at launch ten days ago, whole tokens."""
    token = Account.create().address
    return list_offering(db, offering_doc(title="Quayside Flats", createdBy=issuer["_id"], userId=issuer["_id"],
                                          tokenAddress=token, fee=0))


@pytest.fixture
def issuer_client(app, issuer):
    return signed_in_client(app, issuer)


@pytest.fixture
def staff_client(auth):
    return auth("subadmin", permissions=["offerings"])


@pytest.fixture
def holder(app, db, offering):
    """An approved investor holding 30 tokens (the mint applied as chain-sync applies it)."""
    user = make_user("investor")
    user["wallet"] = approve(db, user, offering)
    apply(db, log_message("Transfer", offering["tokenAddress"], {"from": ZERO, "to": user["wallet"], "value": 30}))
    return user


def propose(client, offering, report: bytes = PDF_BYTES, **changes):
    data = {**FORM, **changes}
    if report is not None:
        data["report"] = (io.BytesIO(report), "valuation.pdf")
    return post(client, f"/issuer/offerings/{offering['_id']}/nav", data, content_type="multipart/form-data")


def pending_id(db, offering) -> str:
    return str(nav_history.pending_of(db, offering["_id"])["_id"])


def decide(client, proposal_id: str, decision: str, **fields):
    return post(client, f"/admin/offerings/nav-updates/{proposal_id}/decision",
                {"decision": decision, "confirm": "yes", **fields})


def test_approved_nav_prices_new_orders_values_the_portfolio_and_shows_on_the_page(
        app, db, offering, issuer_client, staff_client, holder):
    investor = signed_in_client(app, holder)
    before = placement.place(app.config, holder, str(offering["_id"]), order_form(tokens=10, wallet=holder["wallet"]))
    assert before["price"] == 100_00
    assert "Price per token (NAV)</dt><dd data-testid=\"nav\">$100</dd>" in investor.get(
        f"/offerings/{offering['_id']}").text  # the page is now cached

    response = propose(issuer_client, offering)
    assert response.status_code == 303
    proposal = nav_history.pending_of(db, offering["_id"])
    assert proposal["navPerToken"] == 120_00 and proposal["reportHash"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert proposal["effectiveDate"].date().isoformat() == YESTERDAY and proposal["previousNav"] == 100_00
    assert "is waiting for review" in issuer_client.get(f"/issuer/offerings/{offering['_id']}/nav").text
    review_page = staff_client.get(f"/admin/offerings/nav-updates/{proposal['_id']}").text
    assert "$120" in review_page and "+20%" in review_page and "Knight Frank LLP" in review_page
    assert staff_client.get(f"/admin/offerings/nav-updates/{proposal['_id']}/report").data == PDF_BYTES

    assert decide(staff_client, str(proposal["_id"]), "approve", remark="Report checked").status_code == 303
    stored = db.offerings.find_one({"_id": offering["_id"]})
    assert stored["projectDetails"]["latestNav"] == 120_00
    assert stored["projectDetails"]["latestNavAt"].date().isoformat() == YESTERDAY

    page = investor.get(f"/offerings/{offering['_id']}").text  # the cached page follows at once
    assert 'data-testid="nav">$120</dd>' in page and 'data-testid="nav-chart"' in page
    assert "+20% from $100" in page and "Comparable sales" in page and "Knight Frank LLP" in page
    assert f"/offerings/{offering['_id']}/documents/nav-{proposal['_id']}" in page  # whitelisted: the report
    assert investor.get(f"/offerings/{offering['_id']}/documents/nav-{proposal['_id']}").data == PDF_BYTES

    after = placement.place(app.config, holder, str(offering["_id"]), order_form(tokens=10, wallet=holder["wallet"]))
    assert after["price"] == 120_00 and after["amount"] == 1_200_00
    assert db.orders.find_one({"_id": before["_id"]})["price"] == 100_00  # placed before: its price stays
    assert "$120 per token (current NAV)" in investor.get(f"/invest/{offering['_id']}/order").text

    portfolio = investor.get("/portfolio/").text
    assert 'data-testid="total-value">$3,600</dd>' in portfolio  # 30 tokens at $120
    assert "+20% since launch" in portfolio


def test_holders_are_mailed_once_per_approved_nav(app, db, offering, issuer, issuer_client, staff_client, holder):
    other_wallet = Account.create().address  # a second wallet of the same holder: still one mail
    user_details.add_verified_wallet(db, holder["_id"], other_wallet, "EIP-1193")
    apply(db, log_message("Transfer", offering["tokenAddress"], {"from": ZERO, "to": other_wallet, "value": 5}))
    propose(issuer_client, offering)
    proposal_id = pending_id(db, offering)
    decide(staff_client, proposal_id, "approve")
    assert holder_mails.mail_holders(ObjectId(proposal_id)) == 1  # the job again (a retry): no second mail
    mails = list(db.outbox.find({"to": holder["email"], "subject": "Libertum: new NAV for Quayside Flats"}))
    assert len(mails) == 1 and "$120 (was $100, +20%)" in mails[0]["body"]
    [issuer_mail] = list(db.outbox.find({"subject": "Libertum: NAV update for Quayside Flats approved"}))
    assert issuer_mail["to"] == issuer["email"]


def test_rejection_keeps_the_nav_and_the_issuer_reads_the_reason(app, db, offering, issuer_client, staff_client):
    propose(issuer_client, offering, nav="80")
    proposal_id = pending_id(db, offering)
    assert decide(staff_client, proposal_id, "reject", reason="").status_code == 303  # a reason is needed
    assert nav_history.by_id(db, ObjectId(proposal_id))["status"] == "pending"
    decide(staff_client, proposal_id, "reject", reason="The report is not signed by the valuer.")
    assert nav_history.by_id(db, ObjectId(proposal_id))["status"] == "rejected"
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]["latestNav"] == 100_00
    page = issuer_client.get(f"/issuer/offerings/{offering['_id']}/nav").text
    assert "Reason: The report is not signed by the valuer." in page and 'data-testid="current-nav">$100' in page
    assert "Send for review" in page  # a rejected proposal no longer blocks a new one
    assert decide(staff_client, proposal_id, "approve").status_code == 303
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]["latestNav"] == 100_00


def test_rejecting_without_confirmation_asks_first(db, offering, issuer_client, staff_client):
    propose(issuer_client, offering)
    proposal_id = pending_id(db, offering)
    asked = post(staff_client, f"/admin/offerings/nav-updates/{proposal_id}/decision",
                 {"decision": "reject", "reason": "Unsigned"})
    assert asked.status_code == 200 and "Reject this NAV proposal?" in asked.text
    assert nav_history.by_id(db, ObjectId(proposal_id))["status"] == "pending"


def test_another_issuer_gets_404_and_staff_without_offerings_403(app, db, offering, issuer_client):
    propose(issuer_client, offering)
    proposal_id = pending_id(db, offering)
    other = signed_in_client(app, make_user("issuer"))
    for path in (f"/issuer/offerings/{offering['_id']}/nav",
                 f"/issuer/offerings/{offering['_id']}/nav/{proposal_id}/report"):
        assert other.get(path).status_code == 404
    assert propose(other, offering).status_code == 404
    kyc_staff = signed_in_client(app, make_user("subadmin", permissions=["kyc"]))
    assert kyc_staff.get("/admin/offerings/nav-updates/").status_code == 403
    assert kyc_staff.get(f"/admin/offerings/nav-updates/{proposal_id}").status_code == 403
    assert decide(kyc_staff, proposal_id, "approve").status_code == 403
    assert nav_history.by_id(db, ObjectId(proposal_id))["status"] == "pending"


def test_not_deployed_offering_is_404(app, db, issuer, issuer_client):
    draft = list_offering(db, offering_doc(createdBy=issuer["_id"], status="approved", isTokenDeploy=False))
    assert issuer_client.get(f"/issuer/offerings/{draft['_id']}/nav").status_code == 404
    assert propose(issuer_client, draft).status_code == 404


def test_approving_twice_at_once_writes_once(app, db, offering, issuer_client, staff_client):
    propose(issuer_client, offering)
    proposal_id = pending_id(db, offering)
    admin = make_user("admin")
    results: list[str] = []

    def approve_it():
        with app.app_context():
            results.append(review.approve(admin, proposal_id, "checked"))

    threads = [threading.Thread(target=approve_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["approved"] * 4
    stored = db.offerings.find_one({"_id": offering["_id"]})
    assert [e["nav"] for e in stored["navHistory"]] == [120_00]
    assert db.auditLogs.count_documents({"event": "nav.approved", "details.proposalId": proposal_id}) == 1
    assert decide(staff_client, proposal_id, "approve").status_code == 303  # through the page: still once
    assert len(db.offerings.find_one({"_id": offering["_id"]})["navHistory"]) == 1


def test_the_proposer_never_decides(app, db, offering, issuer):
    staff = make_user("admin")
    db.navHistory.insert_one({"_id": ObjectId(), "offeringId": offering["_id"], "navPerToken": 1, "status": "pending",
                              "proposedBy": staff["_id"], "effectiveDate": datetime.now(UTC), "valuer": "x",
                              "method": "cost", "reportUrl": "", "reportHash": "", "previousNav": 100_00,
                              "proposedAt": datetime.now(UTC)})
    proposal = db.navHistory.find_one({"proposedBy": staff["_id"]})
    client = signed_in_client(app, staff)
    assert decide(client, str(proposal["_id"]), "approve").status_code == 403
    assert db.navHistory.find_one({"_id": proposal["_id"]})["status"] == "pending"


def test_one_pending_proposal_at_a_time(db, offering, issuer_client):
    assert propose(issuer_client, offering).status_code == 303
    page = propose(issuer_client, offering, nav="130")
    assert page.status_code == 422 and "already waiting for review" in page.text
    assert db.navHistory.count_documents({"offeringId": offering["_id"]}) == 1


@pytest.mark.parametrize(("changes", "status", "message"), [
    ({"nav": "0"}, 422, "The NAV must be more than zero."),
    ({"nav": "-5"}, 422, "The NAV must be more than zero."),
    ({"nav": "１２０"}, 422, "Enter an amount in US dollars"),
    ({"nav": "99999999999999999999"}, 422, "at most 13 digits"),
    ({"effective_date": (TODAY + timedelta(days=1)).isoformat()}, 422, "cannot be in the future"),
    ({"effective_date": (TODAY - timedelta(days=30)).isoformat()}, 422, "before the offering&#39;s launch"),
    ({"method": "other"}, 422, "Describe the method used."),
    ({"valuer": "Knight\u202eFrank"}, 422, "Use one line of plain text"),
    ({"report": b"not a document"}, 422, "Only PDF, PNG, JPEG or WebP"),
    ({"report": None}, 422, "Attach the valuation report"),
])
def test_bad_input_re_renders_with_the_message_and_keeps_what_was_typed(db, offering, issuer_client, changes,
                                                                       status, message):
    report = changes.pop("report", PDF_BYTES)
    response = propose(issuer_client, offering, report=report, **changes)
    assert response.status_code == status and message in response.text
    assert 'value="Knight' in response.text or "valuer" in changes
    assert db.navHistory.count_documents({"offeringId": offering["_id"]}) == 0
    assert not list((Path(issuer_client.application.config["UPLOAD_DIR"]) / str(offering["_id"])).glob("*"))


def test_an_oversized_report_is_413_with_the_limit_and_nothing_stored(app, db, offering, issuer_client, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    response = propose(issuer_client, offering, report=PDF_BYTES + b"%" * 2048 + b"\n%%EOF\n")
    assert response.status_code == 413 and "larger than the limit of 1 KB" in response.text
    assert 'value="120.00"' in response.text and db.navHistory.count_documents({}) == 0
    assert not list((Path(app.config["UPLOAD_DIR"]) / str(offering["_id"])).glob("*"))


def test_an_approval_stopped_between_its_two_writes_is_finished_by_the_next(db, offering, issuer_client):
    propose(issuer_client, offering)
    proposal = nav_history.pending_of(db, offering["_id"])
    entry = review._entry(proposal)  # the offering written, then the process died before the proposal's status
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.latestNav": 120_00,
                                                                "navHistory": [entry]}})
    assert review.approve(make_user("admin"), str(proposal["_id"])) == "approved"
    stored = db.offerings.find_one({"_id": offering["_id"]})
    assert [e["id"] for e in stored["navHistory"]] == [str(proposal["_id"])]
    assert nav_history.by_id(db, proposal["_id"])["previousNav"] == 100_00


def test_the_report_is_for_whitelisted_investors_only(app, db, offering, issuer_client, staff_client, holder):
    propose(issuer_client, offering)
    proposal_id = pending_id(db, offering)
    decide(staff_client, proposal_id, "approve")
    path = f"/offerings/{offering['_id']}/documents/nav-{proposal_id}"
    stranger = signed_in_client(app, make_user("investor"))
    assert path not in stranger.get(f"/offerings/{offering['_id']}").text
    assert stranger.get(path).status_code == 404 and app.test_client().get(path).status_code == 404
    assert signed_in_client(app, holder).get(path).data == PDF_BYTES
