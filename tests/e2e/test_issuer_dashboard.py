"""An issuer opens their offering's dashboard from their offerings and downloads the cap table, in Chromium."""

import csv
import io
from pathlib import Path

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect

from app.data import user_details
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.chain_events import apply, log_message
from tests.fixtures.pages import sign_in

pytestmark = pytest.mark.e2e
ZERO = "0x0000000000000000000000000000000000000000"


def test_issuer_opens_the_dashboard_and_downloads_the_cap_table(page: Page, base_url: str, db):
    issuer, holder = make_user("issuer"), make_user("investor")
    wallet = Account.create().address
    user_details.add_verified_wallet(db, holder["_id"], wallet, "metamask")
    offering = list_offering(db, offering_doc(title="Quayside Court", createdBy=issuer["_id"],
                                              tokenAddress=Account.create().address))
    apply(db, log_message("Transfer", offering["tokenAddress"], {"from": ZERO, "to": wallet, "value": 250}))

    sign_in(page, base_url, issuer["email"])
    page.goto(base_url + "/issuer/")
    page.get_by_test_id("dashboard-link").click()
    expect(page.get_by_role("heading", name="Quayside Court", level=1)).to_be_visible()
    row = page.get_by_test_id("cap-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(wallet)
    expect(row).to_contain_text("100%")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the cap table (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("cap-table-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [(r["wallet"], r["token base units"], r["email"]) for r in rows] == [(wallet, "250", holder["email"])]
