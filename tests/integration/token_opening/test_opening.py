"""Opening a token after its sale, on the real stack: staff close the raise and open the token (an unpause chain
job run by an RQ worker, mined on anvil, seen by the chain monitor, folded by chain-sync), the page follows it,
the holder's portfolio and the offering page say the tokens can move, the holder is mailed once; the scheduled
opening opens once even with two sweeps racing; and every refusal says why."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from rq import SimpleWorker

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from app.data import chain_jobs, chain_tokens
from app.domain.offerings import opening
from app.domain.orders import placement as ordering
from app.extensions import redis_client
from app.tasks import queues, token_opening
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import post
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.orders import order_form
from tests.fixtures.processes import wait_for

HELD = 7


def run_chain_jobs() -> None:
    SimpleWorker([queues.queue(queues.CHAIN)], connection=redis_client.get()).work(burst=True)


@pytest.fixture
def staff(auth):
    return auth("subadmin", permissions=["offerings"])


@pytest.fixture
def holder_setup(app, platform, chain_workers, db):
    """A live offering on a paused token, an investor holding HELD tokens (minted on chain, projected by
    chain-sync) and an unpaid order of theirs."""
    offering = live_offering(app, platform, countries=("GB",), title="Opening Quay")
    investor = approved_investor(app, platform, offering)
    wallet = hot_wallet(app.config)
    address = investor["account"].address
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], address, HELD)
    wait_for(lambda: (db.holdings.find_one({"token": offering["tokenAddress"], "wallet": address}) or {}).get(
        "balance") == str(HELD), what="chain-sync to project the mint")
    unpaid = ordering.place(app.config, investor, str(offering["_id"]), order_form(tokens=12, wallet=address))
    return {"offering": offering, "investor": investor, "unpaid": unpaid}


def test_staff_close_the_raise_and_open_the_token_and_the_holder_sees_it_can_move(app, db, auth, staff,
                                                                                  holder_setup):
    offering, investor = holder_setup["offering"], holder_setup["investor"]
    oid = str(offering["_id"])
    holder = auth(user=investor)
    before = holder.get("/portfolio/").text
    assert "Cannot move yet" in before and "The token is not open for transfers yet." in before
    assert "not open for transfers yet" in holder.get(f"/offerings/{oid}").text

    closed = post(staff, f"/admin/offerings/{oid}/opening/close", {"confirm": "yes"})
    assert closed.status_code == 303
    page = staff.get(closed.headers["Location"]).text
    assert "Raise closed; 1 unpaid order cancelled." in page
    assert db.offerings.find_one({"_id": offering["_id"]})["status"] == "closed"
    assert db.orders.find_one({"_id": holder_setup["unpaid"]["_id"]})["status"] == "cancelled"
    assert "This offering is not open for orders." in post(
        holder, f"/invest/{oid}/order", order_form(tokens=12, wallet=investor["account"].address)).text

    opened = post(staff, f"/admin/offerings/{oid}/opening/open")
    assert opened.status_code == 303
    page = staff.get(f"/admin/offerings/{oid}/opening").text
    assert "Opening the token" in page and 'hx-trigger="every 1s"' in page
    assert chain_jobs.get(db, f"unpause:{oid}")["status"] == "pending"
    again = post(staff, f"/admin/offerings/{oid}/opening/open")  # a second click starts nothing
    assert "being opened already" in staff.get(again.headers["Location"]).text

    run_chain_jobs()
    assert chain_jobs.get(db, f"unpause:{oid}")["status"] == "done"
    wait_for(lambda: (chain_tokens.load(db, offering["tokenAddress"]) or {}).get("paused") is False,
             what="chain-sync to fold the Unpaused event")
    fragment = staff.get(f"/admin/offerings/{oid}/opening/progress", headers={"HX-Request": "true"})
    assert "Open: holders can transfer their tokens" in fragment.text and "every 1s" not in fragment.text
    assert fragment.headers.get("HX-Refresh") == "true"
    doc = db.offerings.find_one({"_id": offering["_id"]})
    assert doc["tokenPaused"] is False and doc["tokenOpenedAt"]

    after = holder.get("/portfolio/").text
    assert f"Can move: {HELD}" in after and "Cannot move yet" not in after
    offering_page = holder.get(f"/offerings/{oid}").text
    assert "The token is open" in offering_page and f"Can move: {HELD}" in offering_page

    subject = "Libertum: Your Opening Quay tokens can now be transferred"
    wait_for(lambda: db.outbox.count_documents({"to": investor["email"], "subject": subject}) == 1,
             what="the opening mail")
    opening.token_opened(db, offering["_id"])  # a replay of the event mails nobody again
    assert db.outbox.count_documents({"to": investor["email"], "subject": subject}) == 1
    assert db.chainJobs.count_documents({"op": "unpause", "offeringId": oid}) == 1


def test_opening_refusals_say_why(app, db, staff, platform):
    undeployed = list_offering(db, offering_doc(title="No Token Yet"))
    db.offerings.update_one({"_id": undeployed["_id"]}, {"$unset": {"tokenAddress": ""}})
    response = post(staff, f"/admin/offerings/{undeployed['_id']}/opening/open")
    assert "The token is not deployed yet: deploy it first." in staff.get(response.headers["Location"]).text

    deploying = list_offering(db, offering_doc(title="Deploying Now"))
    db.offerings.update_one({"_id": deploying["_id"]}, {"$set": {"status": "deploying"},
                                                        "$unset": {"tokenAddress": ""}})
    response = post(staff, f"/admin/offerings/{deploying['_id']}/opening/open")
    assert "still being deployed" in staff.get(response.headers["Location"]).text

    minting = live_offering(app, platform, title="Still Minting")
    db.orders.insert_many([{"_id": ObjectId(), "offeringId": minting["_id"], "status": status, "isSettled": True,
                            "isMinted": False} for status in ("settled", "settled", "payment_review")])
    response = post(staff, f"/admin/offerings/{minting['_id']}/opening/open")
    assert "3 orders are paid but not minted yet" in staff.get(response.headers["Location"]).text
    assert db.chainJobs.count_documents({"op": "unpause", "offeringId": str(minting["_id"])}) == 0

    already = live_offering(app, platform, title="Open Already", unpause=True)
    chain_tokens.save(db, already["tokenAddress"], {"paused": False, "supply": 0, "wm": (1, 0)})
    response = post(staff, f"/admin/offerings/{already['_id']}/opening/open")
    assert "The token is already open for transfers." in staff.get(response.headers["Location"]).text

    closed_twice = post(staff, f"/admin/offerings/{minting['_id']}/opening/close", {"confirm": "yes"})
    assert closed_twice.status_code == 303
    again = post(staff, f"/admin/offerings/{minting['_id']}/opening/close", {"confirm": "yes"})
    assert "closed already" in staff.get(again.headers["Location"]).text


def test_closing_asks_first_and_investors_cannot_open(auth, staff, db):
    offering = list_offering(db, offering_doc(title="Ask First"))
    asked = post(staff, f"/admin/offerings/{offering['_id']}/opening/close")
    assert asked.status_code == 200 and "Close this raise?" in asked.text
    assert db.offerings.find_one({"_id": offering["_id"]})["status"] == "live"
    investor = auth("investor")
    assert investor.get(f"/admin/offerings/{offering['_id']}/opening").status_code in (403, 404)
    assert post(investor, f"/admin/offerings/{offering['_id']}/opening/open").status_code in (403, 404)


def test_opening_setting_refuses_a_past_date_and_keeps_what_was_typed(staff, db):
    offering = list_offering(db, offering_doc(title="Setting Quay"))
    path = f"/admin/offerings/{offering['_id']}/opening/settings"
    refused = post(staff, path, {"tokenOpening": "date", "tokenOpensAt": "2020-01-01T10:00"})
    assert refused.status_code == 422 and "Choose a moment after now" in refused.text
    assert 'value="2020-01-01T10:00"' in refused.text
    garbage = post(staff, path, {"tokenOpening": "date", "tokenOpensAt": "😀 next tuesday " * 50})
    assert garbage.status_code == 422 and "Write the date and time as" in garbage.text
    assert post(staff, path, {"tokenOpening": "soon"}).status_code == 422
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert post(staff, path, {"tokenOpening": "date", "tokenOpensAt": later}).status_code == 303
    details = db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]
    assert details["tokenOpening"] == "date"
    assert details["tokenOpensAt"].strftime("%Y-%m-%dT%H:%M") == later


def test_a_scheduled_opening_opens_once_with_two_sweeps_racing(app, db, staff, platform, chain_workers):
    offering = live_offering(app, platform, title="Scheduled Quay")
    oid = str(offering["_id"])
    at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    assert post(staff, f"/admin/offerings/{oid}/opening/settings",
                {"tokenOpening": "date", "tokenOpensAt": at.strftime("%Y-%m-%dT%H:%M")}).status_code == 303
    assert opening.sweep(app.config, at - timedelta(seconds=1)) == []  # the clock is passed in: not due yet

    started: list[list[str]] = []
    barrier = threading.Barrier(2)

    def sweep_in_thread():
        with app.app_context():
            barrier.wait()
            started.append(opening.sweep(app.config, at + timedelta(seconds=1)))

    threads = [threading.Thread(target=sweep_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(job for found in started for job in found) == [f"unpause:{oid}"]
    assert db.chainJobs.count_documents({"op": "unpause", "offeringId": oid}) == 1

    run_chain_jobs()
    wait_for(lambda: (chain_tokens.load(db, offering["tokenAddress"]) or {}).get("paused") is False,
             what="chain-sync to fold the scheduled Unpaused event")
    assert db.offerings.find_one({"_id": offering["_id"]})["tokenOpenedAt"]
    assert opening.sweep(app.config, at + timedelta(minutes=5)) == []  # opened: later sweeps do nothing


def test_the_periodic_job_opens_a_token_due_a_few_seconds_ahead_and_schedules_its_next_run(app, db, platform):
    offering = live_offering(app, platform, title="Periodic Quay")
    oid = str(offering["_id"])
    at = datetime.now(UTC) + timedelta(seconds=2)
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.tokenOpening": "date",
                                                                "projectDetails.tokenOpensAt": at}})
    wait_for(lambda: datetime.now(UTC) > at, timeout=10, what="the opening date to pass")
    job = token_opening.sweep_token_openings.delay()
    SimpleWorker([queues.queue(queues.DEFAULT)], connection=redis_client.get()).work(burst=True)
    job.refresh()
    assert f"unpause:{oid}" in job.return_value()
    assert chain_jobs.get(db, f"unpause:{oid}")["offeringId"] == oid
    scheduled = queues.queue(queues.DEFAULT).scheduled_job_registry.get_job_ids()
    assert any(job_id.startswith("token-opening-") for job_id in scheduled)


def test_the_sweep_notes_an_opening_chain_sync_saw_but_did_not_note(app, db, platform):
    offering = live_offering(app, platform, title="Noted Late", unpause=True)  # unpaused on chain already
    chain_tokens.save(db, offering["tokenAddress"], {"paused": False, "supply": 0, "wm": (1, 0)})
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.tokenOpening": "close"}})
    assert opening.sweep(app.config, datetime.now(UTC)) == []  # nothing to send: it is open
    assert db.offerings.find_one({"_id": offering["_id"]})["tokenOpenedAt"]
    assert db.chainJobs.count_documents({"op": "unpause", "offeringId": str(offering["_id"])}) == 0


def test_a_refused_unpause_shows_the_contracts_reason_and_a_retry_records_a_new_attempt(app, db, staff, platform):
    # unpaused on chain behind the platform's back (no chain-sync here): the unpause job is refused on chain
    offering = live_offering(app, platform, title="Refused Quay", unpause=True)
    oid = str(offering["_id"])
    post(staff, f"/admin/offerings/{oid}/opening/open")
    run_chain_jobs()
    job = chain_jobs.get(db, f"unpause:{oid}")
    assert job["status"] == "failed" and "not paused" in job["error"].lower()
    page = staff.get(f"/admin/offerings/{oid}/opening").text
    assert "Opening failed:" in page and "Try opening again" in page and "every 1s" not in page

    post(staff, f"/admin/offerings/{oid}/opening/open")
    assert chain_jobs.get(db, f"unpause:{oid}:2")["status"] == "pending"
    assert db.offerings.find_one({"_id": offering["_id"]})["tokenOpenJobId"] == f"unpause:{oid}:2"
    run_chain_jobs()  # leave no job queued for the next test's worker


def test_opening_when_the_raise_closes_starts_the_unpause_with_the_close(app, db, staff, platform):
    offering = live_offering(app, platform, title="Close Opens")
    oid = str(offering["_id"])
    assert post(staff, f"/admin/offerings/{oid}/opening/settings", {"tokenOpening": "close"}).status_code == 303
    assert opening.sweep(app.config, datetime.now(UTC)) == []  # the raise is still open: not due
    closed = post(staff, f"/admin/offerings/{oid}/opening/close", {"confirm": "yes"})
    assert "Opening the token, as its settings say." in staff.get(closed.headers["Location"]).text
    assert chain_jobs.get(db, f"unpause:{oid}")["status"] == "pending"
    run_chain_jobs()
    assert chain_jobs.get(db, f"unpause:{oid}")["status"] == "done"
