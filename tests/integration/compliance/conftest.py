"""Suites on the session's anvil with the platform's own compliance modules configured per test, and
KYC'd investors (factory ONCHAINID, platform claim, registered) who can sign their own transfers."""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account

from app.chain.agent import unpause
from app.chain.suite import deploy_token_suite
from tests.fixtures.chain import registered_identity

FRANCE, GERMANY, USA = 250, 276, 840


@pytest.fixture
def claim_signer(app):
    return Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"])


@pytest.fixture
def make_suite(platform, wallet):
    """Factory: an unpaused suite, the hot wallet its owner and agent, with the given compliance settings."""
    def make(**limits) -> dict:
        settings = {"authorized_countries": [FRANCE, GERMANY], "max_balance": 0, "supply_cap": 0, **limits}
        suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"cmp-{secrets.token_hex(6)}",
                                   name="Compliance Flats", symbol="CMP", decimals=0, owner=wallet.account.address,
                                   agents=[wallet.account.address], **settings)
        unpause(wallet.w3, wallet.account, suite["token"])
        return suite
    return make


@pytest.fixture
def investor(platform, wallet, claim_signer):
    """Factory: a funded investor account registered (with a factory identity and the KYC claim) in `suite`."""
    def make(suite: dict, country: int = FRANCE):
        account = Account.create()
        wallet.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
        registered_identity(wallet, platform, suite["identityRegistry"], account.address, country, claim_signer)
        return account
    return make


@pytest.fixture
def fund_account(wallet):
    """Factory: a fresh account with ether (an outsider, an attacker)."""
    def make():
        account = Account.create()
        wallet.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
        return account
    return make
