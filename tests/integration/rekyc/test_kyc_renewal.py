"""An expired investor renews from the app, through the real KYC sandbox and the platform's webhook endpoint:
the renewal opens a new check at the provider, its pending event shows as "renewal in progress" (the expiry
stays decided), the sandbox reviewer approves, and the approval restarts the validity, restores the claim on
chain and releases the held order to minting."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.data import mint_claims
from app.data import orders as order_docs
from app.domain.compliance import claims, rekyc
from app.domain.orders import placement as ordering
from app.domain.payments import settlement
from app.providers.sumsub import SumsubClient
from tests.fixtures.accounts import post, signed_in_client
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.orders import order_form
from tests.fixtures.processes import run_jobs

APPROVED_AT = "2025-01-10 09:00:00.000000"
UNTIL = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _user(db, investor) -> dict:
    return db.users.find_one({"_id": investor["_id"]})


def _until(condition, what: str, queues=("kyc",), timeout_s: float = 30):
    """Run the waiting jobs (the worker's part) until `condition` holds: webhooks arrive from another process."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run_jobs(*queues)
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _verified(app, offering, address: str) -> bool:
    registry = contract(web3_client.get(app.config), "IdentityRegistry", offering["identityRegistry"])
    return registry.functions.isVerified(address).call()


@pytest.fixture
def provider(app, kyc_sandbox, platform_http) -> SumsubClient:
    app.config["KYC_VALIDITY_MONTHS"] = 12
    requests.post(f"{kyc_sandbox}/settings", data={"webhookUrl": f"{platform_http}/webhooks/kyc/sumsub"},
                  timeout=5).raise_for_status()
    return SumsubClient.from_config(app.config)


def test_expired_investor_renews_and_the_sandboxs_approval_restores_everything(app, db, platform, provider,
                                                                                 kyc_sandbox):
    offering = live_offering(app, platform, unpause=True)
    investor = approved_investor(app, platform, offering)
    applicant = provider.create_applicant(str(investor["_id"]), "basic-kyc-level")  # the first check's applicant
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycApprovedAt": APPROVED_AT, "kycEventAt": APPROVED_AT,
                                                            "kycApplicationId": applicant["id"]}})
    address = investor["account"].address
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
    assert settlement.settle(app.config, order["_id"], paid_amount=order["totalAmount"],
                             source={"kind": "fiat", "reference": order["paymentReference"], "by": "test"}) == "settled"
    assert rekyc.sweep(app.config, UNTIL + timedelta(hours=1))["expired"] == [investor["_id"]]
    assert claims.revoke_claims(str(investor["_id"])) == [investor["identity"]]
    assert not _verified(app, offering, address) and order_docs.get(db, order["_id"])["kycHold"] is True

    client = signed_in_client(app, investor)
    page = client.get("/onboarding/").text
    assert "Expired" in page and "Renew your verification" in page
    assert post(client, "/onboarding/kyc/renew").status_code == 303
    assert _user(db, investor)["kycRenewalStatus"] == "requested"
    assert post(client, "/onboarding/kyc/renew").status_code == 409  # one renewal at a time

    # the job asks the sandbox for a new check; its pending webhook comes back through the endpoint
    _until(lambda: _user(db, investor).get("kycRenewalStatus") == "pending", "the renewal's pending event")
    user = _user(db, investor)
    assert (user["kycStatus"], user["isKyc"]) == ("expired", False)  # the stage event did not undo the expiry
    assert provider.applicant_status(applicant["id"])["attemptCnt"] == 1
    page = client.get("/onboarding/").text
    assert "Renewal in progress" in page and "Renew your verification" not in page

    reviewed = requests.post(f"{kyc_sandbox}/applicants/{applicant['id']}/review", data={"reviewAnswer": "GREEN"},
                             timeout=10)
    assert reviewed.status_code == 200
    _until(lambda: _user(db, investor)["kycStatus"] == "approved", "the renewal's approval")
    user = _user(db, investor)
    assert user["isKyc"] is True and user["kycApprovedAt"] > APPROVED_AT and user["kycRenewalStatus"] is None
    assert rekyc.valid_until(app.config, db, user) > datetime.now(UTC) + timedelta(days=300)  # validity restarted

    # the identity job (chain queue): a new claim, then the held order goes back to minting
    _until(lambda: not order_docs.get(db, order["_id"])["kycHold"], "the held order's release",
           queues=("kyc", "chain"))
    assert _verified(app, offering, address)
    released = order_docs.get(db, order["_id"])
    assert released["isSettled"] and released["paidAmount"] == order["totalAmount"]
    assert order["_id"] in [o["_id"] for o in mint_claims.ready(db, offering["_id"])] or released.get("isMinted")
    page = client.get("/onboarding/").text
    assert "Approved" in page and "Renewal in progress" not in page


def test_a_warned_investor_renewing_keeps_investing_until_the_new_approval(app, db, platform, provider, kyc_sandbox):
    offering = live_offering(app, platform, unpause=True)
    investor = approved_investor(app, platform, offering)
    applicant = provider.create_applicant(str(investor["_id"]), "basic-kyc-level")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycApprovedAt": APPROVED_AT, "kycEventAt": APPROVED_AT,
                                                            "kycApplicationId": applicant["id"]}})
    client = signed_in_client(app, investor)
    assert "Renew your verification" not in client.get("/onboarding/").text  # not due yet
    assert post(client, "/onboarding/kyc/renew").status_code == 409
    assert rekyc.sweep(app.config, UNTIL - timedelta(days=59))["warned"] == [investor["_id"]]

    assert post(client, "/onboarding/kyc/renew").status_code == 303
    _until(lambda: _user(db, investor).get("kycRenewalStatus") == "pending", "the renewal's pending event")
    user = _user(db, investor)
    assert (user["kycStatus"], user["isKyc"]) == ("approved", True)  # still approved while the check runs
    assert ordering.place(app.config, investor, str(offering["_id"]), order_form(10))["status"]

    requests.post(f"{kyc_sandbox}/applicants/{applicant['id']}/review", data={"reviewAnswer": "GREEN"},
                  timeout=10).raise_for_status()
    _until(lambda: _user(db, investor)["kycApprovedAt"] > APPROVED_AT, "the renewal's approval")
    user = _user(db, investor)
    assert user["kycRenewalStatus"] is None and user["kycWarningDays"] is None
    soon = datetime.now(UTC) + timedelta(days=1)  # the new validity: nothing to warn of or expire
    assert rekyc.sweep(app.config, soon) == {"warned": [], "expired": []}
