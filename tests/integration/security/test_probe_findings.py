"""The security probe's findings (issue 11, section 5), one test per defect, through the real pages and servers."""

from __future__ import annotations

import re
import sys
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.data import users
from app.domain.accounts import two_factor
from app.domain.accounts.login_guard import ACCOUNT_FAILURES
from app.providers.docusign import connect_signature, signed_delivery
from app.providers.sumsub import payload_digest, signed_webhook
from tests.factories import PDF_BYTES, list_offering, offering_doc, png_bytes
from tests.fixtures.accounts import PASSWORD, csrf, login, make_user, post

WRONG = "wrong wrong wrong"


def outbox_to(db, email: str) -> list[dict]:
    return list(db.outbox.find({"to": email}))


def link_in(body: str) -> str:
    return "/" + re.search(r"https?://\S+", body).group(0).split("/", 3)[3]


# --- open redirect -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("next_value", ["/%09/evil.example/phish", "/%0d%0aSet-Cookie:%20x=1", "/%0a/evil.example",
                                        "/%5C/evil.example", "%2F%2Fevil.example", "/%E2%80%AE/x"])
def test_sign_in_never_redirects_elsewhere_nor_fails_on_a_hostile_next(client, investor_user, next_value):
    response = client.post(f"/auth/login?next={next_value}", data={
        "csrf_token": csrf(client), "email": investor_user["email"], "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/account"


def test_a_next_on_this_site_is_kept(client, investor_user):
    response = client.post("/auth/login?next=/portfolio/", data={
        "csrf_token": csrf(client), "email": investor_user["email"], "password": PASSWORD})
    assert response.headers["Location"] == "/portfolio/"


@pytest.fixture
def investor_user(app):
    return make_user("investor")


# --- wallet proof domain -------------------------------------------------------------------------------------------

def test_the_wallet_message_names_the_configured_site_whatever_the_host_header(app, client, investor_user):
    login(client, investor_user)
    token = csrf(client, "/auth/account")
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")  # the request reaches
    wallet = Account.create()                                                                # us as evil.example
    response = client.post("/onboarding/wallets/message", data={"address": wallet.address},
                           headers={"X-CSRFToken": token, "Host": "evil.example"})
    site = urlsplit(app.config["PUBLIC_URL"])
    text = response.get_json()["message"]
    assert text.startswith(f"{site.netloc} wants you to sign in") and "evil.example" not in text
    assert f"URI: {site.scheme}://{site.netloc}\n" in text
    # a message made for another site, even validly signed, is refused
    forged = text.replace(f"{site.netloc} wants you", "evil.example wants you")
    signature = "0x" + bytes(wallet.sign_message(encode_defunct(text=forged)).signature).hex()
    refused = client.post("/onboarding/wallets", data={"message": forged, "signature": signature},
                          headers={"X-CSRFToken": token, "Host": "evil.example"})
    assert refused.status_code == 400 and "another site" in refused.get_json()["error"]


# --- lockout -------------------------------------------------------------------------------------------------------

def _fail_from_many_places(app, email: str) -> None:
    for n in range(ACCOUNT_FAILURES):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"10.1.{n // 200}.{n % 200}"
        assert post(attacker, "/auth/login", {"email": email, "password": WRONG}).status_code == 401


def test_failures_from_everywhere_slow_guessing_but_never_lock_the_owner_out(app, db, investor_user):
    owner_browser = app.test_client()
    owner_browser.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert login(owner_browser, investor_user).status_code == 303  # this browser signed in before
    post(owner_browser, "/auth/logout")
    _fail_from_many_places(app, investor_user["email"])

    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    throttled = login(guesser, investor_user)  # even the right password, from a browser not proven
    assert throttled.status_code == 429 and "we mailed it a link" in throttled.text
    assert login(owner_browser, investor_user).status_code == 303  # the owner's own browser still gets in

    new_browser = app.test_client()
    new_browser.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert login(new_browser, investor_user).status_code == 429
    [mail] = [m for m in outbox_to(db, investor_user["email"]) if "Sign in to Libertum" in m["subject"]]
    unlock = link_in(mail["body"])
    assert new_browser.get(unlock).status_code == 200  # GET only shows the button
    assert post(new_browser, unlock).status_code == 303
    assert login(new_browser, investor_user).status_code == 303


def test_an_unknown_email_is_throttled_exactly_like_a_real_one(app, db):
    _fail_from_many_places(app, "nobody@example.com")
    response = post(app.test_client(), "/auth/login", {"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 429 and "we mailed it a link" in response.text
    assert outbox_to(db, "nobody@example.com") == []


def test_one_address_guessing_one_account_is_slowed_only_there(app, investor_user):
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.3.0.1"
    codes = [post(guesser, "/auth/login", {"email": investor_user["email"], "password": WRONG}).status_code
             for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.3.0.2"
    assert login(elsewhere, investor_user).status_code == 303


# --- reset links ---------------------------------------------------------------------------------------------------

def _reset_links(app, db, email: str, count: int) -> list[str]:
    for _ in range(count):
        assert post(app.test_client(), "/auth/forgot", {"email": email}).status_code == 200
    return [link_in(m["body"]) for m in outbox_to(db, email) if "Reset" in m["subject"]]


def test_using_one_reset_link_ends_the_older_ones(app, db, investor_user):
    older, newer = _reset_links(app, db, investor_user["email"], 2)
    client = app.test_client()
    assert post(client, newer, {"password": "a fresh and long passphrase"}).status_code == 303
    assert client.get(older).status_code == 410
    assert post(client, older, {"password": "the attacker's own passphrase"}).status_code == 410


def test_changing_the_password_ends_every_reset_link(app, db, investor_user):
    [pending] = _reset_links(app, db, investor_user["email"], 1)
    client = app.test_client()
    login(client, investor_user)
    assert post(client, "/auth/password", {"current_password": PASSWORD,
                                           "new_password": "a brand new long passphrase"}).status_code == 303
    assert app.test_client().get(pending).status_code == 410


# --- account enumeration -------------------------------------------------------------------------------------------

SIGNUP = {"legal_name": "Ada Lovelace", "country_code": "+44", "password": "analytical engine notes"}


def test_sign_up_answers_the_same_for_an_email_in_use_and_mails_its_owner(app, db):
    owner = make_user("investor", email="taken@example.com")
    answers = []
    for email, mobile in (("fresh@example.com", "7700900701"), ("taken@example.com", "7700900702")):
        client = app.test_client()
        response = post(client, "/auth/signup", {**SIGNUP, "email": email, "mobile": mobile})
        page = client.get(response.headers["Location"]).text
        answers.append((response.status_code, response.headers["Location"],
                        re.sub(r"\S+@example\.com", "EMAIL", re.search(r"Check your mailbox[^<]*", page).group(0))))
    assert answers[0] == answers[1]
    assert db.users.count_documents({"email": "taken@example.com"}) == 1
    assert users.by_id(db, owner["_id"])["legalFullName"] == owner["legalFullName"]  # nothing changed
    [notice] = outbox_to(db, "taken@example.com")
    assert "already has one" in notice["body"]


def _sign_in_ms(app, email: str, n: int) -> float:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.7.{n}.{len(email)}"  # each attempt from its own address
    token = csrf(client)
    start = time.perf_counter()
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": WRONG})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 401
    return elapsed


def test_sign_in_takes_as_long_for_an_unknown_email_as_for_a_real_one(app, investor_user):
    """Before: 37 ms for a real email, 12 ms for an unknown one (the password hash was skipped)."""
    pairs = [(_sign_in_ms(app, investor_user["email"], n), _sign_in_ms(app, "nobody-at-all@example.com", n))
             for n in range(9)]  # interleaved, and the fastest of each kind: load on the machine only adds time
    real, unknown = min(p[0] for p in pairs), min(p[1] for p in pairs)
    assert unknown > 0.6 * real, (real, unknown)


# --- document routes -----------------------------------------------------------------------------------------------

def test_a_kyc_reviewer_cannot_download_an_offerings_file_through_the_kyc_document_route(app, db):
    offering = list_offering(db, offering_doc())
    folder = Path(app.config["UPLOAD_DIR"]).resolve() / str(offering["_id"])
    folder.mkdir(parents=True, exist_ok=True)
    name = "0123456789abcdef0123456789abcdef.pdf"
    (folder / name).write_bytes(PDF_BYTES)
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"documents.titleDocs": name}})
    reviewer = app.test_client()
    login(reviewer, make_user("subadmin", permissions=["kyc"]))
    assert reviewer.get(f"/onboarding/documents/{offering['_id']}/{name}").status_code == 404
    # ... while a person's own document still reaches a reviewer
    person = make_user("investor")
    own = Path(app.config["UPLOAD_DIR"]).resolve() / str(person["_id"])
    own.mkdir(parents=True, exist_ok=True)
    (own / name).write_bytes(PDF_BYTES)
    db.userdetails.update_one({"userId": person["_id"]}, {"$set": {"documents": {"frontId": name}}}, upsert=True)
    assert reviewer.get(f"/onboarding/documents/{person['_id']}/{name}").status_code == 200


# --- 500s on input -------------------------------------------------------------------------------------------------

def test_a_non_ascii_payload_digest_is_refused_not_a_500(app, client):
    response = client.post("/webhooks/kyc/sumsub", data=b'{"type":"x"}', content_type="application/json",
                           headers={"X-Payload-Digest": "é" * 64, "X-Payload-Digest-Alg": "HMAC_SHA256_HEX"})
    assert response.status_code == 401


def test_superscript_and_full_width_digits_in_paths_and_pages(app, client, db):
    offering = list_offering(db, offering_doc())
    assert client.get(f"/offerings/{offering['_id']}/documents/custom-²").status_code == 404
    assert client.get(f"/offerings/{offering['_id']}/documents/custom-１").status_code == 404
    assert client.get("/offerings?page=²").status_code == 200
    assert client.get("/offerings?page=１２&min_yield=７").status_code == 200


@pytest.mark.parametrize("code", ["１２３４５６", "²²²²²²", "١٢٣٤٥٦"])
def test_two_factor_codes_in_other_digits_are_refused_not_a_500(app, client, db, code):
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"is2FAActive": True, "twoFASecret": two_factor.seal(pyotp.random_base32())})
    assert login(client, user).headers["Location"].startswith("/auth/login/code")
    token = csrf(client, "/auth/login/code")
    response = client.post("/auth/login/code", data={"csrf_token": token, "code": code})
    assert response.status_code == 401 and "not right" in response.text


