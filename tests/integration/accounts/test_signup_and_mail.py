"""Sign-up, the email verification link, password reset and the mobile code, over real SMTP and SMS sinks."""

import re

import pytest
import requests

from app.domain.accounts import service as accounts
from app.extensions import redis_client
from tests.fixtures.accounts import PASSWORD, csrf, login, post, run_mail_jobs

SIGNUP = {"legal_name": "Ada Lovelace", "email": "ada@example.com", "country_code": "+44",
          "mobile": "07700 900123", "password": "analytical engine notes"}


def mailbox(sandbox: str, to: str) -> list[dict]:
    return requests.get(f"{sandbox}/mail/messages.json", params={"to": to}, timeout=5).json()["messages"]


def texts(sandbox: str, to: str) -> list[dict]:
    return requests.get(f"{sandbox}/sms/messages.json", params={"to": to}, timeout=5).json()["messages"]


def link_in(message: dict) -> str:
    return re.search(r"https?://\S+", message["body"]).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_sign_up_creates_an_investor_and_mails_a_link(mail_sandbox, client, db):
    response = post(client, "/auth/signup", SIGNUP)
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert "Check your mailbox" in client.get("/auth/login").text
    user = db.users.find_one({"email": "ada@example.com"})
    assert user["userType"] == "investor" and user["mobile"] == "+447700900123" and user["countryCode"] == "+44"
    assert user["password"].startswith("$argon2id$") and not user["isEmailVerify"]
    assert db.passwords.find_one({"userId": user["_id"]})["passwords"] == [user["password"]]
    assert client.get("/auth/account").status_code == 302  # signed in only with the password (no enumeration)
    assert run_mail_jobs() == 1
    [message] = mailbox(mail_sandbox, "ada@example.com")
    assert message["subject"] == "Confirm your email for Libertum"
    assert db.outbox.find_one({"to": "ada@example.com"})["sentAt"] is not None


def test_verification_link_works_once(mail_sandbox, client, db):
    post(client, "/auth/signup", {**SIGNUP, "email": "once@example.com", "mobile": "7700900124"})
    run_mail_jobs()
    path = path_of(link_in(mailbox(mail_sandbox, "once@example.com")[0]))
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my email address" in page.text
    assert not db.users.find_one({"email": "once@example.com"})["isEmailVerify"]  # GET changed nothing
    assert post(client, path).status_code == 303
    assert db.users.find_one({"email": "once@example.com"})["isEmailVerify"]
    again = client.get(path)
    assert again.status_code == 410 and "already used" in again.text


def test_expired_link_says_so(client, db, investor):
    token = accounts.issue_token(investor, accounts.VERIFY_EMAIL)
    db.userTokens.update_many({}, {"$set": {"expiresAt": db.userTokens.find_one()["createdAt"].replace(year=2000)}})
    response = client.get(f"/auth/verify-email/{token}")
    assert response.status_code == 410 and "expired" in response.text
    assert client.get("/auth/verify-email/not-a-token").status_code == 410


def test_password_reset_by_mail_is_single_use_and_ends_sessions(mail_sandbox, app, db, investor):
    other_device = app.test_client()
    login(other_device, investor)
    client = app.test_client()
    assert post(client, "/auth/forgot", {"email": investor["email"]}).status_code == 200
    assert post(client, "/auth/forgot", {"email": "nobody@example.com"}).status_code == 200  # same answer
    assert run_mail_jobs() == 1
    [mail] = mailbox(mail_sandbox, investor["email"])
    assert "valid 30 minutes, usable once" in mail["body"]
    path = path_of(link_in(mail))
    assert client.get(path).status_code == 200
    weak = post(client, path, {"password": "password1234"})
    assert weak.status_code == 422 and "most common" in weak.text
    reused = post(client, path, {"password": PASSWORD})
    assert reused.status_code == 422 and "last 5 passwords" in reused.text
    assert post(client, path, {"password": "a fresh and long passphrase"}).status_code == 303
    assert other_device.get("/auth/account").status_code == 302  # every session of the account ended
    assert client.get(path).status_code == 410
    assert post(client, path, {"password": "yet another long passphrase"}).status_code == 410
    assert login(client, investor, password="a fresh and long passphrase").status_code == 303


def test_mobile_code_by_sms(mail_sandbox, client, db, investor):
    login(client, investor)
    assert post(client, "/auth/mobile/code", {}).status_code == 303
    run_mail_jobs()
    [text] = texts(mail_sandbox, investor["mobile"])
    code = re.search(r"\b(\d{6})\b", text["body"]).group(1)
    wrong = post(client, "/auth/mobile/verify", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and "not right" in wrong.text
    assert post(client, "/auth/mobile/verify", {"code": code}).status_code == 303
    assert db.users.find_one({"_id": investor["_id"]})["isMobileVerify"]
    assert not redis_client.get().exists(f"otp:mobile:{investor['_id']}")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-email", "Enter a valid email address."),
    ("password", "short", "Use at least 12 characters."),
    ("password", "password1234", "among the most common"),
    ("mobile", "12ab", "Enter the mobile number in digits"),
    ("country_code", "44", "Choose a country calling code"),
    ("legal_name", "", "Enter your legal name."),
])
def test_sign_up_errors_show_next_to_their_field(client, field, value, message):
    response = post(client, "/auth/signup", {**SIGNUP, field: value})
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">([^<]*)<', response.text)
    assert error and message in error.group(1)


def test_a_race_between_two_sign_ups_is_settled_by_the_unique_index(app, db):
    fields = {"email": "race@example.com", "country_code": "+44", "mobile": "7700900999", "legal_name": "R",
              "password": PASSWORD}
    db.users.insert_one({"email": "race@example.com", "mobile": "+447700900998", "isDeleted": False})
    with pytest.raises(accounts.FieldErrors) as error:
        accounts.create_account(fields)
    assert "email" in error.value.errors


def test_changing_password_checks_current_and_history(client, investor):
    login(client, investor)
    wrong = post(client, "/auth/password", {"current_password": "nope nope nope", "new_password": "x" * 20})
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    for n in range(1, 5):
        assert post(client, "/auth/password", {"current_password": PASSWORD if n == 1 else f"passphrase number {n-1}",
                                               "new_password": f"passphrase number {n}"}).status_code == 303
    # the original is the 5th most recent: still refused; after one more change it may return
    refused = post(client, "/auth/password", {"current_password": "passphrase number 4", "new_password": PASSWORD})
    assert refused.status_code == 422 and "last 5 passwords" in refused.text
    assert post(client, "/auth/password", {"current_password": "passphrase number 4",
                                           "new_password": "passphrase number 5"}).status_code == 303
    assert post(client, "/auth/password", {"current_password": "passphrase number 5",
                                           "new_password": PASSWORD}).status_code == 303


def test_csrf_is_required(client, investor):
    csrf(client)
    response = client.post("/auth/login", data={"email": investor["email"], "password": PASSWORD})
    assert response.status_code == 400
