"""The KYC/KYB wizard over HTTP: per-step validation keeping values, resume, encryption, lock, submission."""

from __future__ import annotations

from bson import ObjectId

from app.data import user_details, users
from app.providers.sumsub import SumsubClient
from tests.fixtures.processes import run_jobs
from tests.integration.onboarding.conftest import (
    ADDRESS,
    PDF,
    PERSONAL,
    complete_individual,
    form_post,
    page,
    png_bytes,
    upload,
)


def test_a_step_with_errors_keeps_what_was_typed_and_saves_nothing(investor_client, db):
    form_post(investor_client, "/onboarding/kyc/type", {"accountType": "individual"})
    bad = {**PERSONAL, "dob": "2999-01-01", "nationality": "Britain"}
    response = form_post(investor_client, "/onboarding/kyc/personal", bad, headers={"HX-Request": "true"})
    assert response.status_code == 422  # a validation error, with or without htmx (the base layout swaps 422)
    assert "This date must be in the past." in response.text and "Enter a 2-letter country code" in response.text
    assert 'value="Bristol"' in response.text and 'value="AB1234567"' in response.text  # kept
    assert "<html" not in response.text  # htmx gets the fragment only
    plain = form_post(investor_client, "/onboarding/kyc/personal", bad)
    assert plain.status_code == 422 and "<html" in plain.text and 'value="Engineer"' in plain.text
    details = user_details.get(db, ObjectId(investor_client.user["_id"]))
    assert "mainInformation" not in details and details["kycSteps"] == 0


def test_leaving_and_coming_back_resumes_at_the_saved_step(investor_client):
    form_post(investor_client, "/onboarding/kyc/type", {"accountType": "individual"})
    response = form_post(investor_client, "/onboarding/kyc/personal", PERSONAL)
    assert response.status_code == 200 and "Step 2 of 4: Address" in response.text
    resume = page(investor_client, "/onboarding/kyc")
    assert resume.status_code == 302 and resume.headers["Location"].endswith("/onboarding/kyc/address")
    step = page(investor_client, "/onboarding/kyc/personal")
    assert 'value="Engineer"' in step.text and 'value="AB1234567"' in step.text  # the owner sees their own data
    assert '<progress class="wizard-progress" max="100" value="0"' in step.text


def test_identity_numbers_are_encrypted_at_rest_and_masked_in_the_summary(investor_client, db):
    complete_individual(investor_client)
    stored = user_details.get(db, ObjectId(investor_client.user["_id"]))
    assert stored["mainInformation"]["nationalIdNumber"].startswith("enc:v1:")
    assert "AB1234567" not in str(stored)
    review = page(investor_client, "/onboarding/kyc/review")
    assert "•••••4567" in review.text and "AB1234567" not in review.text
    assert stored["documents"]["frontId"].endswith(".png") and stored["documents"]["backId"].endswith(".pdf")


def test_submission_locks_the_data_and_opens_the_applicant_at_the_provider(investor_client, app, db, kyc_sandbox):
    complete_individual(investor_client)
    assert form_post(investor_client, "/onboarding/kyc/submit").status_code == 303
    user_id = ObjectId(investor_client.user["_id"])
    assert users.by_id(db, user_id)["kycStatus"] == "submitted"
    locked = form_post(investor_client, "/onboarding/kyc/personal", {**PERSONAL, "occupation": "Pilot"})
    assert locked.status_code == 409 and "cannot be changed" in locked.text
    assert user_details.get(db, user_id)["mainInformation"]["occupation"] == "Engineer"
    assert form_post(investor_client, "/onboarding/kyc/submit").status_code == 409  # submitted once only
    assert run_jobs("kyc") == 1
    user = users.by_id(db, user_id)
    status = SumsubClient.from_config(app.config).applicant_status(user["kycApplicationId"])
    assert status["reviewStatus"] == "pending" and user["levelName"] == "basic-kyc-level"
    assert "accessToken=_act-" in user_details.get(db, user_id)["isIdentityVerification"]["url"]
    status_page = page(investor_client, "/onboarding/")
    assert "Submitted" in status_page.text


def test_submitting_before_every_step_is_saved_is_refused(investor_client):
    form_post(investor_client, "/onboarding/kyc/type", {"accountType": "individual"})
    form_post(investor_client, "/onboarding/kyc/personal", PERSONAL)
    response = form_post(investor_client, "/onboarding/kyc/submit")
    assert response.status_code == 409 and "Complete every step" in response.text


def test_institution_path_with_owners_and_management(investor_client, db):
    form_post(investor_client, "/onboarding/kyc/type", {"accountType": "institution"})
    company = {"name": "Harbour Holdings Ltd", "entityType": "company", "webSite": "https://harbour.example",
               "business": "Property", "sourceOfFunds": "Retained earnings"}
    assert "Step 2 of 7" in form_post(investor_client, "/onboarding/kyc/company", company).text
    form_post(investor_client, "/onboarding/kyc/companyAddress", ADDRESS)
    contact = {"name": "Ada Lovelace", "jobTitle": "Director", "dob": "1980-01-01", "socialSecurityNumber": "123456789",
               "citizenship": "GB", "countryCode": "+44", "mobile": "7700900123", "email": "ada@harbour.example"}
    form_post(investor_client, "/onboarding/kyc/contact", contact)
    empty = form_post(investor_client, "/onboarding/kyc/owners/done")
    assert empty.status_code == 422 and "Add at least one entry" in empty.text
    owner = {"name": "Grace Hopper", "dob": "1970-02-02", "socialSecurityNumber": "987654321", "citizenship": "US"}
    assert "1 added" in form_post(investor_client, "/onboarding/kyc/owners", owner).text
    assert "Step 5 of 7" in form_post(investor_client, "/onboarding/kyc/owners/done").text
    form_post(investor_client, "/onboarding/kyc/management", {"name": "Alan Turing", "jobTitle": "CFO",
                                                              "dob": "1975-03-03", "citizenship": "GB",
                                                              "email": "alan@harbour.example"})
    form_post(investor_client, "/onboarding/kyc/management/done")
    docs = form_post(investor_client, "/onboarding/kyc/companyDocuments",
                     {"otherIdentification": upload(PDF, "incorporation.pdf"), "frontId": upload(png_bytes())},
                     content_type="multipart/form-data")
    assert "Review and submit" in docs.text
    stored = user_details.get(db, ObjectId(investor_client.user["_id"]))
    assert stored["institutions"]["companyInformation"]["name"] == "Harbour Holdings Ltd"
    assert stored["beneficialOwners"][0]["personalInformation"]["socialSecurityNumber"].startswith("enc:v1:")
    assert stored["kycSteps"] == 6
    assert form_post(investor_client, "/onboarding/kyc/submit").status_code == 303
    assert users.by_id(db, stored["userId"])["levelName"] == "basic-kyb-level"
