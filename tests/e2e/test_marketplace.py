"""A visitor filters the marketplace in Chromium: the URL keeps the state, bookmarks and Back work."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import list_offering, offering_doc

pytestmark = pytest.mark.e2e


@pytest.fixture
def listed(db):
    list_offering(db, offering_doc(title="Harbour Lofts"))
    list_offering(db, offering_doc(title="Canary Office Tower", details={"assetType": "commercial",
                                                                            "propertyType": "office"}))
    list_offering(db, offering_doc(title="Riviera Villas", details={"assetType": "hospitality"}))


def test_filter_search_bookmark_and_back(page: Page, base_url: str, listed):
    page.goto(base_url + "/offerings")
    count = page.get_by_test_id("result-count")
    expect(count).to_have_text("3 offerings")

    page.get_by_label("Asset type").select_option("commercial")
    expect(count).to_have_text("1 offering")
    expect(page).to_have_url(base_url + "/offerings?asset_type=commercial")
    expect(page.get_by_role("link", name="Canary Office Tower")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(base_url + "/offerings")
    expect(count).to_have_text("3 offerings")

    page.goto(base_url + "/offerings?q=riviera")  # a bookmarked search
    expect(page.get_by_label("Search")).to_have_value("riviera")
    expect(count).to_have_text("1 offering")
    page.get_by_role("link", name="Riviera Villas").click()
    expect(page.get_by_role("heading", name="Riviera Villas", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="NAV history")).to_have_count(0)
