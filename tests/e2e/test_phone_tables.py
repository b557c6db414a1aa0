"""In Chromium on a 390-px phone: the investor's tables (`table.stack`, app/static/css/app.css) show one card per
row, so the holding's balance and its Send / Convert to ERC-20 links are on screen without scrolling anything
sideways, the page or the table's own box (the same on the orders, transactions and period statement pages).
Each card's cell is labelled by its column's heading (data-label is the heading's text), the table stays a table
for screen readers (Chromium's accessibility tree still has rows, column headers and cells), and axe finds no
serious violation. On a wide screen the same table is a table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from playwright.sync_api import Browser, Locator, Page, expect

from app.data import converts
from app.data.mongo import get_db
from tests.fixtures.pages import HELD, PHONE, investor_with_holding, serious_violations, sign_in

pytestmark = pytest.mark.e2e

# Per table.stack on the page: cells whose data-label is not their column's heading (colspans counted), and
# the table's scroll box when it is wider than its width (something would be reached only sideways).
_TABLES = """() => [...document.querySelectorAll('table.stack')].map(table => {
  const headings = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
  const mislabelled = [];
  for (const row of table.querySelectorAll('tbody tr, tfoot tr')) {
    let column = 0;
    for (const cell of row.children) {
      if (cell.tagName === 'TD' && cell.dataset.label !== headings[column]) {
        mislabelled.push(`${cell.dataset.label} under ${headings[column]}`);
      }
      column += cell.colSpan;
    }
  }
  const box = table.closest('.table-scroll') || table;
  return { mislabelled, overflow: box.scrollWidth > box.clientWidth ? box.scrollWidth : 0,
           cells: table.querySelectorAll('tbody td').length };
})"""


def _on_screen(locator: Locator) -> bool:
    """Inside the phone's width (the page's vertical scrolling does not matter)."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _table_roles(page: Page) -> set[str]:
    """The roles Chromium's accessibility tree gives the page (what a screen reader is told)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return {node["role"]["value"] for node in nodes if not node.get("ignored") and "role" in node}


def _reads_on_a_phone(page: Page) -> None:
    tables = page.evaluate(_TABLES)
    assert tables and all(t["cells"] for t in tables), "the page shows a table with rows"
    assert [t["mislabelled"] for t in tables] == [[] for _ in tables]
    assert [t["overflow"] for t in tables] == [0 for _ in tables], "a table's box scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert {"table", "row", "columnheader", "cell"} <= _table_roles(page)
    assert serious_violations(page) == []


def test_an_investor_on_a_phone_sees_balance_and_actions_without_sideways_scrolling(browser: Browser, app,
                                                                                   platform, live_server):
    state = investor_with_holding(app, platform)
    offering = state["offering"]
    # Conversion enabled for the token (as the chain worker records it), so the holding offers its convert link.
    converts.record(get_db(app.config), offering["_id"], offering["tokenAddress"], Account.create().address)
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, live_server, state["user"]["email"])

    page.goto(f"{live_server}/portfolio/")
    holding = page.locator(f'tr[data-offering="{offering["_id"]}"]')
    balance = holding.get_by_test_id("balance")
    expect(balance).to_have_text(str(HELD))
    send = holding.get_by_role("link", name="Send Quayside Flats tokens")
    convert = holding.get_by_role("link", name="Convert Quayside Flats tokens to ERC-20")
    for what, locator in (("balance", balance), ("send link", send), ("convert link", convert)):
        expect(locator).to_be_visible()
        assert _on_screen(locator), f"the {what} is off screen"
    assert _on_screen(holding.locator("code"))  # the token's address wraps inside the card
    _reads_on_a_phone(page)

    today = datetime.now(UTC).date()  # the period statement around the orders just placed, whatever the date
    period = f"/reports/statement?start={today - timedelta(days=1)}&end={today + timedelta(days=1)}"
    for path in ("/portfolio/orders", "/portfolio/transactions", period):
        page.goto(live_server + path)
        expect(page.locator("table.stack tbody tr").first).to_be_visible()
        _reads_on_a_phone(page)
    expect(page.get_by_role("row").filter(has_text="Quayside Flats").first).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 800})  # wide: rows are rows again, headings on show
    page.goto(f"{live_server}/portfolio/")
    expect(page.get_by_role("columnheader", name="Tokens")).to_be_visible()
    assert holding.evaluate("row => getComputedStyle(row).display") == "table-row"
