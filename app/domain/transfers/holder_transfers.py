"""Holder-to-holder transfers from the portfolio: the investor's own wallet signs the token's `transfer(to, amount)`
in the browser (EIP-1193, static/js/send.js), the server never holds a key.

1. `send_page` / `check`: what the investor holds of the offering, whether it can move at all and why not
   (app.domain.transfers.standing: paused, lock-up, frozen), and, for a recipient and a quantity, every rule the
   token enforces (the compliance checklist, read from the chain now: app.domain.compliance.facts) plus "not to
   yourself", then the token's own answer to the exact call (an eth_call of `transfer` from the sender), so what
   the page allows is what the chain accepts.
2. `record_sent`: the browser posts the transaction hash; it is kept in `holderTransfers` (keyed by the hash, so a
   refresh or a second tab finds it again).
3. `apply_logs` (chain-sync, after the holdings projection took the Transfer): the record is done, with what the
   chain moved, and the recipient is mailed once (mailKeys). `status` also asks the node, without waiting, whether
   a still-pending transaction reverted, and marks it failed with the token's reason.

Both portfolios and both transaction lists read chain-sync's projections (holdings, chainEvents): "Sent" for the
sender, "Received" for the recipient, with the transaction hash. Cost basis: the units sent take their average
cost with them; received units carry no known cost (app.domain.portfolio.rules).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception

from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.chain.node import web3_client
from app.chain.revert import default_decoder
from app.chain.tx import mined_revert_reason
from app.data import chain_events, holder_transfers, holdings, offerings, user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.compliance import checklist, facts
from app.domain.compliance.checklist import Rule
from app.domain.custody.rules import PLATFORM
from app.domain.platform.chain import current_platform
from app.domain.platform.notifications import send_email
from app.domain.portfolio.rules import decimals_of, ticker_of, title_of
from app.domain.transfers import holder_rules, standing
from app.formatting import tokens

log = logging.getLogger(__name__)
NODE_AWAY = "The blockchain cannot be read right now, so the transfer cannot be checked. Try again in a minute."


class NoSuchHolding(errors.NotFound):
    """No offering with a deployed token that this investor holds (or a transfer that is not theirs)."""


@dataclass
class Check:
    """The send form after a check: what was typed, what cannot be read, and the rules when it could be."""

    values: dict
    problems: dict = field(default_factory=dict)   # form field -> message
    rules: list[Rule] | None = None
    recipient: str = ""
    amount: int = 0
    unavailable: str = ""  # the chain could not be read: nothing is judged, nothing offered to sign

    @property
    def allowed(self) -> bool:
        return not self.problems and self.rules is not None and checklist.allowed(self.rules)

    @property
    def reasons(self) -> list[str]:
        return holder_rules.reasons(self.rules or [])


def send_page(config: dict, user: dict, offering_id: str) -> dict:
    """The offering, the investor's wallets holding its token (balance and frozen part) and their recent sends."""
    db = get_db(config)
    oid = parse_id(offering_id)
    offering = offerings.by_id(db, oid) if oid else None
    if not offering or not offering.get("tokenAddress"):
        raise NoSuchHolding("No such holding.")
    wallets = user_details.verified_wallets(db, user["_id"])
    held = holdings.load(db, offering["tokenAddress"], wallets)
    holding = [{"wallet": w, **held[w]} for w in wallets if w in held and held[w]["balance"] > 0]
    if not holding:
        raise NoSuchHolding("No such holding.")
    sent = [t for t in holder_transfers.of_sender(db, user["_id"]) if t.get("offeringId") == offering["_id"]]
    moves = standing.for_offering(config, db, offering, user, wallets, datetime.now(UTC))["mine"]
    custodial = [w.get("address") for w in user_details.wallets_of(db, user["_id"]) if w.get("custody") == PLATFORM]
    return {"moves": moves, "custodial": custodial, "offering": offering,
            "title": title_of(offering), "ticker": ticker_of(offering),
            "decimals": decimals_of(offering), "token": offering["tokenAddress"], "holding": holding,
            "own_wallets": wallets, "sent": sent}


