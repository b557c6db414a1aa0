"""Wallet proof over HTTP (EIP-4361 with a Redis nonce) and the ONCHAINID identity job on the session's anvil."""

from __future__ import annotations

from urllib.parse import urlsplit

from bson import ObjectId
from eth_account import Account
from eth_account.messages import encode_defunct

from app.chain.identity import get_identity, has_valid_claim
from app.chain.node import web3_client
from app.data import user_details, users
from app.domain.onboarding.identities import create_identities
from tests.fixtures.processes import run_jobs
from tests.integration.onboarding.conftest import form_post, page, signed_in


def ask_message(client, address: str) -> str:
    response = form_post(client, "/onboarding/wallets/message", {"address": address})
    assert response.status_code == 200, response.text
    return response.get_json()["message"]


def sign(text: str, account) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def prove(client, message: str, signature: str):
    return form_post(client, "/onboarding/wallets", {"message": message, "signature": signature})


def test_a_good_signature_stores_the_wallet_verified(investor_client, db):
    wallet = Account.create()
    message = ask_message(investor_client, wallet.address.lower())
    site = urlsplit(investor_client.application.config["PUBLIC_URL"]).netloc  # configured, never the Host header
    assert f"\n{wallet.address}\n" in message and message.startswith(f"{site} wants you to sign in")
    response = prove(investor_client, message, sign(message, wallet))
    assert response.status_code == 200 and response.get_json()["address"] == wallet.address
    wallets = user_details.get(db, ObjectId(investor_client.user["_id"]))["wallets"]
    assert [(w["address"], w["isVerify"]) for w in wallets] == [(wallet.address, True)]
    assert wallet.address in page(investor_client, "/onboarding/").text


def test_a_wrong_signature_is_refused_with_a_message(investor_client, db):
    wallet, impostor = Account.create(), Account.create()
    message = ask_message(investor_client, wallet.address)
    response = prove(investor_client, message, sign(message, impostor))
    assert response.status_code == 400 and response.get_json()["error"] == "The signature was not made by this wallet."
    assert user_details.verified_wallets(db, ObjectId(investor_client.user["_id"])) == []


def test_a_reused_nonce_is_refused_with_a_message(investor_client):
    wallet = Account.create()
    message = ask_message(investor_client, wallet.address)
    assert prove(investor_client, message, sign(message, wallet)).status_code == 200
    again = prove(investor_client, message, sign(message, wallet))
    assert again.status_code == 400 and "already used or has expired" in again.get_json()["error"]


def test_a_nonce_issued_to_another_user_cannot_be_spent(app, investor_client):
    wallet = Account.create()
    message = ask_message(investor_client, wallet.address)
    thief = app.test_client()
    signed_in(thief)
    stolen = prove(thief, message, sign(message, wallet))
    assert stolen.status_code == 400 and "already used or has expired" in stolen.get_json()["error"]


def test_a_wallet_proven_by_one_account_cannot_be_claimed_by_another(app, investor_client):
    wallet = Account.create()
    message = ask_message(investor_client, wallet.address)
    prove(investor_client, message, sign(message, wallet))
    other = app.test_client()
    signed_in(other)
    message = ask_message(other, wallet.address)
    response = prove(other, message, sign(message, wallet))
    assert response.status_code == 400 and "another account" in response.get_json()["error"]


def test_approved_user_gets_an_identity_with_the_kyc_claim_per_wallet_once(app, db, platform, investor_client):
    user_id = ObjectId(investor_client.user["_id"])
    users.set_fields(db, user_id, {"isKyc": True, "kycStatus": "approved"})
    wallet = Account.create()
    message = ask_message(investor_client, wallet.address)
    assert prove(investor_client, message, sign(message, wallet)).status_code == 200
    assert run_jobs("chain") == 1  # proving a wallet after approval queues the identity job
    w3 = web3_client.get()
    identity = get_identity(w3, platform, wallet.address)
    assert identity and has_valid_claim(w3, platform, identity)
    user = users.by_id(db, user_id)
    assert user["onchainID"] == identity
    assert user_details.get(db, user_id)["wallets"][0]["onchainID"] == identity
    assert create_identities(str(user_id)) == {wallet.address: identity}  # again: nothing new on chain
    assert identity in page(investor_client, "/onboarding/").text