@pytest.mark.parametrize(("change", "error"), [
    (lambda text: re.sub(r"(Expiration Time: \S+)Z", r"\1", text), "time zone"),
    (None, "could not be read"),
])
def test_wallet_proofs_with_a_zoneless_expiry_or_an_empty_signature_are_refused(app, client, investor_user,
                                                                                change, error):
    login(client, investor_user)
    wallet = Account.create()
    headers = {"X-CSRFToken": csrf(client, "/auth/account")}
    text = client.post("/onboarding/wallets/message", data={"address": wallet.address}, headers=headers
                       ).get_json()["message"]
    text = change(text) if change else text
    signature = "0x" + bytes(wallet.sign_message(encode_defunct(text=text)).signature).hex() if change else "0x"
    response = client.post("/onboarding/wallets", data={"message": text, "signature": signature}, headers=headers)
    assert response.status_code == 400 and error in response.get_json()["error"]


ODD_SHAPES = [{"applicantId": {"$ne": None}, "type": "applicantReviewed", "createdAtMs": "2026-11-25 10:00:00"},
              {"applicantId": "a1", "type": ["applicantReviewed"], "createdAtMs": "2026-11-25 10:00:00"},
              {"applicantId": "a1", "type": "applicantReviewed", "createdAtMs": "2026-11-25 10:00:00",
               "reviewResult": ["GREEN"]},
              {"applicantId": "a1", "type": "applicantReviewed", "createdAtMs": "２０２６-11-25 10:00:00"},
              {"applicantId": "a1", "type": "applicantCreated", "createdAtMs": "2026-11-25 10:00:00",
               "extra": {"a.b": 1}},
              {"applicantId": "a1", "type": "applicantCreated", "createdAtMs": "2026-11-25 10:00:00", "n": [[1]]}]


