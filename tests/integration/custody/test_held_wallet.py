"""A platform-held wallet on the real stack: created on request after KYC, its key sealed at rest (no plaintext
in the stored document, another user's id does not open it), one per investor however often it is asked for,
and given its ONCHAINID and KYC claim by the same identity job as a wallet proven by signature."""

from __future__ import annotations

import base64
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from bson import ObjectId

from app.chain.identity import get_identity, has_valid_claim
from app.chain.node import web3_client
from app.data import custody_wallets, user_details
from app.domain.custody import keys
from app.domain.custody import service as custody
from app.domain.custody.service import CustodyRefused
from tests.fixtures.accounts import signed_in_client
from tests.fixtures.processes import run_jobs
from tests.integration.custody.conftest import form, walletless_investor


def test_the_key_is_sealed_at_rest_and_opens_only_for_its_user(app, db):
    investor, other = walletless_investor(), walletless_investor()
    address = custody.create_held_wallet(app.config, investor)
    custody.create_held_wallet(app.config, other)
    stored = db.custodyWallets.find_one({"_id": investor["_id"]})
    account = custody.open_account(app.config, investor["_id"])
    assert account.address == address == stored["address"]
    key_hex = bytes(account.key).hex()
    assert key_hex not in str(stored).lower() and bytes(account.key) not in str(stored).encode()
    assert set(stored) == {"_id", "userId", "address", "encryptedKey", "nonce", "keyId", "keyVersion", "createdAt"}
    assert stored["keyVersion"] == keys.SCHEME and stored["keyId"] == keys.data_key(app.config).current_id

    sealed = keys.Sealed.from_fields(stored)
    with pytest.raises(keys.KeyUnavailable):  # the same sealed key under another user's id as associated data
        keys.data_key(app.config).open(sealed, f"custodyWallets:{other['_id']}".encode())
    db.custodyWallets.update_one({"_id": other["_id"]}, {"$set": {k: stored[k] for k in ("encryptedKey", "nonce")}})
    with pytest.raises(keys.KeyUnavailable):  # copied onto the other user's document, it does not open there
        custody.open_account(app.config, other["_id"])
    assert custody_wallets.of_user(db, investor["_id"]).keys() == {"_id", "address", "userId", "createdAt",
                                                                   "keyId", "keyVersion"}


def test_asking_again_or_at_once_keeps_one_wallet(app, db):
    investor = walletless_investor()
    with ThreadPoolExecutor(6) as pool:
        addresses = set(pool.map(lambda _: _in_app(app, custody.create_held_wallet, investor), range(6)))
    assert len(addresses) == 1 and custody.create_held_wallet(app.config, investor) in addresses
    assert db.custodyWallets.count_documents({"userId": investor["_id"]}) == 1
    assert db.auditLogs.count_documents({"event": "wallet.held_created"}) == 1
    wallets = user_details.wallets_of(db, investor["_id"])
    assert [(w["address"], w["isVerify"], w["custody"], w["type"]) for w in wallets] == [
        (addresses.pop(), True, "platform", "platform")]


def _in_app(app, fn, user):
    with app.app_context():
        return fn(app.config, user)


def test_before_kyc_approval_there_is_no_held_wallet(app, db):
    investor = walletless_investor(kyc=False)
    with pytest.raises(CustodyRefused, match="once your identity is verified"):
        custody.create_held_wallet(app.config, investor)
    client = signed_in_client(app, investor)
    assert "Once your identity is verified, Libertum can hold a wallet for you" in client.get("/onboarding/").text
    response = form(client, "/onboarding/wallets/held")
    assert response.status_code == 422 and "once your identity is verified" in response.text
    assert db.custodyWallets.count_documents({}) == 0


def test_created_from_the_wallets_page_and_given_its_identity_on_chain(app, db, platform):
    investor = walletless_investor()
    client = signed_in_client(app, investor)
    page = client.get("/onboarding/").text
    assert "No browser wallet?" in page and "Create a wallet held by Libertum" in page
    response = form(client, "/onboarding/wallets/held")
    assert response.status_code == 303 and response.headers["Location"].endswith("/onboarding/wallets/held")
    address = db.custodyWallets.find_one({"_id": investor["_id"]})["address"]
    held_page = client.get("/onboarding/wallets/held").text
    assert address in held_page and "being created" in held_page
    stored = db.custodyWallets.find_one({"_id": investor["_id"]})
    key_hex = bytes(custody.open_account(app.config, investor["_id"]).key).hex()
    assert key_hex not in held_page and stored["encryptedKey"] not in held_page  # never rendered, even sealed

    assert run_jobs("chain") >= 1  # the identity job of a proven wallet: ONCHAINID and the KYC claim
    w3 = web3_client.get(app.config)
    identity = get_identity(w3, platform, address)
    assert identity and has_valid_claim(w3, platform, identity)
    [entry] = user_details.wallets_of(db, ObjectId(investor["_id"]))
    assert entry["onchainID"] == identity
    assert identity in client.get("/onboarding/wallets/held").text
    assert "held by Libertum" in client.get("/onboarding/").text
    assert db.auditLogs.find_one({"event": "wallet.held_created", "subjectId": str(investor["_id"])})


def test_a_rotated_data_key_reseals_every_held_key(app, db):
    investors = [walletless_investor(), walletless_investor()]
    addresses = [custody.create_held_wallet(app.config, investor) for investor in investors]
    old = app.config["WALLET_DATA_KEY"]
    new = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    app.config["WALLET_DATA_KEY"] = (new, *old)  # the new key first; the old one still opens
    runner = app.test_cli_runner()
    result = runner.invoke(args=["custody", "reseal"])
    assert result.exit_code == 0 and "resealed 2 held wallet key(s)" in result.output and "0 left" in result.output
    assert runner.invoke(args=["custody", "reseal"]).output.startswith("resealed 0")  # safe to repeat
    app.config["WALLET_DATA_KEY"] = (new,)  # the old key retired
    assert [custody.open_account(app.config, i["_id"]).address for i in investors] == addresses
    assert {d["keyId"] for d in db.custodyWallets.find()} == {keys.data_key(app.config).current_id}
