"""Held and reorged stablecoin payout lines paid after all, each exactly once (docs/distribution-payouts.md).

Three kinds of line wait (repay_rules.kind):
- held because the wallet was frozen on the offering's token (at the record date, or at the payment date): the
  payout sweep (`release_unfrozen`, every minute) puts it back to "declared" once the holdings projection says the
  wallet is unfrozen AND the token itself answers `isFrozen(wallet)` false;
- held because the stablecoin refused the wallet: staff's "Try paying again" (`repay_line`);
- reorged (its DividendPaid left the chain): staff's "Pay again" (`repay_line`); never the sweep, since the dropped
  transaction may still be mined again and a reorg deserves a look.

Either way, under the distribution's lock, the contract's `paid(distribution, wallet)` mapping is read first: paid on
chain -> the line becomes "paid" from that DividendPaid event (its transaction, its block's time), nothing is sent;
not paid -> the line goes back to "declared" as a new attempt (repay_rules) and the payout's own batch path
(`payout.advance`) pays it in a batch like any other line; refused again -> chain-sync holds it again with the new
reason. The line's move is conditional on its status and attempt, so a sweep and a button racing move it once, and
the contract refuses a second payment whatever happens.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from app import locks
from app.chain.node import web3_client
from app.data import distributions, dividends, holdings
from app.data.mongo import get_db
from app.domain.distributions import payout, repay_rules, rules
from app.domain.distributions.payout_check import PAID_TOPIC
from app.domain.distributions.snapshot import HELD_FROZEN

log = logging.getLogger(__name__)

FROZEN_REASONS = (HELD_FROZEN, payout.HELD_FROZEN_AT_PAYMENT)
_REPAYABLE_STATUSES = (rules.SNAPSHOTTED, rules.PAYING, rules.PAID)


class RepayRefused(ValueError):
    """The line cannot be paid again now; the message says why and what to do."""


def repay_line(config: dict, line_id: str, now: datetime | None = None) -> str:
    """Staff's button on one held or reorged line: returns the repay_rules step taken (PAID_FROM_CHAIN or PAY; the
    payout job is queued for PAY). Refuses in words a fiat line, a frozen wallet or a line with nothing to pay."""
    db = get_db(config)
    line = dividends.by_id(db, line_id)
    dist = distributions.by_id(db, line["distributionId"]) if line else None
    if not line or not dist:
        raise LookupError(f"no payout line {line_id}")
    if dist.get("paymentMethod") != "stablecoin":
        raise RepayRefused("A bank-transfer line is paid by marking it with the bank's reference, not on chain.")
    step = _settle(config, dist, line_id, now or datetime.now(UTC))
    if step == repay_rules.STILL_FROZEN:
        raise RepayRefused(repay_rules.STILL_FROZEN_MESSAGE)
    if step == repay_rules.NOT_REPAYABLE:
        raise RepayRefused(repay_rules.NOT_REPAYABLE_MESSAGE)
    if step == repay_rules.PAY:
        _queue_payout(config, dist["_id"])
    return step


def release_unfrozen(config: dict, distribution_id, now: datetime | None = None) -> list[str]:
    """The sweep's part: lines held because their wallet was frozen, whose wallet the holdings projection shows
    unfrozen, are settled (paid from the chain, or back to "declared"); returns the lines moved."""
    db = get_db(config)
    dist = distributions.by_id(db, distribution_id)
    if not dist or dist.get("paymentMethod") != "stablecoin" or dist["status"] not in _REPAYABLE_STATUSES:
        return []
    held = [line for line in dividends.of_distribution(db, dist["_id"])
            if repay_rules.kind(line, FROZEN_REASONS) == repay_rules.FROZEN]
    if not held:
        return []
    projected = holdings.load(db, dist["tokenAddress"], [line["walletAddress"] for line in held])
    moved = []
    for line in held:
        if (projected.get(line["walletAddress"]) or {}).get("isFrozen", False):
            continue  # still frozen as far as chain-sync knows: the chain is asked only once it says otherwise
        if _settle(config, dist, line["_id"], now or datetime.now(UTC)) in (repay_rules.PAY,
                                                                              repay_rules.PAID_FROM_CHAIN):
            moved.append(line["_id"])
    return moved


def _settle(config: dict, dist: dict, line_id: str, now: datetime) -> str:
    """Under the distribution's lock: read the line afresh, ask the chain, and make the one move repay_rules says."""
    db = get_db(config)
    chain = payout.setup(config)
    w3 = web3_client.get(config)
    key = payout.chain_key(dist["_id"])
    mail = False
    with locks.distribution(dist["_id"], config):
        line = dividends.by_id(db, line_id)
        line_kind = repay_rules.kind(line or {}, FROZEN_REASONS)
        if line_kind is None:
            return repay_rules.NOT_REPAYABLE
        wallet = line["walletAddress"]
        step = repay_rules.next_step(line_kind, frozen_now=frozen_on_chain(w3, dist.get("tokenAddress"), wallet),
                                     paid_on_chain=payout.paid_on_chain(w3, chain.distributor, key, wallet))
        if step == repay_rules.PAID_FROM_CHAIN:
            found = paid_event(w3, chain.distributor, key, wallet, int(dist.get("recordBlock") or 0))
            if found is None:
                raise RepayRefused("The contract says this line is paid, but no payment event of it was found since "
                                   "the record block: run `flask chain reconcile` and check the chain node.")
            mail = bool(dividends.set_status(db, [line_id], (line["status"],),
                                             {"status": dividends.PAID, "heldReason": None, "paidFromChain": True,
                                              **found}))
            payout.close_if_done(db, dist["_id"], now)
        elif step == repay_rules.PAY:
            reopened = dividends.reopen(db, line_id, line["status"], repay_rules.attempt(line),
                                        {"heldReason": None, "reopenedAt": now,
                                         "previousStatus": line["status"],
                                         "previousHeldReason": line.get("heldReason")})
            if not reopened:
                return repay_rules.NOT_REPAYABLE
            # "paid" held its held lines as settled; with one open again the payout is under way again
            distributions.transition(db, dist["_id"], rules.PAID, {"status": rules.PAYING})
        log.info("payout line %s (%s): %s", line_id, line_kind, step)
    if mail:
        from app.domain.distributions import statements  # the investor side; imported late (mail templates)
        statements.mail_paid(config, line_id)
    return step


