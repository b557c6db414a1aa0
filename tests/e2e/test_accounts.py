"""A new investor in Chromium: sign up, confirm the email from the mail sink, turn on 2FA, sign out,
sign in again with a code."""

import re
import time

import pyotp
import pytest
import redis
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_latest_mail
from tests.fixtures.processes import flask_argv, start_process, stop_process

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mail_worker(services, mail_sandbox, tmp_path_factory):
    """The platform's RQ worker on the `mail` queue, delivering over SMTP to the mail sink."""
    process = start_process(flask_argv("worker", "mail"), services, "mail-worker", tmp_path_factory.mktemp("worker"))
    yield
    stop_process(process)


@pytest.fixture
def fresh_limits(services):
    """Rate-limit counters are per address and every browser here is 127.0.0.1: start this test at zero."""
    store = redis.Redis.from_url(services["REDIS_URL"])
    for key in store.scan_iter("*ratelimit*"):
        store.delete(key)


def test_new_investor_signs_up_verifies_and_uses_two_factor(page: Page, base_url: str, mail_sandbox: str,
                                                            mail_worker, fresh_limits):
    email, password = f"e2e-{int(time.time() * 1000)}@example.com", "a long passphrase for e2e"
    page.goto(base_url + "/auth/signup")
    page.get_by_label("Legal full name").fill("Grace Hopper")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Country code").fill("+1")
    page.get_by_label("Mobile number").fill(f"555{int(time.time() * 1000) % 10**7:07d}")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Check your mailbox")).to_be_visible()  # the same answer for an email in use

    open_latest_mail(page, mail_sandbox, email, "Confirm your email for Libertum")
    page.get_by_role("link", name=re.compile("verify-email")).click()
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("email-status")).to_have_text("verified")

    page.get_by_role("link", name="Manage two-factor authentication").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # not the code that turned 2FA on: that one is spent
    page.get_by_role("textbox", name="Code").fill(next_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_test_id("2fa-status")).to_contain_text("on")
