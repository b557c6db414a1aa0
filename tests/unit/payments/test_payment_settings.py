"""STABLECOIN_ADDRESS and TREASURY_ADDRESS: local placeholders by default, real addresses checked."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load
from tests.unit.test_config import SECRETS


def test_local_defaults_deploy_test_usd_and_use_the_hot_wallet():
    settings = load(SECRETS)
    assert (settings.STABLECOIN_ADDRESS, settings.TREASURY_ADDRESS) == ("test", "hot-wallet")


def test_real_addresses_are_accepted():
    usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    settings = load({**SECRETS, "STABLECOIN_ADDRESS": usdc, "TREASURY_ADDRESS": usdc.lower()})
    assert usdc == settings.STABLECOIN_ADDRESS


@pytest.mark.parametrize("name", ["STABLECOIN_ADDRESS", "TREASURY_ADDRESS"])
@pytest.mark.parametrize("value", ["0x1234", "usdc", "A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"])
def test_anything_else_is_refused_with_the_setting_named(name, value):
    with pytest.raises(ConfigError, match=f"{name} must be a 0x-prefixed 20-byte address"):
        load({**SECRETS, name: value})
