"""Whitelisting tests: a live offering with its token suite on the session's anvil, eligible investors, the
e-signature sandbox, this test's app over real HTTP, and the queues run in-process.

Helpers other tests use (orders, payments, the browser journey):
- `live_offering(app, platform, **details)`: a listed offering whose T-REX suite is deployed on anvil
  (the hot wallet is owner and agent) and watched by the chain monitor;
- `approved_investor(app, platform, offering)`: a KYC-approved investor with a verified wallet, an
  ONCHAINID with the platform's KYC claim, registered in the offering's identity registry and
  whitelisted (`status="approved"`, `onChainRegistered=True`), made directly, in about a second.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pycountry
import pytest
import requests
from bson import ObjectId
from eth_account import Account

from app.chain import agent as ops
from app.chain.identity import add_claim, create_identity
from app.chain.wallet import hot_wallet
from app.data import chain_contracts, user_details, users
from app.data.mongo import get_db
from tests.conftest import agent_suite, run_jobs
from tests.factories import list_offering, offering_doc
from tests.integration.accounts.conftest import BrowserClient, csrf, login, make_user

__all__ = ["approved_investor", "eligible_investor", "live_offering", "make_user", "run_jobs", "signed_in_client"]


def live_offering(app, platform, *, countries: tuple[str, ...] = ("GB", "FR"), unpause: bool = False,
                  **fields) -> dict:
    """A listed, open offering (tests/factories.offering_doc figures) with its token suite deployed on anvil (with
    the `tokenDecimals` of `details`, 0 unless given)."""
    wallet = hot_wallet(app.config)
    suite = agent_suite(wallet, platform, prefix="wl", name="Whitelist Flats", symbol="WLF", unpause=unpause,
                        countries=[int(pycountry.countries.get(alpha_2=c).numeric) for c in countries],
                        decimals=int((fields.get("details") or {}).get("tokenDecimals") or 0))
    chain_contracts.add(get_db(app.config), wallet.w3.eth.chain_id,
                        {suite["token"]: "suite", suite["identityRegistry"]: "suite"}, source="test")
    details = {"authorizedCountries": list(countries), **fields.pop("details", {})}
    doc = offering_doc(details=details, tokenAddress=suite["token"], identityRegistry=suite["identityRegistry"],
                       deployedDate=datetime.now(UTC), **fields)
    return list_offering(get_db(app.config), doc)


def eligible_investor(*, country: str = "GB", wallet: bool = True, kyc: bool = True, **extra) -> dict:
    """An investor who may ask to be whitelisted (each part can be left out to test its refusal)."""
    user = make_user("investor", **extra)
    db = get_db()
    fields = {"residenceCountry": country}
    if kyc:
        fields.update(isKyc=True, kycStatus="approved")
    users.set_fields(db, user["_id"], fields)
    user["account"] = Account.create()
    if wallet:
        user_details.add_verified_wallet(db, user["_id"], user["account"].address, "metamask")
    return {**user, **fields}


def approved_investor(app, platform, offering: dict, *, country: str = "GB") -> dict:
    """An investor whitelisted for `offering` and registered in its identity registry on chain.

    Returns the user document plus `account` (the wallet's eth_account, to sign and pay with),
    `identity` (the ONCHAINID) and `whitelist_id`.
    """
    user = eligible_investor(country=country)
    wallet, db = hot_wallet(app.config), get_db(app.config)
    address = user["account"].address
    identity = create_identity(wallet.w3, wallet.account, platform, address)
    add_claim(wallet.w3, wallet.account, platform, identity, Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"]))
    ops.register_identity(wallet.w3, wallet.account, offering["identityRegistry"], address, identity,
                          int(pycountry.countries.get(alpha_2=country).numeric))
    user_details.set_wallet_identity(db, user["_id"], address, identity)
    users.set_onchain_id(db, user["_id"], identity)
    now = datetime.now(UTC)
    whitelist_id = ObjectId()
    db.whitelists.insert_one({
        "_id": whitelist_id, "userId": user["_id"], "offeringId": offering["_id"], "address": address,
        "status": "approved", "taStatus": "approved", "adminStatus": "approved", "is_signed": True,
        "is_expired": False, "whiteListReason": "", "template_id": app.config["ESIGN_TEMPLATE_ID"],
        "envelopeId": f"test-{whitelist_id}", "requestedAt": now, "signedAt": now, "approvedAt": now,
        "onChainRegistered": True, "identity": identity, "userEmail": user["email"],
        "userName": user.get("legalFullName"), "offeringTitle": offering["overview"]["title"]})
    return {**user, "identity": identity, "whitelist_id": whitelist_id}


def signed_in_client(app, user: dict):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def form(client, path: str, data: dict | None = None):
    """POST a form with the session's CSRF token (read from the account page, as a browser would)."""
    return client.post(path, data={"csrf_token": csrf(client, "/auth/account"), **(data or {})})


@pytest.fixture(autouse=True)
def browser_like_clients(app):
    app.test_client_class = BrowserClient


@pytest.fixture
def offering(app, platform):
    return live_offering(app, platform)


@pytest.fixture
def esign_sandbox(app, mail_sandbox, platform_http) -> str:
    """The e-signature sandbox (mounted in the sandbox process) delivering to this test's platform; its base URL."""
    base = app.config["ESIGN_API_URL"]
    requests.post(f"{base}/settings", data={"webhookUrl": f"{platform_http}/webhooks/esign/docusign"},
                  timeout=5).raise_for_status()
    return base