def frozen_on_chain(w3, token: str | None, wallet: str) -> bool:
    """The T-REX token's own answer (`isFrozen(address)`); an address without a contract freezes nothing."""
    if not token or not w3.eth.get_code(Web3.to_checksum_address(token)):
        return False
    data = function_signature_to_4byte_selector("isFrozen(address)") + encode(
        ["address"], [Web3.to_checksum_address(wallet)])
    raw = w3.eth.call({"to": Web3.to_checksum_address(token), "data": "0x" + data.hex()})
    return bool(int.from_bytes(bytes(raw)[:32], "big"))


def paid_event(w3, distributor: str, key: str, wallet: str, from_block: int) -> dict | None:
    """The (last) DividendPaid of the chain key to `wallet` since `from_block`: {txHash, paidAt}."""
    recipient = "0x" + "00" * 12 + Web3.to_checksum_address(wallet)[2:].lower()
    logs = w3.eth.get_logs({"address": distributor, "fromBlock": from_block, "toBlock": "latest",
                            "topics": [PAID_TOPIC, key, recipient]})
    if not logs:
        return None
    last = logs[-1]
    block = w3.eth.get_block(last["blockNumber"])
    return {"txHash": last["transactionHash"].to_0x_hex(),
            "paidAt": datetime.fromtimestamp(int(block["timestamp"]), UTC)}


def _queue_payout(config: dict, distribution_id) -> None:
    from app.tasks import distributions as distribution_tasks  # the tasks module imports the domain; late import
    distribution_tasks.pay_distribution.delay(str(distribution_id), config=config,
                                              description=f"pay the reopened lines of distribution {distribution_id}")
