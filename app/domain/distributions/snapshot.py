"""The record-date snapshot: holders and balances as of the last block at or before the record time, from the
chain itself, then one `dividends` line per holder (gross, withheld, net in cents).

How (docs/distributions.md):
1. the record block is found by binary search on block timestamps (rules.last_block_at_or_before);
2. balances are the token's Transfer events up to that block, replayed from the stored `chainEvents` (never
   the `holdings` projection, which moves on after the record time), and checked against the chain:
   `balanceOf(holder, block)` for every holder and `totalSupply(block)` for their sum. A mismatch means
   chain-sync has not stored the events up to that block yet: nothing is written, the job runs again later;
3. excluded: the zero address, the treasury and the platform's hot wallet (agent). A wallet frozen whole at
   the record block gets its line with status `held` (computed like the others, so nothing is lost; the
   payout leaves it alone and the unclaimed report lists it); partly frozen tokens earn like the others;
4. amounts: a declared total is split by balance (largest remainder, exact); a per-token amount makes the
   total floor(amount x eligible tokens) split the same way; withholding per residence country;
5. exactly once: the lines' `_id` is "<distribution>:<wallet>" (a rerun inserts nothing new), then the
   status moves `approved` -> `snapshotted` under the distribution's lock with the totals. A crash between
   the two is repaired by the next run, which computes the same lines from the same block.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

from eth_abi import encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from app import locks
from app.chain.node import web3_client
from app.data import chain_events, distributions, dividends, user_details, users
from app.data.mongo import get_db
from app.domain.distributions import rules, withholding
from app.domain.payments.stablecoin import PaymentsUnavailable, treasury
from app.domain.platform import audit

log = logging.getLogger(__name__)
BATCH_SIZE = 500
_BALANCE_OF = "0x" + function_signature_to_4byte_selector("balanceOf(address)").hex()
_TOTAL_SUPPLY = "0x" + function_signature_to_4byte_selector("totalSupply()").hex()
HELD_FROZEN = "Wallet frozen at the record date: held back, not paid while the wallet is frozen."


class NotReady(RuntimeError):
    """The chain events up to the record block are not all stored yet (chain-sync is behind): try again later."""


def due(config: dict, now: datetime | None = None) -> list[str]:
    """Approved distributions whose record time has passed (the sweep's work)."""
    now = now or datetime.now(UTC)
    return [str(d["_id"]) for d in distributions.with_status(get_db(config), rules.APPROVED)
            if rules.snapshot_due(_aware(d["recordDate"]), now)]


def take(config: dict, distribution_id) -> str:
    """Take the snapshot of one distribution if its record time has passed; returns its status afterwards
    ("approved" while it waits). Safe to run twice, and after a crash at any point."""
    db = get_db(config)
    found = distributions.by_id(db, distribution_id)
    if found is None or found["status"] != rules.APPROVED:
        return found["status"] if found else "missing"
    record = _aware(found["recordDate"])
    if not rules.snapshot_due(record, datetime.now(UTC)):
        return found["status"]
    w3 = web3_client.get(config)
    block = rules.last_block_at_or_before(lambda n: w3.eth.get_block(n)["timestamp"], w3.eth.block_number,
                                          int(record.timestamp()))
    if block is None:
        raise NotReady("no block is older than the record time")
    balances, frozen = holders_at(config, found["tokenAddress"], block)
    lines, totals = lines_for(config, found, balances, frozen)
    dividends.insert_lines(db, [{**line, "recordBlock": block} for line in lines])
    with locks.distribution(found["_id"], config):
        changes = {"status": rules.SNAPSHOTTED, "recordBlock": block, "holdersCount": len(lines), "totals": totals,
                   "totalAmount": totals["gross"] + totals["remainder"], "snapshotAt": datetime.now(UTC)}
        moved = distributions.transition(db, found["_id"], rules.APPROVED, changes)
    if moved:
        audit.record("distribution.snapshotted", details={"distributionId": str(found["_id"]), "recordBlock": block,
                                                          "holders": len(lines), "gross": totals["gross"]})
        log.info("distribution %s: %s holders at block %s", found["_id"], len(lines), block)
    return rules.SNAPSHOTTED


def holders_at(config: dict, token: str, block: int) -> tuple[dict[str, int], set[str]]:
    """(wallet -> balance, wallets frozen whole) at the end of `block`, replayed from the stored events and
    checked against the chain at that block (NotReady when they differ)."""
    events = [e for e in chain_events.live_for_address(get_db(config), token)
              if e.get("event") in ("Transfer", "AddressFrozen")]
    transfers = [e for e in events if e["event"] == "Transfer"]
    balances = rules.replay_transfers(transfers, block)
    w3 = web3_client.get(config)
    on_chain = _balances_at(w3, token, list(balances), block)
    supply = _call_int(w3, token, _TOTAL_SUPPLY, block)
    wrong = [w for w, balance in balances.items() if on_chain[w] != balance]
    if wrong or sum(balances.values()) != supply:
        raise NotReady(f"stored events of {token} do not add up at block {block} yet "
                       f"({len(wrong)} balances differ, supply {supply}); chain-sync is behind")
    return balances, rules.frozen_at(events, block)


def lines_for(config: dict, distribution: dict, balances: dict[str, int], frozen: set[str]) -> tuple[list, dict]:
    """The holders' lines and the totals {gross, withheld, net, remainder} (pure apart from the look-ups)."""
    db = get_db(config)
    excluded = excluded_wallets(config)  # once: deriving an address from a key costs ~10 ms
    eligible = {w: b for w, b in balances.items() if w not in excluded and b > 0}
    if distribution.get("amountPerToken") is not None:
        total = rules.total_for_per_token(distribution["amountPerToken"], sum(eligible.values()),
                                          int(distribution["tokenDecimals"]))
    else:
        total = distribution["totalAmount"]
    gross = rules.split(total, eligible)
    owners = user_details.owners_of(db, list(gross))
    people = users.residence_of(db, list(owners.values()))
    table = withholding.rates(config)
    lines, totals = [], {"gross": 0, "withheld": 0, "net": 0}
    for wallet, amount in sorted(gross.items()):
        person = people.get(owners.get(wallet)) or {}
        country = str(person.get("residenceCountry") or "").upper() or None
        rate = withholding.rate_for(table, country)
        taken, net = withholding.amounts(amount, rate)
        lines.append(_line(distribution, wallet, eligible[wallet], owners.get(wallet), country, amount, rate,
                           taken, net, wallet in frozen))
        totals.update(gross=totals["gross"] + amount, withheld=totals["withheld"] + taken, net=totals["net"] + net)
    totals["remainder"] = total - totals["gross"]  # 0 unless no eligible holder: never lost, reported
    return lines, totals


def excluded_wallets(config: dict) -> set[str]:
    """Wallets that never receive a distribution: the zero address, the treasury and the hot wallet (agent)."""
    wallets = {rules.ZERO, Account.from_key(config["DEPLOYER_PRIVATE_KEY"]).address}
    with contextlib.suppress(PaymentsUnavailable):  # no stablecoin set up: no treasury to leave out
        wallets.add(treasury(config))
    return wallets


def _line(distribution: dict, wallet: str, balance: int, user_id, country, gross: int, rate: int, taken: int,
          net: int, is_frozen: bool) -> dict:
    line = {"_id": dividends.line_id(distribution["_id"], wallet), "distributionId": distribution["_id"],
            "offeringId": distribution["offeringId"], "offeringName": distribution["offeringName"],
            "issuerId": distribution["issuerId"], "userId": user_id, "walletAddress": wallet, "balance": balance,
            "grossAmount": gross, "withheldAmount": taken, "dividendAmount": net, "withholdingRate": rate,
            "country": country, "status": "held" if is_frozen else rules.DECLARED,
            "dividendType": distribution["dividendType"], "paymentMethod": distribution["paymentMethod"],
            "documentUrl": distribution.get("documentUrl"), "declarationDate": distribution["declarationDate"],
            "recordDate": distribution["recordDate"], "paymentDate": distribution["paymentDate"],
            "createdAt": datetime.now(UTC)}
    if is_frozen:
        line["heldReason"] = HELD_FROZEN
    return line


def _balances_at(w3: Web3, token: str, wallets: list[str], block: int) -> dict[str, int]:
    """balanceOf every wallet at `block`, in raw JSON-RPC batches (app/chain/lockups.py does the same)."""
    found: dict[str, int] = {}
    token, at = Web3.to_checksum_address(token), hex(block)
    for start in range(0, len(wallets), BATCH_SIZE):
        chunk = wallets[start:start + BATCH_SIZE]
        calls = [("eth_call", [{"to": token, "data": _BALANCE_OF + encode(["address"], [wallet]).hex()}, at])
                 for wallet in chunk]
        answers = w3.provider.make_batch_request(calls)
        if not isinstance(answers, list):
            raise NotReady(f"balanceOf batch refused: {answers.get('error')}")
        for wallet, answer in zip(chunk, sorted(answers, key=lambda a: a["id"]), strict=True):
            if "error" in answer:
                raise NotReady(f"balanceOf of {wallet} at block {block} refused: {answer['error']}")
            found[wallet] = int(answer["result"], 16)
    return found


def _call_int(w3: Web3, token: str, data: str, block: int) -> int:
    return int.from_bytes(w3.eth.call({"to": Web3.to_checksum_address(token), "data": data}, block), "big")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lines_of_user(config: dict, user_id) -> list[dict]:
    """Every distribution line of one investor, newest record date first (for H's investor views): each with
    gross, withheld and net cents, the status, and the distribution's waterfall under `waterfall`."""
    db = get_db(config)
    lines = dividends.of_user(db, user_id)
    found = {d: distributions.by_id(db, d) for d in {line["distributionId"] for line in lines}}
    return [{**line, "waterfall": (found.get(line["distributionId"]) or {}).get("waterfall")} for line in lines]
