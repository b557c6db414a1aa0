"""The KYC review reads in human terms: document types, countries and dates as people write them, the
status by its label, never the stored values ("driversLicense", "GB", "1990-04-01", "submitted")."""

from __future__ import annotations

from tests.factories import png_bytes
from tests.integration.onboarding.conftest import ADDRESS, PDF, PERSONAL, form_post, page, signed_in, upload


def test_the_kyc_review_shows_document_types_countries_and_dates_for_people(app, investor_client):
    assert form_post(investor_client, "/onboarding/kyc/type", {"accountType": "individual"}).status_code == 303
    personal = {**PERSONAL, "identificationDocument": "driversLicense"}
    assert form_post(investor_client, "/onboarding/kyc/personal", personal).status_code == 200
    assert form_post(investor_client, "/onboarding/kyc/address", ADDRESS).status_code == 200
    assert form_post(investor_client, "/onboarding/kyc/documents", {"frontId": upload(png_bytes()),
                                                                    "backId": upload(PDF, "back.pdf")},
                     content_type="multipart/form-data").status_code == 200
    assert form_post(investor_client, "/onboarding/kyc/submit").status_code == 303
    reviewer = app.test_client()
    signed_in(reviewer, "subadmin", permissions=["kyc"])
    queue = page(reviewer, "/admin/review/kyc").text
    assert "Submitted" in queue and " UTC" in queue and "<td>submitted</td>" not in queue
    detail = page(reviewer, f"/admin/review/kyc/{investor_client.user['_id']}").text
    assert 'data-testid="kyc-status">Submitted<' in detail
    for human in ("Driving licence", "United Kingdom", "1 Apr 1990", "1 Jan 2031"):
        assert human in detail, human
    for raw in ("driversLicense", "<dd>GB</dd>", "1990-04-01", "2031-01-01"):
        assert raw not in detail, raw


def test_the_verification_page_marks_where_the_investor_stands(investor_client):
    page = investor_client.get("/onboarding/").text
    stepper = page.split('aria-label="Your way to investing"')[1].split("</nav>")[0]
    assert '<li class="stage stage-current" aria-current="step">' in stepper.split("Verify your identity")[0]
    assert stepper.count("stage-next") == 2 and "stage-done" not in stepper
