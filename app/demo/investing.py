"""The demo investors' side: whitelisting (request, e-signature in the sandbox, the transfer agent's and the
admin's approval, registration on chain) and orders, one paid by bank transfer (an admin records it) and one
in the Test USD stablecoin sent from the investor's wallet; the platform's jobs mint the tokens."""

from __future__ import annotations

import hashlib

import requests
from web3 import Web3

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.tx import function_call, send_call
from app.data import orders, whitelists
from app.data.mongo import get_db
from app.demo.waiting import wait_for
from app.domain.orders import placement
from app.domain.orders import review as order_review
from app.domain.payments import stablecoin
from app.domain.whitelisting import review as whitelist_review
from app.domain.whitelisting import rules as whitelist_rules
from app.domain.whitelisting import service as whitelisting
from app.formatting import units

GAS_WEI = 10**18  # one local ether pays for every demo transaction of a wallet


def whitelist(user: dict, admin: dict, offering: dict, config) -> dict:
    """The investor whitelisted for `offering` and registered in its identity registry (done steps are skipped)."""
    db, oid = get_db(), offering["_id"]
    current = whitelists.of_user(db, user["_id"], oid)
    if current is None or current["status"] in whitelist_rules.REQUEST_AGAIN:
        current = whitelisting.request(user, str(oid))
    if current["status"] == whitelist_rules.PENDING_SIGNATURE:
        _sign_in_sandbox(whitelisting.signing_url(user, str(oid), config["PUBLIC_URL"]))
    title = offering["overview"]["title"]
    current = wait_for(f"the e-signature of {user['email']} for {title}",
                       lambda: _past(whitelists.of_user(db, user["_id"], oid), whitelist_rules.PENDING_SIGNATURE))
    if current.get("taStatus") == whitelist_rules.TA_PENDING:
        whitelist_review.ta_decide(admin, str(current["_id"]), whitelist_rules.TA_APPROVED)
    if not whitelists.get(db, current["_id"]).get("adminStatus"):
        whitelist_review.decide(admin, str(current["_id"]), whitelist_rules.APPROVED)
    return wait_for(f"the registration of {user['email']} in {title}'s identity registry",
                    lambda: whitelists.is_approved(db, user["_id"], oid) and whitelists.of_user(db, user["_id"], oid),
                    timeout=240)


def _past(request: dict | None, status: str) -> dict | None:
    return request if request and request["status"] != status else None


def _sign_in_sandbox(url: str) -> None:
    """Press "Sign" on the e-signature sandbox's page (its Connect webhook then tells the platform)."""
    answer = requests.post(url.rstrip("/") + "/sign", allow_redirects=False, timeout=10)
    if answer.status_code not in (303, 409):  # 409: signed already, by an earlier run
        answer.raise_for_status()


def form_key(*parts: str) -> str:
    """The order form's idempotency key, the same on every run: placing again finds the first order."""
    return hashlib.sha256(":".join(("libertum-demo-order", *parts)).encode()).hexdigest()[:32]


def order(user: dict, admin: dict, offering: dict, tokens: int, method: str, config, wallet=None) -> dict:
    """Place the order, pay it (bank transfer recorded by the admin, or stablecoin from `wallet`), wait for the mint."""
    title = offering["overview"]["title"]
    placed = placement.place(config, user, str(offering["_id"]), {
        "key": form_key(user["email"], title, method), "tokens": str(tokens), "method": method})
    if placed["status"] == orders.PENDING_PAYMENT:
        if method == "fiat":
            order_review.record_fiat_payment(config, admin, str(placed["_id"]),
                                             units(int(placed["totalAmount"]), 2, exact=True, grouping=False))
        else:
            _pay_in_stablecoin(config, wallet, placed)
    return wait_for(f"the tokens of {user['email']}'s order in {title} to be minted",
                    lambda: _minted(placed["_id"]), timeout=240)


def _minted(order_id) -> dict | None:
    current = orders.get(get_db(), order_id)
    return current if current and current.get("isMinted") else None


def _pay_in_stablecoin(config, wallet, placed: dict) -> None:
    """Test USD from the faucet to the investor's wallet, then the transfer a browser wallet would send."""
    w3 = web3_client.get(config)
    w3.provider.make_request("anvil_setBalance", [wallet.address, hex(GAS_WEI)])  # local chain only
    due, coin = int(placed["paymentDue"]), contract(w3, "TestUSD", placed["paymentToken"])
    if coin.functions.balanceOf(wallet.address).call() < due:
        stablecoin.faucet(config, wallet.address, due)
    send_call(w3, wallet, function_call(coin, "transfer", Web3.to_checksum_address(placed["paymentAddress"]), due))
