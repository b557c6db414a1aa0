"""Removing from the wizard asks first without JavaScript too, and a removed file leaves storage while
nobody but the issuer has seen it; once the offering was submitted, removed files stay for the audit."""

from __future__ import annotations

from pathlib import Path

from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.accounts import post
from tests.integration.offerings.conftest import create_offering, fill_wizard, upload


def stored_path(app, offering_id: str, name: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]).resolve() / offering_id / name


def test_removing_a_file_without_the_confirmation_only_asks(app, issuer_client, db):
    offering_id = create_offering(issuer_client)
    upload(issuer_client, offering_id, "pitchDeck", PDF_BYTES, "deck-2026.pdf")
    url = f"/issuer/offerings/{offering_id}/files/pitchDeck/remove"
    for asked in (post(issuer_client, url), issuer_client.get(url)):
        assert asked.status_code == 200 and "Remove deck-2026.pdf from the pitch deck?" in asked.text
        assert 'name="confirm" value="yes"' in asked.text
        assert f"/issuer/offerings/{offering_id}/steps/documents" in asked.text
    stored = db.offerings.find_one({})["documents"]["pitchDeck"]
    assert stored and stored_path(app, offering_id, stored).is_file()

    removed = post(issuer_client, url, {"confirm": "yes"})
    assert removed.status_code == 303 and removed.headers["Location"].endswith("/steps/documents")
    assert not db.offerings.find_one({})["documents"]["pitchDeck"]
    assert not stored_path(app, offering_id, stored).exists()  # a draft's removed file is deleted
    assert issuer_client.get(url).status_code == 404  # nothing left to remove


def test_a_replaced_image_and_a_removed_other_document_leave_storage(app, issuer_client, db):
    offering_id = create_offering(issuer_client)
    upload(issuer_client, offering_id, "cover", png_bytes(), "first.png")
    first = db.offerings.find_one({})["overview"]["cover"]
    upload(issuer_client, offering_id, "cover", png_bytes(), "second.png")
    second = db.offerings.find_one({})["overview"]["cover"]
    assert first != second and not stored_path(app, offering_id, first).exists()
    assert stored_path(app, offering_id, second).is_file()

    upload(issuer_client, offering_id, "custom", PDF_BYTES, "survey.pdf", label="Survey")
    custom = db.offerings.find_one({})["documents"]["customDocs"][0]["value"]
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/files/custom-0/remove",
                {"confirm": "yes"}).status_code == 303
    assert not stored_path(app, offering_id, custom).exists() and stored_path(app, offering_id, second).is_file()


def test_a_submitted_offerings_removed_file_is_kept_for_the_audit(app, issuer_client, admin_client, db):
    offering_id = fill_wizard(issuer_client)
    stored = db.offerings.find_one({})["documents"]["pitchDeck"]
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    post(admin_client, f"/admin/offerings/{offering_id}/decision",
         {"decision": "request_changes", "reason": "Replace the pitch deck."})
    assert db.offerings.find_one({})["status"] == "changes_requested"  # editable again; reviewers saw the deck
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/files/pitchDeck/remove",
                {"confirm": "yes"}).status_code == 303
    assert not db.offerings.find_one({})["documents"]["pitchDeck"]
    assert stored_path(app, offering_id, stored).is_file()


def test_removing_a_team_member_without_the_confirmation_only_asks(issuer_client, db):
    offering_id = fill_wizard(issuer_client)
    url = f"/issuer/offerings/{offering_id}/steps/team/entries/0/remove"
    for asked in (post(issuer_client, url), issuer_client.get(url)):
        assert asked.status_code == 200 and "Remove Ada Lovelace?" in asked.text
    assert len(db.offerings.find_one({})["team"]) == 1
    assert issuer_client.get(f"/issuer/offerings/{offering_id}/steps/team/entries/5/remove").status_code == 404
    removed = post(issuer_client, url, {"confirm": "yes"})
    assert removed.status_code == 303 and db.offerings.find_one({})["team"] == []
