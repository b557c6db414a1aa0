"""Maker-checker, time locks, failures and the guard of the pages, on the real stack: the maker never approves
their own burn, a second approval executes nothing twice, a time-locked case cancelled sends nothing, a reverted
execution shows the contract's reason and is sent again once, and only the `transfers` permission opens it all."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pycountry
from rq import Queue

from app.chain import agent as ops
from app.data import agent_actions
from app.data.ids import parse_id
from app.domain.enforcement import execution
from app.extensions import redis_client
from app.tasks import enforcement as enforcement_jobs
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import run_jobs
from tests.integration.enforcement.conftest import TOKEN, case_id_of, decide, make_case, send, staff

GB = int(pycountry.countries.get(alpha_2="GB").numeric)


def case_of(db, cid: str) -> dict:
    return agent_actions.by_id(db, parse_id(cid))


def transfers_to(token, wallet: str) -> list:
    return [log["args"] for log in token.events.Transfer().get_logs(from_block=0) if log["args"]["to"] == wallet]


def test_the_maker_cannot_approve_and_two_approvals_execute_once(app, db, book):
    offering, token, b = book["offering"], book["token"], book["b"]["account"].address
    maker, checker, second = staff(app), staff(app), signed_in_client(app, make_user("admin"))
    cid = case_id_of(make_case(maker, offering, "burn", wallet=b, amount="2"))
    page = maker.get(f"/admin/enforcement/{cid}").text
    assert "someone else with the transfers permission must approve it" in page and "Waiting for approval" in page
    assert decide(maker, cid, "approve").status_code == 403
    assert case_of(db, cid)["state"] == "pending_approval"
    dashboard = checker.get("/admin/").text
    assert "Agent actions waiting for approval" in dashboard and 'href="/admin/enforcement/"' in dashboard

    assert decide(checker, cid, "approve", remark="Matches the court order").status_code == 303
    assert decide(second, cid, "approve").status_code == 303
    assert "no longer waiting for approval" in second.get(f"/admin/enforcement/{cid}").text
    run_jobs("chain")
    run_jobs("chain")  # anything enqueued twice runs twice, and finds the job done
    assert execution.execute(app.config, cid) == "executed"
    burns = [log["args"] for log in token.events.Transfer().get_logs(from_block=0)
             if log["args"]["from"] == b and log["args"]["to"] == "0x" + "0" * 40]
    assert [x["value"] for x in burns] == [2 * TOKEN]
    done = case_of(db, cid)
    assert [a["email"] for a in done["approvals"]] == [checker.user["email"]]
    assert db.chainJobs.count_documents({"agentActionId": cid}) == 1
    page = checker.get(f"/admin/enforcement/{cid}").text
    assert checker.user["email"] in page and "Matches the court order" in page and done["txHash"] in page


def test_a_time_locked_case_cancelled_sends_nothing_and_one_left_runs_at_its_end(app, db, book):
    offering, token, b = book["offering"], book["token"], book["b"]["account"].address
    maker, checker, other = staff(app), staff(app), staff(app)
    supply = token.functions.totalSupply().call()
    cid = case_id_of(make_case(maker, offering, "burn", wallet=b, amount="1", time_lock_hours="2"))
    assert decide(checker, cid, "approve").status_code == 303
    locked = case_of(db, cid)
    assert locked["state"] == "time_locked"
    assert locked["executeAfter"] - locked["approvedAt"] == timedelta(hours=2)
    scheduled = Queue("chain", connection=redis_client.get()).scheduled_job_registry.get_job_ids()
    assert f"agent-action-{cid}-1-due" in scheduled  # the worker's scheduler runs it at the end of the lock
    page = maker.get(f"/admin/enforcement/{cid}").text
    assert 'data-testid="execute-after"' in page and re.search(r"\(1 h [0-9]+ min left\)", page)
    assert 'hx-trigger="every 3s"' in page  # the page follows the case until it is done
    assert execution.execute(app.config, cid) == "time_locked"  # before its end: nothing happens

    assert decide(other, cid, "cancel", note="Not mine to cancel").status_code == 303
    assert "Only the maker or the approver" in unescape(other.get(f"/admin/enforcement/{cid}").text)
    assert decide(checker, cid, "cancel", note=" ").status_code == 303  # a reason is required
    assert case_of(db, cid)["state"] == "time_locked"
    assert decide(checker, cid, "cancel", note="The court order was withdrawn").status_code == 303
    assert case_of(db, cid)["state"] == "cancelled"
    assert execution.execute(app.config, cid, now=locked["executeAfter"] + timedelta(hours=1)) == "cancelled"
    assert db.chainJobs.count_documents({"agentActionId": cid}) == 0
    assert token.functions.totalSupply().call() == supply

    kept = case_id_of(make_case(maker, offering, "burn", wallet=b, amount="1", time_lock_hours="1"))
    assert decide(checker, kept, "approve").status_code == 303
    due = case_of(db, kept)["executeAfter"]
    assert enforcement_jobs.execute_case(kept) == "time_locked"  # run early (a clock ahead): it comes back later
    again = Queue("chain", connection=redis_client.get()).scheduled_job_registry.get_job_ids()
    assert any(job_id.startswith(f"agent-action-{kept}-due-") for job_id in again)
    assert execution.execute(app.config, kept, now=due) == "executed"
    assert token.functions.totalSupply().call() == supply - TOKEN
    assert decide(maker, kept, "cancel", note="too late").status_code == 303
    assert case_of(db, kept)["state"] == "executed"


def test_a_reverted_execution_shows_the_reason_and_is_sent_again_once(app, db, book):
    offering, token, hot = book["offering"], book["token"], book["hot"]
    a, b = book["a"]["account"].address, book["b"]["account"].address
    maker, checker = staff(app), staff(app)
    cid = case_id_of(make_case(maker, offering, "forced_transfer", wallet=a, to_wallet=b, amount="4"))
    ops.delete_identity(hot.w3, hot.account, offering["identityRegistry"], b)  # the receiver leaves meanwhile
    assert decide(checker, cid, "approve").status_code == 303
    run_jobs("chain")
    failed = case_of(db, cid)
    assert failed["state"] == "failed" and "Transfer not possible" in failed["error"]
    page = unescape(checker.get(f"/admin/enforcement/{cid}").text)
    assert "Failed: " in page and "Transfer not possible" in page and "Send again" in page
    assert all(t["from"] != a for t in transfers_to(token, b))
    failed_job = failed["jobIds"]["forcedTransfer"]
    records = staff(app, ("orders",))  # the transactions record links the case and leaves its retry to it
    listed = unescape(records.get("/admin/transactions/failed").text)
    assert f"/admin/enforcement/{cid}" in listed
    assert send(records, "/admin/transactions/failed/retry", {"job_id": failed_job}).status_code == 303
    assert "Sent again from its agent action case" in unescape(records.get("/admin/transactions/failed").text)
    assert not db.chainJobs.find_one({"_id": failed_job}).get("retriedAs")

    ops.register_identity(hot.w3, hot.account, offering["identityRegistry"], b, book["b"]["identity"], GB)
    assert decide(checker, cid, "retry").status_code == 303
    assert decide(maker, cid, "retry").status_code == 303  # a second click finds it sent again already
    run_jobs("chain")
    done = case_of(db, cid)
    assert done["state"] == "executed" and done["attempt"] == 2
    assert [t["value"] for t in transfers_to(token, b) if t["from"] == a] == [4 * TOKEN]
    events = [e["event"] for e in db.auditLogs.find({"details.agentActionId": cid}).sort("at", 1)]
    assert events == ["agent_action.created", "agent_action.approved", "agent_action.failed",
                      "agent_action.retried", "agent_action.executed"]


def test_only_the_transfers_permission_opens_the_case_file(app, db, book):
    offering, b = book["offering"], book["b"]["account"].address
    maker = staff(app)
    cid = case_id_of(make_case(maker, offering, "burn", wallet=b, amount="1"))
    for outsider in (staff(app, ("orders", "kyc")), signed_in_client(app, make_user("investor"))):
        for path in ("/admin/enforcement/", f"/admin/enforcement/new?offering={offering['_id']}",
                     f"/admin/enforcement/{cid}"):
            assert outsider.get(path).status_code == 403, path
        assert decide(outsider, cid, "approve").status_code == 403
        assert make_case(outsider, offering, "pause").status_code == 403
    assert case_of(db, cid)["state"] == "pending_approval" and db.agentActions.count_documents({}) == 1
    listed = staff(app).get(f"/admin/enforcement/?state=pending_approval&offering={offering['_id']}").text
    assert f"/admin/enforcement/{cid}" in listed
    assert f"/admin/enforcement/{cid}" not in staff(app).get("/admin/enforcement/?state=executed").text
    assert signed_in_client(app, make_user("admin")).get(f"/admin/enforcement/{cid}").status_code == 200


def test_forged_and_repeated_posts_are_harmless(app, db, book):
    offering, b = book["offering"], book["b"]["account"].address
    maker, other = staff(app), staff(app)
    form_id = "6650f1f1f1f1f1f1f1f1f1f1"
    first = make_case(maker, offering, "burn", case_id=form_id, wallet=b, amount="1")
    again = make_case(maker, offering, "burn", case_id=form_id, wallet=b, amount="1")
    assert case_id_of(first) == case_id_of(again) == form_id and db.agentActions.count_documents({}) == 1
    assert make_case(other, offering, "burn", case_id=form_id, wallet=b, amount="1").status_code == 404
    assert make_case(maker, offering, "burn", case_id="not-an-id", wallet=b, amount="1").status_code == 422
    assert decide(other, "0" * 24, "approve").status_code == 404
    assert decide(other, "nonsense", "approve").status_code == 404
    assert other.post(f"/admin/enforcement/{form_id}/approve").status_code == 400  # no CSRF token
    asked = send(maker, f"/admin/enforcement/{form_id}/cancel", {"note": "withdrawn"})  # no confirm=yes
    assert asked.status_code == 200 and "Cancel this case?" in asked.text
    assert case_of(db, form_id)["state"] == "pending_approval"
    assert decide(maker, form_id, "cancel", note="withdrawn").status_code == 303
    assert decide(other, form_id, "approve").status_code == 303
    assert case_of(db, form_id)["state"] == "cancelled" and db.chainJobs.count_documents({}) == 0
