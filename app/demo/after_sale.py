"""The demo after the sale: the listed tokens opened (the opening's unpause chain job, as staff's button does),
one holder-to-holder transfer between the two demo investors through the holder-transfer service (checked by
the platform first, the sender's wallet signs the token's `transfer` as their browser wallet would, the hash is
recorded and chain-sync lands it in both portfolios), and conversion to ERC-20 enabled on Harbourside Lofts
(the issuer's enabling, its chain jobs and task).

Resumable and never twice: an opening is one job per offering; the transfer is looked for on chain first
(a Transfer from the sender's wallet to the recipient's), so a run stopped between signing and recording records
that transaction instead of sending another; enabling is refused once enabled, and its jobs have fixed ids.
"""

from __future__ import annotations

import contextlib

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.tx import function_call, send_call
from app.data import holder_transfers, offerings
from app.data.mongo import get_db
from app.demo import people
from app.demo.investing import GAS_WEI
from app.demo.waiting import wait_for
from app.domain import errors
from app.domain.conversion import enabling
from app.domain.offerings import opening
from app.domain.transfers import holder_transfers as sending

TRANSFER_OFFERING, TRANSFER_QUANTITY = "Harbourside Lofts", "2.5"  # investor 1 sends investor 2 (18 decimals)
CONVERTIBLE = "Harbourside Lofts"  # no lock-up: conversion can be enabled at once


def open_tokens(config, admin: dict, listed: dict[str, dict]) -> None:
    """Each listed offering's token unpaused, and chain-sync's note of it (holders mailed once) awaited."""
    db = get_db()
    for title, offering in listed.items():
        if not (offerings.by_id(db, offering["_id"]) or {}).get("tokenOpenedAt"):
            with contextlib.suppress(errors.Refused):  # being opened already: an earlier run started it
                opening.open_token(config, str(offering["_id"]), admin)
        wait_for(f"the token of {title} to open (its Unpaused event in chain-sync)",
                 lambda oid=offering["_id"]: (offerings.by_id(db, oid) or {}).get("tokenOpenedAt"), timeout=240)


def transfer(config, sender: dict, recipient: dict, offering: dict) -> dict:
    """Investor 1 sends TRANSFER_QUANTITY tokens to investor 2 through the holder-transfer service, once."""
    db, title = get_db(), offering["overview"]["title"]
    page = sending.send_page(config, sender, str(offering["_id"]))
    wallet, to = people.wallet_of(config, sender["email"]), people.wallet_of(config, recipient["email"]).address
    sent = _sent_already(config, offering["tokenAddress"], wallet.address, to)
    if sent is None:
        checked = sending.check(config, page, {"sender": wallet.address, "recipient": to,
                                               "quantity": TRANSFER_QUANTITY})
        if not checked.allowed:
            raise RuntimeError(f"demo transfer in {title} refused: {checked.problems or checked.reasons}")
        w3 = web3_client.get(config)
        w3.provider.make_request("anvil_setBalance", [wallet.address, hex(GAS_WEI)])  # local chain only
        call = function_call(contract(w3, "Token", offering["tokenAddress"]), "transfer", to, checked.amount)
        tx_hash = send_call(w3, wallet, call)["transactionHash"].to_0x_hex()
        amount = checked.amount
    else:
        tx_hash, amount = sent["transactionHash"].to_0x_hex(), int(sent["args"]["value"])
    if holder_transfers.get(db, tx_hash) is None:
        sending.record_sent(config, sender, page, {"tx_hash": tx_hash, "sender": wallet.address, "recipient": to,
                                                   "amount_units": str(amount)})
    return wait_for(f"chain-sync to land {sender['email']}'s transfer in {title}",
                    lambda: _landed(db, tx_hash), timeout=240)


def _sent_already(config, token: str, sender: str, to: str):
    """The Transfer log of a transfer from `sender` to `to` the token already emitted (an interrupted run)."""
    bound = contract(web3_client.get(config), "Token", token)
    logs = bound.events.Transfer().get_logs(from_block=0, argument_filters={
        "from": Web3.to_checksum_address(sender), "to": Web3.to_checksum_address(to)})
    return logs[0] if logs else None


def _landed(db, tx_hash: str) -> dict | None:
    doc = holder_transfers.get(db, tx_hash)
    return doc if doc and doc["status"] == holder_transfers.DONE else None


def enable_conversion(config, issuer: dict, offering: dict) -> dict:
    """The issuer enables conversion to ERC-20 (its deployment and agent jobs); waits until it is recorded."""
    db, title = get_db(), offering["overview"]["title"]
    current = offerings.by_id(db, offering["_id"])
    if not current.get("iserc20") and enabling.state(current)["status"] == enabling.WAITING:
        enabling.enable(config, issuer, current)
    return wait_for(f"conversion to ERC-20 to be enabled for {title}",
                    lambda: (doc := offerings.by_id(db, offering["_id"])) and doc.get("iserc20") and doc, timeout=240)