def check(config: dict, page: dict, args) -> Check:
    """Read the form (`sender`, `recipient`, `quantity`) and, when it reads, judge the transfer on chain."""
    values = {"sender": (args.get("sender") or "").strip(), "recipient": (args.get("recipient") or "")[:200],
              "quantity": (args.get("quantity") or "")[:200]}
    result = Check(values)
    senders = [h["wallet"] for h in page["holding"]]
    if len(senders) == 1 and not values["sender"]:
        values["sender"] = senders[0]
    if values["sender"] not in senders:
        result.problems["sender"] = "Choose the wallet that holds the tokens."
    try:
        result.recipient = holder_rules.parse_recipient(values["recipient"])
    except holder_rules.InvalidInput as why:
        result.problems["recipient"] = str(why)
    try:
        result.amount = holder_rules.parse_quantity(values["quantity"], page["decimals"])
    except holder_rules.InvalidInput as why:
        result.problems["quantity"] = str(why)
    if result.problems:
        return result
    try:
        result.rules = judge(config, page["token"], values["sender"], result.recipient, result.amount,
                             page["own_wallets"])
    except (Web3Exception, OSError) as failure:  # a node away or slow: say so rather than guess
        log.warning("holder transfer not judged: %s", failure)
        result.unavailable = NODE_AWAY
    return result


def judge(config: dict, token: str, sender: str, recipient: str, amount: int, own_wallets: list[str]) -> list[Rule]:
    """Every rule of the transfer (checklist order), then the token's answer to the exact call when all pass."""
    w3 = web3_client.get(config)
    rules = [holder_rules.not_to_self(own_wallets, recipient)]
    rules += holder_rules.private(facts.transfer_checklist(config, w3, current_platform(config), token, sender,
                                                           recipient, amount))
    if checklist.allowed(rules):
        rules.append(holder_rules.chain_verdict(_dry_run(w3, token, sender, recipient, amount)))
    return rules


def _dry_run(w3: Web3, token: str, sender: str, recipient: str, amount: int) -> str | None:
    """None when the token accepts `transfer(recipient, amount)` from `sender` now, else its reason in words."""
    call = contract(w3, "Token", token).functions.transfer(recipient, amount)
    try:
        call.call({"from": Web3.to_checksum_address(sender)})
    except ContractLogicError as refusal:
        return default_decoder().from_web3_error(refusal).reason
    return None


def record_sent(config: dict, user: dict, page: dict, form) -> dict:
    """Keep the transfer the wallet just sent (pending until chain-sync applies it); the stored record."""
    db = get_db(config)
    tx_hash = holder_rules.parse_tx_hash(form.get("tx_hash"))
    sender = (form.get("sender") or "").strip()
    if sender not in [h["wallet"] for h in page["holding"]]:
        raise errors.Refused("Choose the wallet that holds the tokens.", "sender")
    recipient = holder_rules.parse_recipient(form.get("recipient"))
    amount = holder_rules.parse_quantity(form.get("amount_units"), 0)
    _sent_by(config, tx_hash, sender, page["token"])
    doc = holder_transfers.record(db, tx_hash, {
        "offeringId": page["offering"]["_id"], "token": page["token"], "fromUserId": user["_id"],
        "fromWallet": sender, "toWallet": recipient, "amount": amount, "decimals": page["decimals"]})
    if doc.get("fromUserId") != user["_id"]:
        raise NoSuchHolding("No such transfer.")
    landed = _landed_event(db, tx_hash)
    if landed is not None and _same_transfer(doc, landed):  # chain-sync was quicker than the browser
        _land(config, db, landed)
    return holder_transfers.get(db, tx_hash)


def _sent_by(config: dict, tx_hash: str, sender: str, token: str) -> None:
    """Refuse a hash the node knows as another transaction (someone else's, another contract): it would hold that
    hash's record. A hash the node does not know yet is kept; chain-sync lands it only if it is this transfer."""
    try:
        tx = web3_client.get(config).eth.get_transaction(tx_hash)
    except (TransactionNotFound, Web3Exception, OSError, ValueError):
        return
    if str(tx["from"]).lower() != sender.lower() or str(tx.get("to") or "").lower() != token.lower():
        raise errors.Refused("That transaction is not a transfer of this token from your wallet.", "tx_hash")


def status(config: dict, user: dict, tx_hash: str) -> dict:
    """The transfer as its sender or its recipient sees it; asks the node (no waiting) whether a pending one failed."""
    db = get_db(config)
    try:
        tx_hash = holder_rules.parse_tx_hash(tx_hash)
    except holder_rules.InvalidInput as why:
        raise NoSuchHolding("No such transfer.") from why
    doc = holder_transfers.get(db, tx_hash)
    if doc is None or not _party(db, user, doc):
        raise NoSuchHolding("No such transfer.")
    if doc["status"] == holder_transfers.PENDING:
        _reverted(config, db, doc)
        doc = holder_transfers.get(db, tx_hash)
    offering = offerings.by_id(db, doc["offeringId"]) or {}
    return {**doc, "title": title_of(offering), "ticker": ticker_of(offering),
            "is_sender": doc.get("fromUserId") == user["_id"]}


