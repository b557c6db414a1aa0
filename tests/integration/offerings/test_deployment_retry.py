"""A failed token deployment sent again once from the transactions record's failed jobs (real anvil, RQ).

The deployment fails for real (the platform's hot wallet no longer owns the token factory), the cause is fixed,
and staff click "Deploy again" twice: one new attempt, one suite deployed under the offering's salt."""

import pytest
from bson import ObjectId
from eth_account import Account

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.tx import function_call, send_call
from app.data import chain_jobs
from app.domain.platform.chain import current_platform
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.processes import run_jobs
from tests.integration.offerings.conftest import fill_wizard


@pytest.fixture
def approved(admin_client, issuer_client, platform) -> str:
    offering_id = fill_wizard(issuer_client)
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    post(admin_client, f"/admin/offerings/{offering_id}/decision", {"decision": "approve"})
    return offering_id


@pytest.fixture
def factory(app, platform):
    """The platform's token factory; its ownership is given back to the hot wallet whatever the test does."""
    w3 = web3_client.get(app.config)
    hot = Account.from_key(app.config["DEPLOYER_PRIVATE_KEY"])
    bound = contract(w3, "TREXFactory", current_platform(app.config)["trexFactory"])
    stranger = Account.create()
    w3.provider.make_request("anvil_setBalance", [stranger.address, hex(10**20)])
    yield bound, hot, stranger
    if bound.functions.owner().call() == stranger.address:
        send_call(w3, stranger, function_call(bound, "transferOwnership", hot.address))


def test_a_failed_deployment_is_deployed_again_once_from_the_record(app, admin_client, db, approved, factory):
    bound, hot, stranger = factory
    w3 = web3_client.get(app.config)
    send_call(w3, hot, function_call(bound, "transferOwnership", stranger.address))  # the cause of the failure
    post(admin_client, f"/admin/offerings/{approved}/deploy")
    run_jobs("chain")
    [failed] = list(db.chainJobs.find({"offeringId": approved}))
    assert failed["status"] == "failed" and "not the owner" in failed["error"]
    send_call(w3, stranger, function_call(bound, "transferOwnership", hot.address))  # fixed

    staff = signed_in_client(app, make_user("admin"))
    page = staff.get("/admin/transactions/failed").text
    assert failed["_id"] in page and "Deploy again" in page
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    assert f"Sent again as job deployTREXSuite:{approved}:2." in first and "already sent again" in second
    run_jobs("chain")
    assert db.chainJobs.count_documents({"offeringId": approved}) == 2
    assert chain_jobs.get(db, f"deployTREXSuite:{approved}:2")["status"] == "done"
    assert int(bound.functions.getToken(approved).call(), 16), "the suite is deployed under the offering's salt"
    deployed = bound.events.TREXSuiteDeployed().get_logs(from_block=0)
    assert sum(1 for log in deployed if log["args"]["_token"] == bound.functions.getToken(approved).call()) == 1
    assert db.offerings.find_one({"_id": ObjectId(approved)})["deployAttempts"] == 2
    assert db.auditLogs.count_documents({"event": "chain_job.retried"}) == 1


def test_staff_without_the_offerings_permission_cannot_deploy_from_the_record(app, admin_client, db, approved,
                                                                                factory):
    bound, hot, stranger = factory
    w3 = web3_client.get(app.config)
    send_call(w3, hot, function_call(bound, "transferOwnership", stranger.address))
    post(admin_client, f"/admin/offerings/{approved}/deploy")
    run_jobs("chain")
    send_call(w3, stranger, function_call(bound, "transferOwnership", hot.address))
    [failed] = list(db.chainJobs.find({"offeringId": approved}))
    orders_staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    answer = post(orders_staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]},
                  follow_redirects=True).text
    assert "needs the offerings permission" in answer
    assert db.chainJobs.count_documents({"offeringId": approved}) == 1 and not chain_jobs.get(
        db, failed["_id"]).get("retriedAs")
