"""The hot wallet's nonce manager: several processes at once, a crashed sender, a stuck transaction."""

from __future__ import annotations

import multiprocessing
import time

from eth_account import Account

from app import create_app
from app.chain.broadcast import broadcast, receipt_of, replacement_fees, sign
from app.chain.tx import Call, fee_fields, send_call
from app.chain.wallet import hot_wallet

PROCESSES, PER_PROCESS = 5, 10


def _send_several(count: int) -> list[tuple[int, str, int]]:
    """In a fresh process: send `count` transfers through the shared manager; (nonce, hash, status) each."""
    app = create_app()
    wallet = hot_wallet(app.config)
    sent = []
    for _ in range(count):
        call = Call(to=Account.create().address, data="0x", label="transfer", value=1)
        receipt = send_call(wallet.w3, wallet.account, call, nonces=wallet.nonces)
        tx = wallet.w3.eth.get_transaction(receipt["transactionHash"])
        sent.append((tx["nonce"], receipt["transactionHash"].to_0x_hex(), receipt["status"]))
    return sent


def test_processes_sending_at_once_get_contiguous_nonces(app):
    wallet = hot_wallet(app.config)
    first = wallet.w3.eth.get_transaction_count(wallet.account.address, "pending")
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = [tx for batch in pool.map(_send_several, [PER_PROCESS] * PROCESSES) for tx in batch]
    nonces = sorted(nonce for nonce, _, _ in results)
    assert nonces == list(range(first, first + PROCESSES * PER_PROCESS))
    assert all(status == 1 for _, _, status in results)
    assert wallet.w3.eth.get_transaction_count(wallet.account.address) == first + PROCESSES * PER_PROCESS


def test_a_nonce_reserved_by_a_crashed_sender_is_filled(app):
    app.config["CHAIN_NONCE_LEASE_SECONDS"] = 0.3
    wallet = hot_wallet(app.config)
    hole = wallet.nonces.reserve(wallet.w3, wallet.account.address, 1)  # then the sender "dies"
    time.sleep(0.5)
    started = time.monotonic()
    receipt = send_call(wallet.w3, wallet.account, Call(to=Account.create().address, data="0x", label="t", value=1),
                        nonces=wallet.nonces)
    assert receipt["status"] == 1 and time.monotonic() - started < 10
    recent = range(max(0, receipt["blockNumber"] - 3), receipt["blockNumber"] + 1)
    filler = next(tx for n in recent for tx in wallet.w3.eth.get_block(n, full_transactions=True)["transactions"]
                  if tx["from"] == wallet.account.address and tx["nonce"] == hole)
    assert filler["value"] == 0 and filler["to"] == wallet.account.address


def test_counter_catches_up_with_transactions_sent_outside_it(app):
    wallet = hot_wallet(app.config)
    mine = wallet.nonces.reserve(wallet.w3, wallet.account.address, 1)
    wallet.nonces.resync(wallet.w3)  # give the reserved nonce back: nothing was sent with it
    send_call(wallet.w3, wallet.account, Call(to=Account.create().address, data="0x", label="t", value=1))
    send_call(wallet.w3, wallet.account, Call(to=Account.create().address, data="0x", label="t", value=1))
    assert wallet.nonces.reserve(wallet.w3, wallet.account.address, 1) == mine + 2
    wallet.nonces.resync(wallet.w3)


def test_stuck_transaction_is_replaced_with_the_same_nonce(app):
    wallet = hot_wallet(app.config)
    w3, account = wallet.w3, wallet.account
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        nonce = wallet.nonces.reserve(w3, account.address, 1)
        call = Call(to=Account.create().address, data="0x", label="t", value=1)
        stuck = sign(account, call, chain_id=w3.eth.chain_id, nonce=nonce, gas=21_000, fees=fee_fields(w3))
        assert broadcast(w3, stuck.raw)
        same_fees = sign(account, Call(to=account.address, data="0x", label="t"), chain_id=w3.eth.chain_id,
                         nonce=nonce, gas=21_000, fees=stuck.fees)
        assert not broadcast(w3, same_fees.raw), "a replacement without a fee bump is refused"
        bumped = sign(account, call, chain_id=w3.eth.chain_id, nonce=nonce, gas=21_000,
                      fees=replacement_fees(w3, stuck.fees))
        assert broadcast(w3, bumped.raw)
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    assert receipt_of(w3, bumped.tx_hash)["status"] == 1
    assert receipt_of(w3, stuck.tx_hash) is None
