"""The offering wizard as a form people trust, through the real pages: uploads answered in place (only
the file's row), amounts in the platform currency, countries by name, prefill from the issuer application,
a review step in human terms, and the submitted offering with a preview of its public page."""

import io

from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.accounts import post
from tests.integration.offerings.conftest import STEP_FORMS, create_offering, fill_wizard, upload

HTMX = {"HX-Request": "true"}


def test_an_upload_under_htmx_answers_only_its_row_with_name_size_and_preview(issuer_client, db):
    offering_id = create_offering(issuer_client)
    response = post(issuer_client, f"/issuer/offerings/{offering_id}/files/cover",
                    {"file": (io.BytesIO(png_bytes()), "harbour-front.png")},
                    content_type="multipart/form-data", headers=HTMX)
    assert response.status_code == 200
    row = response.text.strip()
    assert row.startswith('<div class="file-row" id="file-cover">') and 'id="wizard"' not in row
    assert "harbour-front.png" in row and "Required" in row and "Public" in row
    stored = db.offerings.find_one({})["overview"]["cover"]
    preview = f"/issuer/offerings/{offering_id}/images/{stored}"
    assert f'src="{preview}"' in row
    image = issuer_client.get(preview)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert issuer_client.get(f"/issuer/offerings/{offering_id}/images/{'0' * 32}.pdf").status_code == 404


def test_a_refused_upload_under_htmx_says_why_in_its_row(issuer_client):
    offering_id = create_offering(issuer_client)
    response = post(issuer_client, f"/issuer/offerings/{offering_id}/files/pitchDeck",
                    {"file": (io.BytesIO(b"<script>x</script>"), "deck.pdf")},
                    content_type="multipart/form-data", headers=HTMX)
    assert response.status_code == 422 and 'id="file-pitchDeck"' in response.text
    assert "Only PDF, PNG, JPEG or WebP" in response.text and "Not uploaded yet" in response.text


def test_documents_tick_only_with_the_required_documents_and_files_can_be_removed(issuer_client, db):
    offering_id = create_offering(issuer_client)
    upload(issuer_client, offering_id, "icon", png_bytes(), "icon.png")
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/team").text
    assert 'class="stage stage-next"' in page.split(">Documents<")[0].rsplit("<li", 1)[1]
    for slot in ("eSign", "pitchDeck"):
        upload(issuer_client, offering_id, slot, PDF_BYTES, f"{slot}.pdf")
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/team").text
    assert 'class="stage stage-done"' in page.split(">Documents<")[0].rsplit("<li", 1)[1]
    removed = post(issuer_client, f"/issuer/offerings/{offering_id}/files/pitchDeck/remove", {"confirm": "yes"},
                   headers=HTMX)
    assert removed.status_code == 200 and "Not uploaded yet" in removed.text
    assert not db.offerings.find_one({})["documents"]["pitchDeck"]
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/team").text
    assert 'class="stage stage-next"' in page.split(">Documents<")[0].rsplit("<li", 1)[1]


def test_amounts_are_in_the_platform_currency_typed_the_usual_ways(issuer_client, db):
    offering_id = create_offering(issuer_client)
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/property").text
    assert "Valuation at launch (USD)" in page
    refused = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/property",
                   {**STEP_FORMS["property"], "launchValuation": "£4,800,000"})
    assert refused.status_code == 422 and "Amounts here are in US dollars (USD)" in refused.text
    assert 'value="£4,800,000"' in refused.text  # what was typed stays
    saved = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/property",
                 {**STEP_FORMS["property"], "launchValuation": "4 800 000", "previousValuation": "$4,500,000.50"})
    assert saved.status_code == 303
    details = db.offerings.find_one({})["projectDetails"]
    assert details["launchValuation"] == 480_000_000 and details["previousValuation"] == 450_000_050


def test_countries_are_chosen_by_name_and_stored_as_codes(issuer_client, db):
    offering_id = create_offering(issuer_client)
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/raise").text
    assert '<option value="DE">Germany</option>' in page
    filtered = issuer_client.get("/issuer/countries?q=united&authorizedCountries=FR", headers=HTMX).text
    assert "United Kingdom" in filtered and "United States" in filtered and "Germany" not in filtered
    assert '<option value="FR" selected>France</option>' in filtered  # a chosen country stays chosen
    form = {**STEP_FORMS["raise"], "authorizedCountries": ["DE", "FR"]}
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/steps/raise", form).status_code == 303
    assert db.offerings.find_one({})["projectDetails"]["authorizedCountries"] == ["DE", "FR"]
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/raise").text
    assert '<option value="DE" selected>Germany</option>' in page


def test_the_overview_is_prefilled_from_the_approved_issuer_application(issuer_client, issuer, db):
    db.userdetails.update_one({"userId": issuer["_id"]}, {"$set": {
        "issuerApplication": {"name": "Harbour SPV Ltd", "entityType": "company", "webSite": "https://h.example",
                              "business": "Residential rental", "sourceOfFunds": "Equity"},
        "institutions": {"address": {"city": "Bristol", "country": "GB"}}}}, upsert=True)
    offering_id = create_offering(issuer_client)
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/overview").text
    for value in ("Harbour SPV Ltd", "https://h.example", "Residential rental", "Bristol, United Kingdom"):
        assert f'value="{value}"' in page
    assert '<option value="company" selected>' in page


def test_the_review_step_lists_everything_in_human_terms_with_links_back(issuer_client):
    offering_id = fill_wizard(issuer_client)
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/review").text
    for shown in ("$1,000,000", "6.5%", "France, United Kingdom", "$100", "1.5%", "Ada Lovelace", "cover.png",
                  "sub.pdf", "12 months", "Special purpose vehicle (SPV)"):
        assert shown in page, shown
    for raw in ("['FR', 'GB']", "None", "100000</", "650</"):
        assert raw not in page, raw
    for key in ("overview", "property", "token", "raise", "documents", "team"):
        assert f'href="/issuer/offerings/{offering_id}/steps/{key}"' in page


def test_after_submitting_the_issuer_sees_the_offering_and_a_preview_of_its_page(issuer_client):
    offering_id = fill_wizard(issuer_client)
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    page = issuer_client.get(f"/issuer/offerings/{offering_id}").text
    assert 'data-testid="review-status">Submitted for review<' in page
    assert "What you submitted" in page and "France, United Kingdom" in page
    preview = page.split('data-testid="public-preview"')[1]
    assert "Key facts" in preview and "12 months after purchase" in preview and "$100" in preview
    assert f"/issuer/offerings/{offering_id}/images/" in preview  # the cover, from the issuer's own files


def test_removing_a_team_member_asks_first(issuer_client, db):
    offering_id = fill_wizard(issuer_client)
    page = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/team").text
    assert 'hx-confirm="Remove Ada Lovelace?"' in page
    removed = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/team/entries/0/remove", {"confirm": "yes"},
                   headers=HTMX)
    assert removed.status_code == 204 and removed.headers["HX-Redirect"].endswith("/steps/team")
    assert db.offerings.find_one({})["team"] == []
