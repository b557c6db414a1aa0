"""Chain-sync's side of a holder transfer, replayed and reorganised: the record is done once with what the chain
moved, the recipient is mailed once however often the Transfer is applied, a reorg that drops its block makes it
pending again, and the same Transfer mined again lands it again without a second mail."""

from __future__ import annotations

from bson import ObjectId
from eth_account import Account

from app.data import holder_transfers as records
from app.data import user_details
from app.domain.transfers import holder_transfers
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user


def _log(tx_hash: str, token: str, sender: str, to: str, value: int) -> dict:
    """A Transfer as chain-sync receives it from the chain monitor (app/chain/events.py)."""
    return {"id": f"31337:{tx_hash}:0", "kind": "log", "event": "Transfer", "address": token, "blockNumber": 7,
            "blockHash": "0x" + "cd" * 32, "logIndex": 0, "transactionHash": tx_hash,
            "args": {"from": sender, "to": to, "value": value}}


def test_replayed_and_reorganised_transfers_land_once_and_mail_once(app, db):
    token = Account.create().address
    offering = list_offering(db, offering_doc(title="Replay Court", tokenAddress=token, details={"tokenDecimals": 18}))
    sender, recipient = make_user("investor"), make_user("investor")
    a, b = Account.create().address, Account.create().address
    user_details.add_verified_wallet(db, sender["_id"], a, "EIP-1193")
    user_details.add_verified_wallet(db, recipient["_id"], b, "EIP-1193")
    tx_hash = "0x" + "ab" * 32
    records.record(db, tx_hash, {"offeringId": offering["_id"], "token": token, "fromUserId": sender["_id"],
                                 "fromWallet": a, "toWallet": b, "amount": 10**30, "decimals": 18})
    log = _log(tx_hash, token, a, b, 10**30 + 7)  # the chain's figures win over what the browser posted

    def mails() -> int:
        return db.outbox.count_documents({"to": recipient["email"], "subject": {"$regex": "You received"}})

    for _ in range(2):
        holder_transfers.apply_logs([log])
    doc = records.get(db, tx_hash)
    assert doc["status"] == "done" and doc["amount"] == 10**30 + 7 and doc["toUserId"] == recipient["_id"]
    assert db.holderTransfers.find_one({"_id": tx_hash})["amount"] == str(10**30 + 7)  # past int64, as a string
    assert mails() == 1
    assert "1,000,000,000,000.000000000000000007" in db.outbox.find_one({"to": recipient["email"]})["body"]

    holder_transfers.retract([log])
    assert records.get(db, tx_hash)["status"] == "pending"
    holder_transfers.apply_logs([log])
    assert records.get(db, tx_hash)["status"] == "done" and mails() == 1

    # a hash recorded for a transfer another wallet made is not landed by that wallet's Transfer
    other = "0x" + "34" * 32
    records.record(db, other, {"offeringId": offering["_id"], "token": token, "fromUserId": sender["_id"],
                               "fromWallet": a, "toWallet": b, "amount": 1, "decimals": 18})
    holder_transfers.apply_logs([_log(other, token, Account.create().address, b, 1)])
    assert records.get(db, other)["status"] == "pending" and mails() == 1
    db.holderTransfers.delete_one({"_id": other})

    # a mint or a burn is no holder transfer; a transfer nobody recorded changes nothing
    holder_transfers.apply_logs([_log("0x" + "ef" * 32, token, "0x" + "0" * 40, b, 5),
                                 _log("0x" + "12" * 32, token, a, b, 5)])
    assert db.holderTransfers.count_documents({}) == 1 and mails() == 1
    assert records.of_sender(db, sender["_id"])[0]["_id"] == tx_hash
    assert records.of_sender(db, ObjectId()) == []
