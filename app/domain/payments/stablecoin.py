"""Stablecoin payments: where investors pay, what they owe, and which order a transfer pays.

Design of the receiving address: one platform treasury (TREASURY_ADDRESS) receives the
stablecoin for every offering; each offering records it as `paymentAddress` when chain-sync
learns that its token is deployed (or the first time an order asks for its terms), and
each crypto order copies it with the token and the amount due. Matching needs no
per-offering address because the sender is known: a transfer is matched by (sender = the
order's verified wallet, receiver = the order's paymentAddress, token, amount) against that
investor's open crypto orders, oldest first, an exact fit first
(app/domain/payments_rules.pick_order). A transfer no order fits is kept in the
`payments` collection as unmatched, for an admin, never dropped.

The chain monitor asks the node only for stablecoin transfers *to* the treasury (an
eth_getLogs topic filter), so a busy real stablecoin costs nothing beyond our payments.
"""

from __future__ import annotations

import logging

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from app import locks
from app.cache import offering_changed
from app.chain.artifacts import contract
from app.chain.bootstrap import STABLECOIN_KEY
from app.chain.tx import function_call, send_call
from app.chain.wallet import hot_wallet
from app.data import offering_payments, order_payments, payments
from app.data.mongo import get_db
from app.domain.accounts.permissions import has_permission
from app.domain.payments import settlement
from app.domain.payments.rules import PaymentRefused, payment_key, pick_order, stablecoin_due
from app.domain.platform import audit
from app.domain.platform.chain import current_platform

log = logging.getLogger(__name__)

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
PAYMENTS_STREAM = "payments"  # marks monitor messages (and their retractions) that are stablecoin payments


class PaymentsUnavailable(RuntimeError):
    """Crypto payment is not set up on this chain (no bootstrap yet, or an unsafe setting in production)."""


def treasury(config: dict) -> str:
    """The receiving address: TREASURY_ADDRESS, or the hot wallet on development and test chains."""
    configured = config["TREASURY_ADDRESS"]
    if configured != "hot-wallet":
        return Web3.to_checksum_address(configured)
    if config["LIBERTUM_ENV"] == "production":
        raise PaymentsUnavailable("TREASURY_ADDRESS must be set in production (the hot wallet is not a treasury)")
    return Account.from_key(config["DEPLOYER_PRIVATE_KEY"]).address


def stablecoin(config: dict, record: dict | None = None) -> dict:
    """{address, name, symbol, decimals, test} of the payment stablecoin recorded at bootstrap."""
    record = record if record is not None else current_platform(config)
    coin = (record or {}).get(STABLECOIN_KEY)
    if not coin:
        raise PaymentsUnavailable("no stablecoin recorded for this chain; run `flask chain bootstrap`")
    return coin


def crypto_terms(config: dict, offering_id, total_cents: int) -> dict:
    """The fields a crypto order stores at placement: token, receiving address, amount due in base units of the
    stablecoin and its decimals (what the order's pages format the amounts with)."""
    coin = stablecoin(config)
    address = _receiving_address(config, offering_id, treasury(config))
    if address is None:
        raise LookupError(f"no offering {offering_id}")
    return {"paymentToken": coin["address"], "paymentAddress": address,
            "paymentDue": stablecoin_due(total_cents, int(coin["decimals"])), "paymentDecimals": int(coin["decimals"])}


def open_deployed_tokens(config: dict, tokens: list[str]) -> int:
    """Chain-sync, after TREXSuiteDeployed listed offerings: each gets the treasury as `paymentAddress`."""
    try:
        receiver = treasury(config)
    except PaymentsUnavailable as why:
        log.warning("deployed offerings get no receiving address: %s", why)
        return 0
    opened = [oid for token in tokens for oid in offering_payments.without_address(get_db(config), token)]
    for offering_id in opened:
        _receiving_address(config, offering_id, receiver)
        offering_changed(str(offering_id), config)
    return len(opened)


def _receiving_address(config: dict, offering_id, default: str) -> str | None:
    """The offering's receiving address, set to `default` the first time (None: no such offering).

    The first write holds the offering's lock: settlement may be counting the raise on the same
    document, and either write could undo the other (app/locks.py)."""
    db = get_db(config)
    exists, address = offering_payments.receiving_address(db, offering_id)
    if address or not exists:
        return address
    with locks.offering(offering_id, config):
        return offering_payments.payment_address(db, offering_id, default)


