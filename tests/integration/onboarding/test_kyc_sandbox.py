"""The Sumsub adapter against the KYC sandbox over real HTTP, and its signed webhooks reaching the platform."""

from __future__ import annotations

import pytest
import requests

from app.data import kyc_webhooks, user_details, users
from app.providers.sumsub import KycProviderError, SumsubClient
from tests.fixtures.processes import run_jobs


@pytest.fixture
def provider(app, kyc_sandbox) -> SumsubClient:
    return SumsubClient.from_config(app.config)


def test_applicant_lifecycle_through_the_adapter(provider):
    created = provider.create_applicant("user-1", "basic-kyc-level", email="ada@example.com")
    assert created["externalUserId"] == "user-1" and created["review"]["reviewStatus"] == "init"
    again = provider.create_applicant("user-1", "basic-kyc-level")  # the provider's 409 -> the existing applicant
    assert again["id"] == created["id"]
    token = provider.access_token("user-1", "basic-kyc-level")
    assert token["userId"] == "user-1" and token["token"].startswith("_act-")
    assert provider.request_check(created["id"]) == {"ok": 1}
    status = provider.applicant_status(created["id"])
    assert status["reviewStatus"] == "pending" and status["attemptCnt"] == 1


def test_a_request_signed_with_another_secret_is_refused(app, kyc_sandbox):
    wrong = SumsubClient(app.config["KYC_API_URL"], app.config["KYC_APP_TOKEN"], "x" * 40)
    with pytest.raises(KycProviderError) as error:
        wrong.create_applicant("user-2", "basic-kyc-level")
    assert error.value.status == 401


def test_the_testers_decision_reaches_the_platform_as_a_signed_webhook(app, db, provider, platform_http,
                                                                       kyc_sandbox):
    user_id = users.insert(db, {"email": "bo@example.com", "mobile": "+4400002", "userType": "investor",
                                "kycStatus": "submitted"})
    user_details.ensure(db, user_id)
    applicant = provider.create_applicant(str(user_id), "basic-kyc-level")
    requests.post(f"{kyc_sandbox}/settings", data={"webhookUrl": f"{platform_http}/webhooks/kyc/sumsub"},
                  timeout=5).raise_for_status()
    page = requests.post(f"{kyc_sandbox}/applicants/{applicant['id']}/review",
                         data={"reviewAnswer": "RED", "reviewRejectType": "RETRY", "rejectLabels": ["FORGERY"],
                               "moderationComment": "Document looks edited"}, timeout=10)
    assert page.status_code == 200 and "applicantReviewed" in page.text
    run_jobs("kyc")
    user = users.by_id(db, user_id)
    assert user["kycStatus"] == "rejected" and user["kycReason"] == "Document looks edited (FORGERY)"
    assert user["kycApplicationId"] == applicant["id"]
    assert any(e["type"] == "applicantReviewed" for e in kyc_webhooks.recent(db))
