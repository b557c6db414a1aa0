"""The issuer's offering wizard through the real pages: validation per step, save and resume, uploads,
ownership, final submission and the lock that follows."""

import re

import pytest
from bson import ObjectId

from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.accounts import login, make_user, post
from tests.integration.offerings.conftest import STEP_FORMS, create_offering, fill_wizard, upload


def test_every_step_saves_parsed_values_at_the_seed_paths(issuer_client, db):
    offering_id = fill_wizard(issuer_client)
    doc = db.offerings.find_one({})
    assert str(doc["_id"]) == offering_id and doc["status"] == "draft"
    details = doc["projectDetails"]
    assert details["tokenTicker"] == "HBL1" and details["tokenSupply"] == 10_000
    assert details["navLaunchPrice"] == 100_00 and details["minInvestment"] == 1_000_00
    assert details["projectedYield"] == 650 and details["occupancy"] == 9500 and details["lotSize"] == 12_000
    assert details["authorizedCountries"] == ["FR", "GB"] and doc["fee"] == 150
    assert doc["overview"]["title"] == "Harbour Lofts" and doc["team"][0]["name"] == "Ada Lovelace"
    assert re.fullmatch(r"[0-9a-f]{32}\.png", doc["overview"]["cover"])
    assert doc["documents"]["eSign"].endswith(".pdf")


@pytest.mark.parametrize(("key", "form", "field_error"), [
    ("token", {**STEP_FORMS["token"], "tokenSupply": "0"}, "Must be at least 1."),
    ("token", {**STEP_FORMS["token"], "tokenTicker": "harbour-lofts"}, "Use 3 to 6 capital letters or digits"),
    ("token", {**STEP_FORMS["token"], "maxTokenHolding": "20000"}, "cannot hold more than the whole supply"),
    ("raise", {**STEP_FORMS["raise"], "endDate": "2020-01-01"}, "must come after the opening date"),
    ("raise", {**STEP_FORMS["raise"], "minInvestment": "5000", "maxInvestment": "100"}, "at least the minimum"),
    ("raise", {**STEP_FORMS["raise"], "authorizedCountries": "GB, XX"}, "Not a country we know: XX"),
    ("raise", {**STEP_FORMS["raise"], "isPrivate": "on"}, "needs at least one member"),
    ("property", {**STEP_FORMS["property"], "projectedYield": "lots"}, "Enter a percentage such as 6.5."),
    ("overview", {**STEP_FORMS["overview"], "title": ""}, "This is required."),
])
def test_invalid_steps_re_render_with_messages_and_keep_what_was_typed(issuer_client, db, key, form, field_error):
    offering_id = create_offering(issuer_client)
    response = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/{key}", form)
    assert response.status_code == 422
    assert field_error in response.text
    for name, value in form.items():
        if name == "authorizedCountries":  # a list of names: the typed codes come back chosen
            assert '<option value="GB" selected>United Kingdom</option>' in response.text
            continue
        assert f'value="{value}"' in response.text or f">{value}<" in response.text or value in ("on",)
    assert key not in (db.offerings.find_one({})["completedSteps"])


def test_htmx_save_answers_with_the_next_step_fragment(issuer_client):
    offering_id = create_offering(issuer_client)
    response = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/overview", STEP_FORMS["overview"],
                    headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="wizard">')
    assert "Step 2 of 8: Property" in response.text
    assert response.headers["HX-Push-Url"].endswith(f"/issuer/offerings/{offering_id}/steps/property")


def test_leaving_and_coming_back_resumes_at_the_saved_step(issuer_client):
    offering_id = create_offering(issuer_client)
    post(issuer_client, f"/issuer/offerings/{offering_id}/steps/overview", STEP_FORMS["overview"])
    post(issuer_client, f"/issuer/offerings/{offering_id}/steps/property", STEP_FORMS["property"])
    response = issuer_client.get(f"/issuer/offerings/{offering_id}")
    assert response.headers["Location"].endswith("/steps/token")
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/overview").text
    assert 'value="Harbour Lofts"' in page and 'value="https://harbour.example"' in page


def test_uploads_are_checked_by_content(issuer_client, app):
    offering_id = create_offering(issuer_client)
    refused = upload(issuer_client, offering_id, "cover", b"<script>alert(1)</script>", "cover.png")
    assert refused.status_code == 422 and "Step 1 of 8" in refused.text
    assert upload(issuer_client, offering_id, "cover", PDF_BYTES, "cover.png").status_code == 422
    app.config["UPLOAD_MAX_BYTES"] = 1024
    assert upload(issuer_client, offering_id, "pitchDeck", PDF_BYTES + b" " * 2048, "deck.pdf").status_code == 413
    app.config["UPLOAD_MAX_BYTES"] = 5 * 1024 * 1024
    assert upload(issuer_client, offering_id, "titleDocs", PDF_BYTES, "../../etc/passwd").status_code == 303


def test_an_issuer_cannot_see_or_change_another_issuers_offering(app, issuer_client):
    offering_id = fill_wizard(issuer_client)
    other = app.test_client()
    login(other, make_user("issuer"))
    assert other.get(f"/issuer/offerings/{offering_id}/steps/overview").status_code == 404
    assert post(other, f"/issuer/offerings/{offering_id}/steps/overview", STEP_FORMS["overview"]).status_code == 404
    assert post(other, f"/issuer/offerings/{offering_id}/submit").status_code == 404
    assert other.get(f"/issuer/offerings/{offering_id}/files/{'0' * 32}.pdf").status_code == 404


def test_investors_and_visitors_cannot_open_the_issuer_area(app, investor_client):
    assert investor_client.get("/issuer/").status_code == 403
    assert app.test_client().get("/issuer/").status_code == 302


@pytest.fixture
def investor_client(auth):
    return auth("investor")


def test_submission_lists_what_is_missing_then_locks_the_offering(issuer_client, db):
    offering_id = create_offering(issuer_client)
    response = post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    assert response.status_code == 422
    assert "Complete the “Token” step." in response.text and "Upload the pitch deck." in response.text

    offering_id = fill_wizard(issuer_client)
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    doc = db.offerings.find_one({"_id": ObjectId(offering_id)})
    assert doc["status"] == "submitted" and doc["isFinalSubmission"] is True

    changed = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/overview",
                   {**STEP_FORMS["overview"], "title": "Sneaky edit"})
    assert changed.status_code == 303 and changed.headers["Location"].endswith(f"/issuer/offerings/{offering_id}")
    assert upload(issuer_client, offering_id, "cover", png_bytes(), "c.png").status_code == 303
    doc = db.offerings.find_one({"_id": doc["_id"]})
    assert doc["overview"]["title"] == "Harbour Lofts", "a submitted offering does not change"


def test_dashboard_lists_the_issuers_offerings(issuer_client):
    fill_wizard(issuer_client)
    page = issuer_client.get("/issuer/").text
    assert "Harbour Lofts" in page and "Draft" in page and "$0 of $1,000,000 (0%)" in page


@pytest.mark.parametrize("key", ["overview", "property", "token", "raise", "documents", "team", "custom", "review"])
def test_every_step_page_opens_on_a_fresh_and_on_a_filled_offering(issuer_client, key):
    fresh = create_offering(issuer_client)
    filled = fill_wizard(issuer_client)
    for offering_id in (fresh, filled):
        response = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/{key}")
        assert response.status_code == 200 and "Step " in response.text
