"""Settings parsing: missing secrets and malformed values are named, defaults work locally."""

import pytest

from app.config import ConfigError, load

SECRETS = {"SECRET_KEY": "s" * 40, "DEPLOYER_PRIVATE_KEY": "0x" + "1" * 64, "CLAIM_SIGNER_PRIVATE_KEY": "0x" + "2" * 64,
           "DATA_ENCRYPTION_KEY": "A" * 43 + "=", "WALLET_DATA_KEY": "B" * 43 + "=",
           "KYC_APP_TOKEN": "sbx:token", "KYC_SECRET_KEY": "k" * 32,
           "KYC_WEBHOOK_SECRET": "w" * 32, "ESIGN_ACCESS_TOKEN": "sbx-token", "ESIGN_HMAC_KEYS": "h" * 32}


def test_local_defaults_need_only_the_secrets():
    settings = load(SECRETS)
    assert settings.MONGO_URI == "mongodb://127.0.0.1:27017/"
    assert settings.KAFKA_BOOTSTRAP_SERVERS == "127.0.0.1:9092"
    assert settings.CHAIN_CONFIRMATIONS == 0
    assert settings.as_flask_config()["TESTING"] is False


def test_every_missing_secret_is_named_at_once():
    with pytest.raises(ConfigError) as error:
        load({})
    message = str(error.value)
    for name in SECRETS:
        assert f"{name} is required" in message


@pytest.mark.parametrize(("name", "value", "complaint"), [
    ("MONGO_URI", "http://db:27017", "MONGO_URI must be a URL with scheme mongodb"),
    ("CHAIN_CONFIRMATIONS", "two", "CHAIN_CONFIRMATIONS must be an integer"),
    ("CHAIN_CONFIRMATIONS", "-1", "CHAIN_CONFIRMATIONS must be >= 0"),
    ("KAFKA_BOOTSTRAP_SERVERS", "localhost", "KAFKA_BOOTSTRAP_SERVERS must be host:port"),
    ("DEPLOYER_PRIVATE_KEY", "0x1234", "DEPLOYER_PRIVATE_KEY must be a 0x-prefixed 32-byte hex private key"),
    ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
    ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE must be true or false"),
    ("LIBERTUM_ENV", "staging", "LIBERTUM_ENV must be one of development, test, production"),
    ("ORDER_PAYMENT_WINDOW_HOURS", "0", "ORDER_PAYMENT_WINDOW_HOURS must be >= 1"),
    ("ORDER_PAYMENT_WINDOW_HOURS", "3 days", "ORDER_PAYMENT_WINDOW_HOURS must be an integer"),
    ("ORDER_PAYMENT_REMINDER_HOURS", "72", "ORDER_PAYMENT_REMINDER_HOURS must be less than ORDER_PAYMENT_WINDOW_HOURS"),
])
def test_malformed_values_are_refused_with_the_setting_named(name, value, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load({**SECRETS, name: value})


def test_private_keys_are_not_shown_in_the_settings_repr():
    assert "1111" not in repr(load(SECRETS))