@pytest.mark.parametrize("body", ODD_SHAPES)
def test_validly_signed_kyc_webhooks_of_unexpected_shapes_are_refused_and_not_stored(app, client, db, body):
    raw, headers = signed_webhook(app.config["KYC_WEBHOOK_SECRET"], body)
    assert client.post("/webhooks/kyc/sumsub", data=raw, headers=headers).status_code == 400
    assert db.kycWebhooks.count_documents({}) == 0


@pytest.mark.parametrize("body", [{"event": ["envelope-completed"], "data": {"envelopeId": "e1"},
                                   "generatedDateTime": "2026-11-25T10:00:00Z"},
                                  {"event": "envelope-completed", "data": {"envelopeId": "e1"},
                                   "generatedDateTime": "２０２６-11-25T10:00:00Z"},
                                  {"event": "envelope-completed", "data": {"envelopeId": "e1", "$set": 1},
                                   "generatedDateTime": "2026-11-25T10:00:00Z"}])
def test_validly_signed_esign_webhooks_of_unexpected_shapes_are_refused(app, client, db, body):
    raw, headers = signed_delivery(app.config["ESIGN_HMAC_KEYS"], body)
    assert client.post("/webhooks/esign/docusign", data=raw, headers=headers).status_code == 400
    assert db.esignWebhooks.count_documents({}) == 0


