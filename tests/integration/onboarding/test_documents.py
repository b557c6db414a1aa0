"""Upload attacks over HTTP (oversize, wrong content behind a good name, path tricks, polyglot) and who may
download a document."""

from __future__ import annotations

import os

from bson import ObjectId

from app.data import user_details
from tests.integration.onboarding.conftest import ADDRESS, PDF, PERSONAL, form_post, page, png_bytes, signed_in, upload


def start_documents_step(client) -> None:
    form_post(client, "/onboarding/kyc/type", {"accountType": "individual"})
    form_post(client, "/onboarding/kyc/personal", PERSONAL)
    form_post(client, "/onboarding/kyc/address", ADDRESS)


def send(client, front: tuple, back: tuple | None = None):
    files = {"frontId": front, "backId": back or upload(PDF, "back.pdf")}
    return form_post(client, "/onboarding/kyc/documents", files, content_type="multipart/form-data")


def test_oversize_file_gets_413_and_nothing_is_stored(investor_client, app, db):
    start_documents_step(investor_client)
    app.config["UPLOAD_MAX_BYTES"] = 2048
    response = send(investor_client, upload(png_bytes(b"\x00\x00\x08\x00tEXt" + b"a" * 4096), "big.png"))
    assert response.status_code == 413
    assert "documents" not in user_details.get(db, ObjectId(investor_client.user["_id"]))


def test_html_behind_an_image_name_and_type_is_refused_with_a_message(investor_client, db):
    start_documents_step(investor_client)
    response = send(investor_client, upload(b"<html><script>alert(document.cookie)</script></html>", "photo.png"))
    assert response.status_code == 422 and "Only PDF, PNG, JPEG or WebP" in response.text
    assert "documents" not in user_details.get(db, ObjectId(investor_client.user["_id"]))


def test_polyglot_image_with_script_is_refused(investor_client):
    start_documents_step(investor_client)
    polyglot = png_bytes(b"\x00\x00\x00\x20tEXt<script>fetch('/admin')</script>")
    response = send(investor_client, upload(polyglot, "id.png"))
    assert response.status_code == 422 and "active content" in response.text


def test_path_tricks_in_the_file_name_have_no_effect(investor_client, app, db):
    start_documents_step(investor_client)
    response = send(investor_client, upload(png_bytes(), "../../../../app/static/evil.png"),
                    upload(PDF, "..\\..\\wsgi.py"))
    assert response.status_code == 200
    stored = user_details.get(db, ObjectId(investor_client.user["_id"]))["documents"]
    folder = os.path.join(app.config["UPLOAD_DIR"], str(investor_client.user["_id"]))
    assert sorted(os.listdir(folder)) == sorted([stored["frontId"], stored["backId"]])
    assert not os.path.exists(os.path.join(app.root_path, "static", "evil.png"))
    for name in ("..%2F..%2Fwsgi.py", "../" + stored["frontId"], stored["frontId"] + "/../x"):
        assert page(investor_client, f"/onboarding/documents/{investor_client.user['_id']}/{name}").status_code == 404


def test_documents_download_as_attachments_to_the_owner_and_reviewers_only(investor_client, app, db):
    start_documents_step(investor_client)
    send(investor_client, upload(png_bytes(), "front.png"))
    owner_id = investor_client.user["_id"]
    name = user_details.get(db, ObjectId(owner_id))["documents"]["frontId"]
    url = f"/onboarding/documents/{owner_id}/{name}"
    own = page(investor_client, url)
    assert own.status_code == 200 and own.data == png_bytes()
    assert own.headers["Content-Disposition"].startswith("attachment;")
    assert own.headers["Content-Type"] == "image/png" and own.headers["X-Content-Type-Options"] == "nosniff"
    other = app.test_client()
    signed_in(other)
    assert page(other, url).status_code == 404
    no_kyc = app.test_client()
    signed_in(no_kyc, "subadmin", permissions=["orders"])
    assert page(no_kyc, url).status_code == 404
    reviewer = app.test_client()
    signed_in(reviewer, "subadmin", permissions=["kyc"])
    assert page(reviewer, url).status_code == 200
