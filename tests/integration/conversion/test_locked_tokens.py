"""Tokens the lock-up module still locks do not convert, even where the issuer enabled conversion: the holder is told
that only tokens whose lock-up has ended convert, and nothing is recorded."""

from __future__ import annotations

import secrets

import pytest

from app.chain.suite import deploy_token_suite
from tests.fixtures.chain import FRANCE
from tests.integration.conversion.conftest import DECIMALS, UNIT, wait_balance
from tests.integration.conversion.test_conversion import convert, enable


@pytest.fixture
def suite(app, platform, wallet):
    """A suite whose lock-up module locks each mint for a day (the offering's own lockupMonths says 0, so the
    issuer may enable conversion: the chain's lock still holds the tokens)."""
    return deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"cvlk-{secrets.token_hex(6)}",
                              name="Canal Warehouse", symbol="CWH", decimals=DECIMALS, owner=wallet.account.address,
                              agents=[wallet.account.address], authorized_countries=[FRANCE], max_balance=0,
                              supply_cap=0, lockup_seconds=86_400)


def test_locked_tokens_are_refused_with_the_reason(app, db, offering, issuer_client, holder, token, monitor, sync,
                                                  worker):
    alice = holder(100)
    enable(db, issuer_client, offering)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 100 * UNIT)
    answer, _ = convert(alice["client"], offering, alice["wallet"], "0.000000000000000001")
    assert answer.status_code == 422
    assert "only unfrozen tokens whose lock-up has ended convert" in answer.get_data(as_text=True)
    assert db.chainJobs.count_documents({"op": "convert"}) == 0
    assert token.functions.balanceOf(alice["wallet"]).call() == 100 * UNIT
