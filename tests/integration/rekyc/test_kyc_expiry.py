"""Re-KYC on the real stack (FerretDB, Redis, anvil with the platform's contracts): an approval dated in the past
through the data, the daily sweep judged at explicit times. Warned at 60/30/7 days once each; at the end the KYC
expires, the paid order is held from minting, orders are refused and the claim is revoked on chain (the registry
no longer verifies the wallet); a renewal at the provider restores the claim and releases the order to minting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.data import kyc_webhooks, mint_claims, user_details
from app.data import orders as order_docs
from app.domain.compliance import claims, rekyc
from app.domain.onboarding.kyc import apply_event
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from app.domain.payments import settlement
from app.tasks import identity as identity_jobs
from tests.fixtures.accounts import signed_in_client
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.orders import order_form

APPROVED_AT = "2025-01-10 09:00:00.000000"
UNTIL = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)  # 12 months (KYC_VALIDITY_MONTHS' default) later
WARNING = "Renew your identity verification"


@pytest.fixture
def setting(app):
    app.config["KYC_VALIDITY_MONTHS"] = 12
    return app


def _investor(app, db, platform, offering) -> dict:
    investor = approved_investor(app, platform, offering)
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycApprovedAt": APPROVED_AT, "kycEventAt": APPROVED_AT,
                                                            "kycApplicationId": f"app-{investor['_id']}"}})
    return investor


def _verified(app, offering, address: str) -> bool:
    registry = contract(web3_client.get(app.config), "IdentityRegistry", offering["identityRegistry"])
    return registry.functions.isVerified(address).call()


def _warnings(db, investor) -> list[str]:
    return sorted(m["subject"] for m in db.outbox.find({"to": investor["email"], "subject": {"$regex": WARNING}}))


def _renew_at_provider(db, investor) -> None:
    """The provider's reviewer approves the new check: its signed webhook, recorded and applied (the job's body)."""
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    body = {"applicantId": f"app-{investor['_id']}", "inspectionId": "renewal", "externalUserId": str(investor["_id"]),
            "levelName": "basic-kyc-level", "type": "applicantReviewed", "createdAtMs": at,
            "reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}}
    assert kyc_webhooks.record(db, f"renewal-{investor['_id']}", body, at)
    assert apply_event(f"renewal-{investor['_id']}") == kyc_webhooks.APPLIED


def test_warned_once_at_each_threshold(setting, db, platform):
    app = setting
    offering = live_offering(app, platform, unpause=True)
    investor = _investor(app, db, platform, offering)
    assert rekyc.sweep(app.config, UNTIL - timedelta(days=61))["warned"] == []
    for days in (59, 59, 45, 29, 29, 6, 1):
        rekyc.sweep(app.config, UNTIL - timedelta(days=days))
    assert _warnings(db, investor) == sorted(f"Libertum: {WARNING} within {d} days" for d in (60, 30, 7))
    user = db.users.find_one({"_id": investor["_id"]})
    assert user["kycWarningDays"] == 7 and user["kycStatus"] == "approved"
    page = signed_in_client(app, investor).get("/portfolio/")  # in the app too, on every page
    assert "valid until 10 Jan 2026: renew it before then" in page.text


def test_a_document_expiring_first_ends_the_validity_sooner(setting, db, platform):
    app = setting
    offering = live_offering(app, platform, unpause=True)
    investor = _investor(app, db, platform, offering)
    user_details.ensure(db, investor["_id"])
    db.userdetails.update_one({"userId": investor["_id"]}, {"$set": {"mainInformation": {
        "documentExpiration": "2025-06-01", "identificationDocument": "passport"}}})
    user = db.users.find_one({"_id": investor["_id"]})
    assert rekyc.valid_until(app.config, db, user) == datetime(2025, 6, 1, tzinfo=UTC)
    assert rekyc.sweep(app.config, datetime(2025, 5, 1, tzinfo=UTC))["warned"] == [investor["_id"]]  # 31 days: the 60
    assert rekyc.sweep(app.config, datetime(2025, 6, 1, tzinfo=UTC))["expired"] == [investor["_id"]]


def test_expiry_revokes_the_claim_holds_the_mint_and_renewal_restores_both(setting, db, platform):
    app = setting
    offering = live_offering(app, platform, unpause=True)
    investor = _investor(app, db, platform, offering)
    address = investor["account"].address
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
    assert settlement.settle(app.config, order["_id"], paid_amount=order["totalAmount"],
                             source={"kind": "fiat", "reference": order["paymentReference"], "by": "test"}) == "settled"
    assert _verified(app, offering, address)
    assert [o["_id"] for o in mint_claims.ready(db, offering["_id"])] == [order["_id"]]

    assert rekyc.sweep(app.config, UNTIL - timedelta(seconds=1))["expired"] == []
    assert rekyc.sweep(app.config, UNTIL + timedelta(hours=1))["expired"] == [investor["_id"]]
    assert rekyc.sweep(app.config, UNTIL + timedelta(hours=2))["expired"] == []  # once
    user = db.users.find_one({"_id": investor["_id"]})
    assert (user["kycStatus"], user["isKyc"]) == ("expired", False) and "expired on 10 Jan 2026" in user["kycReason"]
    held = order_docs.get(db, order["_id"])
    assert held["kycHold"] is True and "expired" in held["kycHoldReason"] and held["paidAmount"] == order["totalAmount"]
    assert mint_claims.ready(db, offering["_id"]) == []
    expired_mail = {"to": investor["email"], "subject": "Libertum: Your identity verification expired"}
    assert db.outbox.count_documents(expired_mail) == 1
    client = signed_in_client(app, investor)
    assert "until it is renewed you cannot order or transfer tokens" in client.get("/portfolio/").text
    with pytest.raises(Refusal, match="expired on 10 Jan 2026"):
        ordering.place(app.config, investor, str(offering["_id"]), order_form(5))

    # the claim revocation job (its body, as the chain worker runs it), twice: one transaction
    assert claims.revoke_claims(str(investor["_id"])) == [investor["identity"]]
    assert claims.revoke_claims(str(investor["_id"])) == []
    assert db.chainJobs.count_documents({"op": "revokeClaimBySignature", "identity": investor["identity"]}) == 1
    assert not _verified(app, offering, address)
    token = contract(web3_client.get(app.config), "Token", offering["tokenAddress"])
    other = approved_investor(app, platform, offering)["account"].address
    assert token.functions.isFrozen(address).call() is False  # refused for KYC, not frozen
    assert not _verified(app, offering, address) and _verified(app, offering, other)

    _renew_at_provider(db, investor)
    user = db.users.find_one({"_id": investor["_id"]})
    assert (user["kycStatus"], user["isKyc"]) == ("approved", True) and user["kycApprovedAt"] > APPROVED_AT
    assert 'data-testid="kyc-validity-notice"' not in client.get("/portfolio/").text
    identity_jobs.create_identities(str(investor["_id"]))  # the identity job's body: new claim, then release
    assert _verified(app, offering, address)
    released = order_docs.get(db, order["_id"])
    assert released["kycHold"] is False and released["isSettled"] and not released.get("isMinted")
    assert [o["_id"] for o in mint_claims.ready(db, offering["_id"])] == [order["_id"]]
