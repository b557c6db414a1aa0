"""The transactions record and the failed chain jobs, on the real stack (anvil, RQ on Redis, FerretDB).

A failed mint batch is split so the others mint; staff see the held job with the contract's reason, retry it
once the cause is fixed (a double click mints nothing more) or resolve it by hand with a reason; the record
pages by keyset without losing or repeating a row and exports the same rows as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from bson import ObjectId
from eth_account import Account

from app.chain import agent as ops
from app.chain.identity import get_identity
from app.data import chain_jobs
from app.domain.orders import mint_recovery
from app.domain.orders.minting import mint_ready_orders
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.chain import FRANCE, minted_amounts
from tests.fixtures.processes import run_jobs
from tests.fixtures.suite_offering import settled_orders

REASON = "Token.mint reverted: Identity is not verified."


def test_a_failed_batch_mints_the_others_and_staff_retry_the_held_order_once(
        app, db, platform, offering, token, verified, wallet, suite):
    holders = [verified() for _ in range(4)]
    ops.delete_identity(wallet.w3, wallet.account, suite["identityRegistry"], holders[2])
    order_ids = settled_orders(db, offering, holders, [1, 2, 3, 4])
    [batch] = mint_ready_orders(app.config, offering)
    run_jobs("chain")
    assert [minted_amounts(wallet.w3, token, h) for h in holders] == [[1], [2], [], [4]]

    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    failed = staff.get("/admin/transactions/failed").text
    assert failed.count('data-testid="failed-job"') == 1 and batch in failed and REASON in failed
    assert "Retry the held orders" in failed
    record = staff.get(f"/admin/transactions/?q={order_ids[2]}").text
    assert record.count('data-testid="transaction-row"') == 1 and "failed" in record
    assert "Token.batchMint reverted: Identity is not verified." in record
    done = staff.get("/admin/transactions/?state=done").text
    assert done.count('data-testid="transaction-row"') == 1 and "mined" in done

    identity = get_identity(wallet.w3, platform, holders[2])
    ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], holders[2], identity, FRANCE)
    post(staff, "/admin/transactions/failed/retry", {"job_id": batch})
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": batch}, follow_redirects=True).text
    assert "nothing to retry" in second
    run_jobs("chain")
    assert minted_amounts(wallet.w3, token, holders[2]) == [3], "minted once"
    assert db.auditLogs.count_documents({"event": "chain_job.retried"}) == 1
    assert 'data-testid="failed-job"' not in staff.get("/admin/transactions/failed").text


def test_a_held_order_retried_from_its_own_page_leaves_the_failed_jobs_list(app, db, offering, verified):
    holders = [verified(), Account.create().address]
    order_ids = settled_orders(db, offering, holders, [1, 2])
    mint_ready_orders(app.config, offering)
    run_jobs("chain")
    staff = signed_in_client(app, make_user("admin"))
    assert staff.get("/admin/transactions/failed").text.count('data-testid="failed-job"') == 1
    mint_recovery.retry(app.config, db.orders.find_one({"_id": order_ids[1]}))
    assert 'data-testid="failed-job"' not in staff.get("/admin/transactions/failed").text


def test_resolving_a_failed_job_by_hand_needs_a_reason_and_is_audited(app, db):
    chain_jobs.create(db, "deleteIdentity:test-1", "deleteIdentity", {"to": "0x0", "data": "0x", "label": "x",
                                                                      "value": "0"})
    chain_jobs.finish(db, "deleteIdentity:test-1", chain_jobs.FAILED, error="IdentityRegistry.deleteIdentity "
                                                                            "reverted: wallet not registered")
    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    assert "wallet not registered" in staff.get("/admin/transactions/failed").text
    refused = post(staff, "/admin/transactions/failed/resolve",
                   {"job_id": "deleteIdentity:test-1", "reason": "ok", "confirm": "yes"}, follow_redirects=True).text
    assert "at least 10 characters" in refused and not db.chainJobs.find_one({"resolvedAt": {"$exists": True}})
    retried = post(staff, "/admin/transactions/failed/retry", {"job_id": "deleteIdentity:test-1"},
                   follow_redirects=True).text
    assert "This kind of operation is not sent again from here" in retried
    post(staff, "/admin/transactions/failed/resolve",
         {"job_id": "deleteIdentity:test-1", "reason": "Removed from the registry by hand on 1 Dec", "confirm": "yes"})
    job = db.chainJobs.find_one({"_id": "deleteIdentity:test-1"})
    assert job["resolvedReason"] == "Removed from the registry by hand on 1 Dec"
    entry = db.auditLogs.find_one({"event": "chain_job.resolved"})
    assert entry["details"]["jobId"] == "deleteIdentity:test-1" and entry["actorEmail"]
    assert 'data-testid="failed-job"' not in staff.get("/admin/transactions/failed").text
    again = post(staff, "/admin/transactions/failed/resolve",
                 {"job_id": "deleteIdentity:test-1", "reason": "A second resolution, refused", "confirm": "yes"},
                 follow_redirects=True)
    assert "already resolved" in again.text
    assert post(staff, "/admin/transactions/failed/resolve",
                {"job_id": "nope", "reason": "x" * 20, "confirm": "yes"}).status_code == 404


def test_the_record_pages_by_keyset_without_losing_or_repeating_a_row_and_exports_them(app, db):
    at = datetime(2026, 5, 1, tzinfo=UTC)  # one batch: every job shares its creation time
    jobs = [{"_id": f"mint:test{n:03d}", "op": "mint", "call": {"to": "0x0", "data": "0x", "label": "Token.mint",
                                                                 "value": "0"}, "orderIds": [ObjectId()]}
            for n in range(120)]
    chain_jobs.create_many(db, jobs)
    db.chainJobs.update_many({}, {"$set": {"createdAt": at}})
    staff = signed_in_client(app, make_user("admin"))
    seen, url = [], "/admin/transactions/?op=mint"
    while url:
        page = staff.get(url, headers={"HX-Request": "true"} if seen else {}).text
        seen += re.findall(r"<code>(mint:test\d{3})</code>", page)
        more = re.search(r'hx-get="([^"]+)"', page)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert len(seen) == 120 and set(seen) == {j["_id"] for j in jobs}
    assert seen == sorted(seen, reverse=True)
    exported = list(csv.DictReader(io.StringIO(staff.get("/admin/transactions/export.csv?op=mint").text)))
    assert [row["job"] for row in exported] == seen and exported[0]["state"] == "queued"
    assert staff.get("/admin/transactions/?after=%00~x&q=%3D1%2B1&state=%24ne").status_code == 200
    assert signed_in_client(app, make_user("subadmin", permissions=["kyc"])).get("/admin/transactions/").status_code \
        == 403
