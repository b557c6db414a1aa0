"""Settings: the only module that reads the environment.

Every setting has a strict parser. Local defaults point at the loopback services that
`make run` starts; secrets have no default and must come from the environment (the
local stack generates them once into var/secrets.env). `validate()` fails fast with a
message naming each missing or malformed setting.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field, fields
from urllib.parse import urlparse

from babel.numbers import is_currency


class ConfigError(RuntimeError):
    """Raised when settings are missing or malformed; the message names each one."""


_PRIVATE_KEY = re.compile(r"^0x[0-9a-fA-F]{64}$")


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.hostname or parsed.path):
        raise ValueError(f"{name} must be a URL with scheme {' or '.join(schemes)}, got {value!r}")
    return value


def _int(name: str, value: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _private_key(name: str, value: str) -> str:
    if not _PRIVATE_KEY.match(value):
        raise ValueError(f"{name} must be a 0x-prefixed 32-byte hex private key")
    return value


def _address_or(name: str, value: str, word: str) -> str:
    """A 0x address (any case) or the placeholder `word` that the platform resolves itself."""
    if value == word:
        return value
    if not re.match(r"^0x[0-9a-fA-F]{40}$", value):
        raise ValueError(f"{name} must be a 0x-prefixed 20-byte address or {word!r}, got {value!r}")
    return value


def _secret(name: str, value: str) -> str:
    if len(value) < 32:
        raise ValueError(f"{name} must be at least 32 characters of random data")
    return value


def _fernet_key(name: str, value: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes in url-safe base64 (cryptography Fernet.generate_key())")
    return value


def _data_keys(name: str, value: str) -> tuple[str, ...]:
    """AES-256 keys for app.domain.custody.keys: the current one first, retired ones after it (still decrypt)."""
    keys = tuple(k.strip() for k in value.split(",") if k.strip())
    if not keys:
        raise ValueError(f"{name} must be one or more comma-separated keys (url-safe base64 of 32 bytes)")
    for key in keys:
        _fernet_key(name, key)
    return keys


def _host_port(name: str, value: str) -> str:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{name} must be host:port, got {value!r}")
    return value


def _bootstrap_servers(name: str, value: str) -> str:
    for server in value.split(","):
        host, _, port = server.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{name} must be host:port[,host:port...], got {value!r}")
    return value


# name -> (parser, default or None when required, description for the README table)
SETTINGS: dict[str, tuple] = {
    "LIBERTUM_ENV": (lambda n, v: _choice(n, v, ("development", "test", "production")),
                     "development", "development, test or production"),
    "SECRET_KEY": (_secret, None, "Flask session and token signing key (>= 32 chars)"),
    "MONGO_URI": (lambda n, v: _url(n, v, ("mongodb", "mongodb+srv")),
                  "mongodb://127.0.0.1:27017/", "MongoDB (or FerretDB) connection string"),
    "MONGO_DB": (lambda n, v: v, "libertum", "database name"),
    "REDIS_URL": (lambda n, v: _url(n, v, ("redis", "rediss", "unix")),
                  "redis://127.0.0.1:6379/0", "Redis for sessions, cache, rate limits and RQ"),
    "KAFKA_BOOTSTRAP_SERVERS": (_bootstrap_servers, "127.0.0.1:9092", "Kafka brokers"),
    "ETH_RPC_URL": (lambda n, v: _url(n, v, ("http", "https")),
                    "http://127.0.0.1:8545", "EVM JSON-RPC endpoint"),
    "CHAIN_CONFIRMATIONS": (_int, "0", "blocks the chain monitor waits before publishing"),
    "CHAIN_POLL_SECONDS": (lambda n, v: _float(n, v), "0.5", "chain monitor polling interval"),
    "CHAIN_NONCE_LEASE_SECONDS": (lambda n, v: _float(n, v), "60",
                                  "a reserved hot-wallet nonce not broadcast within this time is filled"),
    "CHAIN_STUCK_SECONDS": (lambda n, v: _float(n, v), "90",
                            "a sent transaction unmined after this time is replaced with a fee bump"),
    "CHAIN_JOB_LEASE_SECONDS": (lambda n, v: _float(n, v), "30",
                                "a chain job held by a worker that stopped renewing it is taken over after this"),
    "DEPLOYER_PRIVATE_KEY": (_private_key, None, "platform hot wallet (deploys, agent operations)"),
    "CLAIM_SIGNER_PRIVATE_KEY": (_private_key, None,
                                 "platform ClaimIssuer signing key, kept apart from the hot wallet"),
    "MAX_CONTENT_LENGTH": (_int, str(10 * 1024 * 1024), "largest accepted request body in bytes"),
    "SESSION_COOKIE_SECURE": (_bool, "false", "send cookies over HTTPS only (true in production)"),
    "LOG_LEVEL": (lambda n, v: _choice(n, v.upper(), ("DEBUG", "INFO", "WARNING", "ERROR")),
                  "INFO", "log level of the JSON logs"),
    "DATA_ENCRYPTION_KEY": (_fernet_key, None, "Fernet key encrypting secrets at rest (TOTP secrets)"),
    "WALLET_DATA_KEY": (lambda n, v: _data_keys(n, v), None,
                        "data key(s) sealing platform-held wallets' keys: url-safe base64 of 32 bytes, "
                        "comma-separated; the first encrypts, all decrypt (rotation)"),
    "PUBLIC_URL": (lambda n, v: _url(n, v, ("http", "https")), "http://127.0.0.1:8000",
                   "the site's address as users see it, for links in mail"),
    "SMTP_SERVER": (_host_port, "127.0.0.1:1025", "SMTP relay for outgoing mail (the sandbox mail sink locally)"),
    "MAIL_FROM": (lambda n, v: v, "Libertum <no-reply@libertum.local>", "sender of outgoing mail"),
    "SMS_API_URL": (lambda n, v: _url(n, v, ("http", "https")), "http://127.0.0.1:8025/sms",
                    "SMS provider base URL (Twilio-style Messages API; the sandbox locally)"),
    "SESSION_IDLE_MINUTES": (lambda n, v: _int(n, v, 1), "30", "a session ends after this many idle minutes"),
    "SESSION_MAX_HOURS": (lambda n, v: _int(n, v, 1), "12", "a session ends this many hours after sign-in"),
    "RATELIMIT_ENABLED": (_bool, "true", "rate limits on sign-in, sign-up, codes and resets (Redis-backed)"),
    "LOCK_ORDER_CHECKS": (_bool, "false", "refuse a named lock taken out of app/locks.py's order (on in tests)"),
    "PROXY_HOPS": (_int, "0", "proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted "
                   "(1 behind the gateway; 0 when gunicorn faces clients itself)"),
    "WEB_INSTANCE_URLS": (lambda n, v: _instance_urls(n, v), "none",
                          "the web instances behind the gateway, comma-separated, probed by /readyz (none: alone)"),
    "KYC_API_URL": (lambda n, v: _url(n, v, ("http", "https")), "http://127.0.0.1:8025/kyc",
                    "KYC provider API base (https://api.sumsub.com; the sandbox locally)"),
    "KYC_APP_TOKEN": (lambda n, v: v, None, "KYC provider app token (X-App-Token)"),
    "KYC_SECRET_KEY": (_secret, None, "KYC provider app secret signing API requests (X-App-Access-Sig)"),
    "KYC_WEBHOOK_SECRET": (_secret, None, "secret the KYC provider signs webhooks with (X-Payload-Digest)"),
    "KYC_LEVEL_NAME": (lambda n, v: v, "basic-kyc-level", "KYC provider level for individuals"),
    "KYB_LEVEL_NAME": (lambda n, v: v, "basic-kyb-level", "KYC provider level for institutions"),
    "UPLOAD_DIR": (lambda n, v: v, "var/uploads", "where uploaded documents are stored (outside the web root)"),
    "UPLOAD_MAX_BYTES": (lambda n, v: _int(n, v, 1), str(5 * 1024 * 1024), "largest accepted document (413 above)"),
    "STABLECOIN_ADDRESS": (lambda n, v: _address_or(n, v, "test"), "test",
                           "USD stablecoin investors pay in; `test` deploys the Test USD token (dev/test chains)"),
    "TREASURY_ADDRESS": (lambda n, v: _address_or(n, v, "hot-wallet"), "hot-wallet",
                         "address receiving stablecoin payments for every offering; `hot-wallet`: dev/test only"),
    "ESIGN_API_URL": (lambda n, v: _url(n, v, ("http", "https")), "http://127.0.0.1:8025/esign",
                      "e-signature API base (DocuSign: https://demo.docusign.net; the sandbox locally)"),
    "ESIGN_ACCOUNT_ID": (lambda n, v: v, "sandbox-account", "e-signature API account id the envelopes belong to"),
    "ESIGN_ACCESS_TOKEN": (lambda n, v: v, None, "e-signature API OAuth bearer token"),
    "ESIGN_TEMPLATE_ID": (lambda n, v: v, "subscription-agreement",
                          "template of the subscription agreement sent for signature"),
    "ESIGN_HMAC_KEYS": (lambda n, v: _key_list(n, v), None,
                        "Connect HMAC keys, comma-separated (any one verifies a webhook; list old and new to rotate)"),
    "BANK_ACCOUNT_NAME": (lambda n, v: v, "Libertum Client Money (sandbox)",
                          "account name on the bank-transfer instructions of fiat orders"),
    "BANK_NAME": (lambda n, v: v, "Sandbox Bank", "bank holding the account fiat orders are paid to"),
    "BANK_IBAN": (lambda n, v: _bank_code(n, v, _IBAN), "GB33BUKB20201555555555",
                  "IBAN investors transfer fiat order payments to"),
    "BANK_BIC": (lambda n, v: _bank_code(n, v, _BIC), "BUKBGB22", "BIC/SWIFT code of that account"),
    "ORDER_PAYMENT_WINDOW_HOURS": (lambda n, v: _int(n, v, 1), "72",
                                   "an unpaid order is cancelled this many hours after it was placed"),
    "DISTRIBUTION_UNCLAIMED_DAYS": (lambda n, v: _int(n, v, 1), "90",
                                    "held or unpaid distribution lines this many days after the payment date are "
                                    "reported to the issuer"),
    "ORDER_PAYMENT_REMINDER_HOURS": (lambda n, v: _int(n, v, 1), "24",
                                     "the investor is mailed a reminder this many hours before that"),
    "KYC_VALIDITY_MONTHS": (lambda n, v: _int(n, v, 1), "12",
                            "an approved KYC is valid this many months (never past the identity document's expiry)"),
    "PLATFORM_CURRENCY": (lambda n, v: _currency(n, v), "USD",
                          "ISO 4217 currency of every fiat amount (prices, orders, targets)"),
}


def _key_list(name: str, value: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in value.split(",") if k.strip())
    if not keys or any(len(k) < 32 for k in keys):
        raise ValueError(f"{name} must be one or more comma-separated keys of at least 32 characters")
    return keys


_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


def _bank_code(name: str, value: str, pattern: re.Pattern) -> str:
    """An IBAN or BIC, spaces removed and upper-cased, checked for its shape."""
    code = value.replace(" ", "").upper()
    if not pattern.match(code):
        raise ValueError(f"{name} is not a valid {name.split('_')[1]}: {value!r}")
    return code


def _instance_urls(name: str, value: str) -> tuple[str, ...]:
    if value.strip() == "none":
        return ()
    return tuple(_url(name, url.strip(), ("http", "https")) for url in value.split(",") if url.strip())


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _currency(name: str, value: str) -> str:
    """An ISO 4217 code Babel knows, so every amount can be shown with its symbol."""
    if not is_currency(value):
        raise ValueError(f"{name} must be an ISO 4217 currency code such as USD or EUR, got {value!r}")
    return value


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    """Parsed settings; build with `load()`."""

    LIBERTUM_ENV: str
    SECRET_KEY: str
    MONGO_URI: str
    MONGO_DB: str
    REDIS_URL: str
    KAFKA_BOOTSTRAP_SERVERS: str
    ETH_RPC_URL: str
    CHAIN_CONFIRMATIONS: int
    CHAIN_POLL_SECONDS: float
    CHAIN_NONCE_LEASE_SECONDS: float
    CHAIN_STUCK_SECONDS: float
    CHAIN_JOB_LEASE_SECONDS: float
    DEPLOYER_PRIVATE_KEY: str = field(repr=False)
    CLAIM_SIGNER_PRIVATE_KEY: str = field(repr=False)
    MAX_CONTENT_LENGTH: int
    SESSION_COOKIE_SECURE: bool
    LOG_LEVEL: str
    DATA_ENCRYPTION_KEY: str = field(repr=False)
    WALLET_DATA_KEY: tuple[str, ...] = field(repr=False)
    PUBLIC_URL: str
    SMTP_SERVER: str
    MAIL_FROM: str
    SMS_API_URL: str
    SESSION_IDLE_MINUTES: int
    SESSION_MAX_HOURS: int
    RATELIMIT_ENABLED: bool
    LOCK_ORDER_CHECKS: bool
    PROXY_HOPS: int
    WEB_INSTANCE_URLS: tuple
    KYC_API_URL: str
    KYC_APP_TOKEN: str = field(repr=False)
    KYC_SECRET_KEY: str = field(repr=False)
    KYC_WEBHOOK_SECRET: str = field(repr=False)
    KYC_LEVEL_NAME: str
    KYB_LEVEL_NAME: str
    UPLOAD_DIR: str
    UPLOAD_MAX_BYTES: int
    STABLECOIN_ADDRESS: str
    TREASURY_ADDRESS: str
    ESIGN_API_URL: str
    ESIGN_ACCOUNT_ID: str
    ESIGN_ACCESS_TOKEN: str = field(repr=False)
    ESIGN_TEMPLATE_ID: str
    ESIGN_HMAC_KEYS: tuple = field(repr=False)
    BANK_ACCOUNT_NAME: str
    BANK_NAME: str
    BANK_IBAN: str
    BANK_BIC: str
    ORDER_PAYMENT_WINDOW_HOURS: int
    ORDER_PAYMENT_REMINDER_HOURS: int
    DISTRIBUTION_UNCLAIMED_DAYS: int
    KYC_VALIDITY_MONTHS: int
    PLATFORM_CURRENCY: str

    def as_flask_config(self) -> dict:
        """The settings as Flask config keys (same names) plus Flask's own derived ones."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["TESTING"] = self.LIBERTUM_ENV == "test"
        return values


def load(environ: dict[str, str] | None = None) -> Settings:
    """Parse every setting from `environ` (default: the process environment).

    Raises ConfigError listing every problem at once, so a bad deployment is fixed in one go.
    """
    environ = os.environ if environ is None else environ
    values, problems = {}, []
    for name, (parser, default, _description) in SETTINGS.items():
        raw = environ.get(name, default)
        if raw is None or raw == "":
            problems.append(f"{name} is required ({_description})")
            continue
        try:
            values[name] = parser(name, raw)
        except ValueError as error:
            problems.append(str(error))
    if values.get("ORDER_PAYMENT_REMINDER_HOURS", 0) >= values.get("ORDER_PAYMENT_WINDOW_HOURS", 1 << 30):
        problems.append("ORDER_PAYMENT_REMINDER_HOURS must be less than ORDER_PAYMENT_WINDOW_HOURS")
    if problems:
        raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(problems))
    return Settings(**values)