def test_a_signed_body_nested_100000_levels_is_refused_before_parsing(app, client, db):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)  # what py_ecc does to the process: json.loads would then overflow the C stack
    try:
        raw = b'{"applicantId":"a1","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        headers = signed_webhook(app.config["KYC_WEBHOOK_SECRET"], {})[1]
        headers["X-Payload-Digest"] = payload_digest(app.config["KYC_WEBHOOK_SECRET"], raw)
        assert client.post("/webhooks/kyc/sumsub", data=raw, headers=headers).status_code == 400
        deep = b'{"data":' + b"{" * 50_000 + b"}" * 50_000 + b"}"
        headers = signed_delivery(app.config["ESIGN_HMAC_KEYS"], {})[1]
        headers["X-DocuSign-Signature-1"] = connect_signature(app.config["ESIGN_HMAC_KEYS"][0], deep)
        assert client.post("/webhooks/esign/docusign", data=deep, headers=headers).status_code == 400
    finally:
        sys.setrecursionlimit(limit)


# --- input rules ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Ada\x00Lovelace", "Ada\r\nBcc: x@example.com", "Ada \u202eecalevoL"])
def test_control_characters_are_refused_in_names(app, client, db, name):
    response = post(client, "/auth/signup", {**SIGNUP, "legal_name": name, "email": "ctl@example.com",
                                             "mobile": "7700900801"})
    assert response.status_code == 422 and "control characters" in response.text
    assert db.users.count_documents({}) == 0


def _files_under(app, owner_id) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]).resolve() / str(owner_id)
    return list(folder.iterdir()) if folder.exists() else []


def test_a_refused_kyc_step_leaves_no_file_on_disk(app, client):
    user = make_user("investor")
    login(client, user)
    token = csrf(client, "/auth/account")
    post_data = {"csrf_token": token, "accountType": "individual"}
    client.post("/onboarding/kyc/type", data=post_data)
    response = client.post("/onboarding/kyc/documents", data={
        "csrf_token": token, "frontId": (BytesIO(png_bytes()), "front.png"),
        "backId": (BytesIO(b"<html><script>x</script></html>"), "back.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert _files_under(app, user["_id"]) == []


def test_an_upload_label_has_a_length_limit_and_a_refused_upload_leaves_no_file(app, client, db):
    issuer = make_user("issuer")
    offering = list_offering(db, offering_doc(status="draft", userId=issuer["_id"], createdBy=issuer["_id"]))
    login(client, issuer)
    response = client.post(f"/issuer/offerings/{offering['_id']}/files/custom", data={
        "csrf_token": csrf(client, "/auth/account"), "label": "L" * 5000,
        "file": (BytesIO(PDF_BYTES), "doc.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "under 120 characters" in response.text
    image = client.post(f"/issuer/offerings/{offering['_id']}/files/cover", data={
        "csrf_token": csrf(client, "/auth/account"), "file": (BytesIO(PDF_BYTES), "cover.pdf")},
        content_type="multipart/form-data")
    assert image.status_code == 422 and "PNG, JPEG or WebP" in image.text
    assert _files_under(app, offering["_id"]) == []


# --- 413 -----------------------------------------------------------------------------------------------------------

def test_an_oversize_body_says_the_limits_in_the_page_and_in_an_htmx_fragment(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    page = client.post("/auth/login", data={"email": "x" * 8000})
    assert page.status_code == 413 and "up to 4 KB" in page.text and "request id" in page.text
    fragment = client.post("/auth/login", data={"email": "x" * 8000}, headers={"HX-Request": "true"})
    assert fragment.status_code == 413 and fragment.headers["HX-Reswap"] == "afterbegin"
    assert "up to 4 KB" in fragment.text and "<html" not in fragment.text


def test_an_oversize_kyc_document_under_htmx_shows_the_limit_in_the_fragment(app, client):
    user = make_user("investor")
    login(client, user)
    token = csrf(client, "/auth/account")
    client.post("/onboarding/kyc/type", data={"csrf_token": token, "accountType": "individual"})
    app.config["UPLOAD_MAX_BYTES"] = 2048
    response = client.post("/onboarding/kyc/documents", headers={"HX-Request": "true"}, data={
        "csrf_token": token, "frontId": (BytesIO(png_bytes(b"\x00\x00\x08\x00tEXt" + b"a" * 4096)), "big.png"),
        "backId": (BytesIO(PDF_BYTES), "back.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 413 and "limit of 2 KB" in response.text  # htmx swaps it into the wizard
    assert _files_under(app, user["_id"]) == []
