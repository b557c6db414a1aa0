"""Someone who comes to raise capital signs up choosing it and is led into the issuer path in Chromium:
confirm the email from the mailbox, sign in, and land on the path whose current step is identity verification."""

from __future__ import annotations

import re
import time

import pytest
import redis
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_latest_mail
from tests.fixtures.processes import flask_argv, start_process, stop_process

pytestmark = pytest.mark.e2e
PASSWORD = "harbour building capital"


@pytest.fixture
def mail_worker(services, mail_sandbox, tmp_path):
    """The platform's RQ worker on the `mail` queue, delivering the verification mail to the mail sink."""
    process = start_process(flask_argv("worker", "mail"), services, "mail-worker", tmp_path)
    yield
    stop_process(process)


@pytest.fixture
def fresh_limits(services):
    """Sign-up is rate limited per address and every browser here is 127.0.0.1: start this test at zero."""
    store = redis.Redis.from_url(services["REDIS_URL"])
    for key in store.scan_iter("*ratelimit*"):
        store.delete(key)


def test_a_raise_capital_sign_up_is_led_into_the_issuer_path(page: Page, live_server, mail_sandbox, mail_worker,
                                                             fresh_limits):
    email = f"rita-{time.time_ns()}@example.com"
    page.goto(live_server + "/auth/login")
    page.get_by_role("link", name="to raise capital").click()
    expect(page.get_by_role("radio", name=re.compile("^Raise capital"))).to_be_checked()
    page.get_by_label("Legal full name").fill("Rita Raiser")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mobile number").fill(f"77{time.time_ns() % 10**8:08d}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We then take you through raising capital")).to_be_visible()

    inbox = page.context.new_page()
    open_latest_mail(inbox, mail_sandbox, email, "Confirm your email for Libertum")
    inbox.get_by_role("link", name=re.compile("verify-email")).click()
    inbox.get_by_role("button", name="Confirm my email address").click()
    expect(inbox).to_have_url(re.compile(r"/auth/login"))  # confirmed: let its redirect finish before closing the tab
    inbox.close()

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Raise capital on Libertum")).to_be_visible()
    current = page.locator("[aria-current=step]")
    expect(current).to_contain_text("Verify your identity")
    expect(page.get_by_test_id("path-done")).to_contain_text("Confirm your email address")
    current.get_by_role("link", name="Start identity verification").click()
    expect(page).to_have_url(re.compile(r"/onboarding/kyc"))

    page.goto(live_server + "/issuer/")  # the issuer area is not open yet: it says why and what to do
    expect(page.get_by_test_id("forbidden-reason")).to_contain_text("First verify your identity")
    expect(page.get_by_role("link", name="Start identity verification")).to_be_visible()
