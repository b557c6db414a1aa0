"""In Chromium: conversion to ERC-20 end to end. The issuer enables it on their conversion page (the ERC-20 deployed
and made an agent by the chain worker while the page follows it); an investor on a 390-px phone opens the
conversion page from the portfolio, is refused in words when asking for more than they hold (what they typed kept),
converts a non-round part of their 18-decimal security tokens to the ERC-20, follows the progress, sees both
balances, and converts part back. At the end the balances the page shows are the chain's balanceOf of both tokens,
to the base unit; the page has no serious axe violation and fits the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.domain.conversion.rules import parse_quantity
from tests.fixtures.accounts import make_user
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import PHONE, phone_problems, serious_violations, sign_in

pytestmark = pytest.mark.e2e
DECIMALS = 18
UNIT = 10**DECIMALS
MINTED = 250 * UNIT + 123_456_789_012_345_678  # 250.123456789012345678
TO_ERC20 = "37.000000000000000123"
BACK = "2.500000000000000001"


def _units(locator: Locator) -> int:
    """A balance as the page shows it ("1,234.5"), read back as exact base units (the leading number only)."""
    return parse_quantity(locator.inner_text().split("(")[0], DECIMALS)


def _on_screen(locator: Locator) -> bool:
    """Inside the phone's width: read without scrolling anything sideways."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _reload_until(page: Page, read, expected, attempts: int = 120) -> None:
    """Chain-sync folds the block after the worker's job is done: reload until the page shows `expected`."""
    for _ in range(attempts):
        if read() == expected:
            return
        page.wait_for_timeout(500)
        page.reload()
    assert read() == expected


def _enable_as_issuer(browser: Browser, base_url: str, issuer: dict, offering: dict) -> str:
    """The issuer clicks once; the page follows the deployment (htmx) until it shows the ERC-20's address."""
    wide = browser.new_context(viewport={"width": 1280, "height": 800})
    page = wide.new_page()
    sign_in(page, base_url, issuer["email"])
    page.goto(f"{base_url}/issuer/conversion/{offering['_id']}")
    page.get_by_role("button", name="Enable conversion to ERC-20").click()
    address = page.get_by_test_id("erc20-address")
    expect(address).to_be_visible(timeout=120_000)
    erc20 = address.inner_text()
    wide.close()
    return erc20


def _convert(page: Page, direction: str, quantity: str) -> None:
    page.get_by_label(direction).check()
    page.get_by_label(re.compile("Tokens to convert")).fill(quantity)
    page.get_by_role("button", name="Convert", exact=True).click()


def test_an_investor_on_a_phone_converts_to_the_erc20_and_back(page: Page, browser: Browser, base_url: str, app,
                                                               platform, platform_processes):
    agent = hot_wallet(app.config)
    issuer = make_user("issuer")
    offering = live_offering(app, platform, unpause=True, title="Mill Lane Lofts", createdBy=issuer["_id"],
                             details={"tokenDecimals": DECIMALS, "tokenTicker": "MLL", "lockupMonths": 0})
    investor = approved_investor(app, platform, offering)
    wallet = investor["account"].address
    ops.mint(agent.w3, agent.account, offering["tokenAddress"], wallet, MINTED)
    erc20_address = _enable_as_issuer(browser, base_url, issuer, offering)
    token = contract(agent.w3, "Token", offering["tokenAddress"])
    erc20 = contract(agent.w3, "ConvertibleERC20", erc20_address)

    page.set_viewport_size(PHONE)
    sign_in(page, base_url, investor["email"])
    page.goto(f"{base_url}/portfolio/")
    _reload_until(page, lambda: page.get_by_test_id("balance").count() and _units(page.get_by_test_id("balance")),
                  MINTED)
    page.get_by_role("link", name="Convert Mill Lane Lofts tokens to ERC-20").click()
    expect(page.get_by_role("heading", name="Convert to ERC-20")).to_be_visible()
    security, twin = page.get_by_test_id("security-balance"), page.get_by_test_id("erc20-balance")
    assert (_units(security), twin.inner_text()) == (MINTED, "0")
    assert _on_screen(security) and _on_screen(twin), "both balances show on the phone without scrolling"

    _convert(page, "Security token to ERC-20", "250.2")  # more than the 250.12... held
    expect(page.get_by_test_id("refusal")).to_contain_text("This is more than you can convert now")
    expect(page.get_by_label(re.compile("Tokens to convert"))).to_have_value("250.2")
    expect(page.get_by_label("Security token to ERC-20")).to_be_checked()
    assert serious_violations(page) == [] and phone_problems(page) == []
    assert erc20.functions.totalSupply().call() == 0, "a refusal converts nothing"

    _convert(page, "Security token to ERC-20", TO_ERC20)
    expect(page).to_have_url(re.compile(r"/portfolio/conversions/convert:"))
    expect(page.get_by_role("heading", name="37.000000000000000123 MLL to the ERC-20")).to_be_visible()
    expect(page.get_by_test_id("conversion-state")).to_contain_text("Done", timeout=60_000)  # htmx follows the job
    assert serious_violations(page) == [] and phone_problems(page) == []
    converted = parse_quantity(TO_ERC20, DECIMALS)
    page.get_by_role("link", name="Back to conversion").click()
    _reload_until(page, lambda: (_units(security), _units(twin)) if twin.inner_text() != "0" else None,
                  (MINTED - converted, converted))

    _convert(page, "ERC-20 back to the security token", BACK)
    expect(page.get_by_role("heading", name=f"{BACK} MLL back to the security token")).to_be_visible()
    expect(page.get_by_test_id("conversion-state")).to_contain_text("Done", timeout=60_000)
    back = parse_quantity(BACK, DECIMALS)
    page.get_by_role("link", name="Back to conversion").click()
    _reload_until(page, lambda: (_units(security), _units(twin)), (MINTED - converted + back, converted - back))

    shown = (_units(security), _units(twin))
    on_chain = (token.functions.balanceOf(wallet).call(), erc20.functions.balanceOf(wallet).call())
    assert shown == on_chain == (MINTED - converted + back, converted - back)
    expect(page.get_by_role("region", name="Your balances")).to_be_visible()  # one landmark of that name
    expect(page.get_by_role("heading", name="Your conversions")).to_be_visible()
    assert serious_violations(page) == [] and phone_problems(page) == []

    page.goto(f"{base_url}/portfolio/")  # the portfolio lists the ERC-20 beside the holdings
    expect(page.locator(f'tr[data-erc20="{erc20_address}"]')).to_contain_text("MLL20")
    listed = page.locator(f'tr[data-erc20="{erc20_address}"]').get_by_test_id("erc20-balance")
    assert _units(listed) == on_chain[1] and _on_screen(listed)