def of_investor(config: dict, user: dict) -> list[dict]:
    """The portfolio transfers the investor sent or that go to one of their verified wallets (pending ones too: the
    recipient sees an incoming transfer before it lands), each with its offering's title and the direction."""
    db = get_db(config)
    wallets = user_details.verified_wallets(db, user["_id"])
    found = []
    for doc in holder_transfers.of_party(db, user["_id"], wallets):
        offering = offerings.by_id(db, doc["offeringId"]) or {}
        found.append({**doc, "title": title_of(offering), "ticker": ticker_of(offering),
                      "is_sender": doc.get("fromUserId") == user["_id"]})
    return found


def _party(db, user: dict, doc: dict) -> bool:
    return doc.get("fromUserId") == user["_id"] or doc.get("toWallet") in user_details.verified_wallets(db, user["_id"])


def _reverted(config: dict, db, doc: dict) -> None:
    """Mark the transfer failed when its transaction is mined and reverted (a receipt read now, never awaited)."""
    try:
        w3 = web3_client.get(config)
        receipt = w3.eth.get_transaction_receipt(doc["_id"])
    except TransactionNotFound:
        return
    except (Web3Exception, OSError, ValueError) as failure:
        log.warning("receipt of holder transfer %s not read: %s", doc["_id"], failure)
        return
    if receipt["status"] == 0:
        reason = mined_revert_reason(w3, w3.eth.get_transaction(doc["_id"]), receipt).reason
        holder_transfers.mark_failed(db, doc["_id"], reason)


def _landed_event(db, tx_hash: str) -> dict | None:
    event = chain_events.transfer_of_tx(db, tx_hash)
    moved = event and event["args"]["from"] != ZERO_ADDRESS and event["args"]["to"] != ZERO_ADDRESS
    return event if moved else None


def apply_logs(logs: list[dict]) -> None:
    """Chain-sync: Transfers between two holders whose transaction a holder recorded from the portfolio are done."""
    moves = {log["transactionHash"].lower(): log for log in logs if log.get("event") == "Transfer"
             and log["args"]["from"] != ZERO_ADDRESS and log["args"]["to"] != ZERO_ADDRESS}
    if not moves:
        return
    config = current_app.config
    db = get_db(config)
    for doc in holder_transfers.by_hashes(db, sorted(moves)):
        if _same_transfer(doc, moves[doc["_id"]]):
            _land(config, db, moves[doc["_id"]])


def retract(dropped: list[dict]) -> None:
    """Chain-sync, after a reorg dropped blocks: their holder transfers are pending again (the status page polls
    once more; when the transaction is mined again it lands again, and the recipient's mail key keeps one mail)."""
    hashes = sorted({e["transactionHash"].lower() for e in dropped if e.get("event") == "Transfer"})
    if not hashes:
        return
    db = get_db(current_app.config)
    for doc in holder_transfers.by_hashes(db, hashes):
        holder_transfers.mark_pending(db, doc["_id"])


def _same_transfer(doc: dict, event: dict) -> bool:
    """The log is the recorded transfer: this token, from the recorded wallet (never another holder's hash)."""
    return (event["address"].lower() == doc["token"].lower()
            and event["args"]["from"].lower() == doc["fromWallet"].lower())


def _land(config: dict, db, event: dict) -> None:
    """Done with the chain's figures, and the recipient told once (the mail key is the log)."""
    args, tx_hash = event["args"], event["transactionHash"].lower()
    owner = user_details.wallet_owner(db, args["to"])
    holder_transfers.mark_done(db, tx_hash, {"toWallet": args["to"], "amount": int(args["value"]),
                                             "blockNumber": int(event["blockNumber"]), "toUserId": owner})
    recipient = users.by_id(db, owner) if owner else None
    doc = holder_transfers.get(db, tx_hash)
    if not recipient or not recipient.get("email") or doc is None:
        return
    offering = offerings.by_id(db, doc["offeringId"]) or {}
    public = config["PUBLIC_URL"].rstrip("/")
    send_email(recipient["email"], f"Libertum: You received {title_of(offering)} tokens", "tokens_received",
               {"tokens": tokens(int(args["value"]), decimals_of(offering), ticker_of(offering)),
                "offering_title": title_of(offering), "wallet": args["to"], "sender": args["from"],
                "tx_hash": tx_hash, "portfolio_url": f"{public}/portfolio/"},
               recipient["_id"], key=f"holder-transfer:{tx_hash}:{int(event['logIndex'])}")