def monitor_filters(config: dict, record: dict) -> list[dict]:
    """eth_getLogs filters the chain monitor adds: stablecoin Transfers whose `to` is the treasury."""
    try:
        coin, receiver = stablecoin(config, record), treasury(config)
    except PaymentsUnavailable as why:
        log.warning("stablecoin payments are not followed: %s", why)
        return []
    to_topic = "0x" + "0" * 24 + receiver[2:].lower()
    return [{"address": coin["address"], "topics": [TRANSFER_TOPIC, None, to_topic], "stream": PAYMENTS_STREAM}]


def apply_transfer(config: dict, event: dict) -> str:
    """Chain-sync: credit one stablecoin Transfer to the order it pays; returns the order's status or "unmatched".

    Safe to replay: the payment document is keyed by the log, its order is chosen once,
    and settlement records the payment once per key.
    """
    db, args = get_db(config), event["args"]
    sender, receiver, amount = args["from"], args["to"], int(args["value"])
    source = {"kind": "crypto", "txHash": event["transactionHash"], "logIndex": int(event["logIndex"]),
              "from": sender}
    key = payment_key(source)
    # The transfer's lock, as an admin deciding it holds (app/domain/payments/review.py): a retraction
    # or a match written at the same moment could otherwise undo this one (app/locks.py).
    with locks.payment(key, config):
        doc = payments.record(db, key, {"token": event["address"], "from": sender, "to": receiver,
                                        "amount": amount, "txHash": event["transactionHash"],
                                        "logIndex": int(event["logIndex"]), "blockNumber": event["blockNumber"]})
        if doc["status"] == payments.RETRACTED:  # the same log is back on the canonical chain
            payments.set_status(db, key, payments.MATCHED if doc.get("orderId") else "new")
            if doc.get("orderId"):
                settlement.payment_restored(config, doc["orderId"], key)
        if doc["status"] in (payments.UNMATCHED, payments.REFUND_DUE):
            return doc["status"]  # decided once (or by an admin); a replay never hands it to an order placed since
        if doc.get("orderId") is None:
            order = pick_order(order_payments.open_crypto_orders(db, sender, receiver, event["address"]), amount)
            if order is None:
                return _unmatched(db, key, "no open crypto order of this wallet fits this transfer")
            doc = payments.assign(db, key, order["_id"])
        try:
            return settlement.settle(config, doc["orderId"], paid_amount=amount, source=source)
        except PaymentRefused as refused:  # a busy order lock (locks.Busy) is none: chain-sync replays the batch
            return _unmatched(db, key, str(refused))


def _unmatched(db, key: str, reason: str) -> str:
    if (payments.get(db, key) or {}).get("status") != payments.UNMATCHED:
        payments.set_status(db, key, payments.UNMATCHED, reason)
        audit.record("payment.unmatched", details={"payment": key, "reason": reason})
    return payments.UNMATCHED


def unmatched_transfers(config: dict, actor: dict, limit: int = 200) -> list[dict]:
    """Stablecoin transfers no order took (newest first), for staff holding the orders permission."""
    if not has_permission(actor, "orders"):
        raise PermissionError("Payments need the orders permission.")
    return payments.unmatched(get_db(config), limit)


def retract_transfer(config: dict, event: dict) -> None:
    """Chain-sync after a reorg dropped a payment's block: flag its order for review (never un-settle silently)."""
    db = get_db(config)
    key = payment_key({"kind": "crypto", "txHash": event["transactionHash"], "logIndex": event["logIndex"]})
    with locks.payment(key, config):  # as apply_transfer and an admin's decision
        doc = payments.get(db, key)
        if doc is None or doc["status"] == payments.RETRACTED:
            return
        payments.set_status(db, key, payments.RETRACTED, "its block was dropped by a chain reorganisation")
        if doc.get("orderId"):
            settlement.payment_retracted(config, doc["orderId"], key)


def faucet(config: dict, wallet: str, amount: int) -> str:
    """Mint `amount` base units of Test USD to `wallet` (development and test chains); returns the tx hash."""
    coin = stablecoin(config)
    if not coin.get("test") or config["LIBERTUM_ENV"] == "production":
        raise PaymentsUnavailable("the faucet only mints the Test USD token on development and test chains")
    hot = hot_wallet(config)
    token = contract(hot.w3, "TestUSD", coin["address"])
    receipt = send_call(hot.w3, hot.account, function_call(token, "mint", Web3.to_checksum_address(wallet), amount),
                        nonces=hot.nonces)
    return receipt["transactionHash"].to_0x_hex()
