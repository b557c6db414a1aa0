"""Stablecoin payouts: a snapshotted distribution's holder lines paid from the treasury by the DividendDistributor,
in batched chain jobs, exactly once per holder.

How exactly once holds, layer by layer:
- a line goes into at most one live batch: batches (`distributionPayouts`, `payout:<distribution>:<n>`) are written
  by unique insert under the distribution's lock, each with its lines fixed, and a line leaves "declared" for
  "scheduled" only once its batch is recorded;
- a batch is one chain job of the same id (app.domain.platform.chain_jobs): at most one of its transactions is
  ever mined, whatever worker dies when;
- the contract refuses to pay a (distribution, recipient) twice: a failed batch's retry batch, or a stray
  duplicate, can only pay the lines the chain has not paid;
- lines become "paid" (or "held") from the contract's events through chain-monitor -> Kafka -> chain-sync
  (app/events/distribution_payouts.py), never from the job's own view.

`advance` is the one entry point (the periodic sweep, the end of each payout job, an operator): it starts a due
payout, writes batches for lines not in any batch (a crash between steps is repaired by the next call), replaces
failed batches by batches of their lines the chain has not paid, enqueues the open jobs, and closes the
distribution when no line is left open. Safe to call at any time, from any number of processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3

from app import locks
from app.chain.node import web3_client
from app.chain.tx import Call
from app.chain.wallet import hot_wallet
from app.data import chain_jobs, distribution_payouts, distributions, dividends, holdings
from app.data.mongo import get_db
from app.domain.distributions import repay_rules, rules
from app.domain.payments.stablecoin import stablecoin, treasury
from app.domain.platform import chain_jobs as chain_jobs_runner
from app.domain.platform import chain_ops
from app.domain.platform.chain import DISTRIBUTOR_KEY, current_platform
from app.formatting import units
from app.tasks import chain as chain_tasks

log = logging.getLogger(__name__)

# Lines per `distribute` transaction: a first payment to a new wallet costs ~55k gas (the coin's balance slot,
# the contract's paid flag, the event), so 100 lines stay near 6M, well under a 30M block.
BATCH_SIZE = 100
MAX_UINT = 2**256 - 1
_DISTRIBUTE = "distribute(address,address,bytes32,address[],uint256[])"
_PAID = "paid(bytes32,address)"


HELD_FROZEN_AT_PAYMENT = "Wallet frozen at the payment date: held back, not paid while the wallet is frozen."


class PayoutRefused(ValueError):
    """The payout cannot start; the message says what to do (fund the treasury, wait for the payment date...)."""


@dataclass(frozen=True)
class Setup:
    coin: str
    decimals: int
    treasury: str
    distributor: str


# ---- pure parts -------------------------------------------------------------------------------------------------

def chain_key(distribution_id) -> str:
    """The bytes32 naming a distribution on chain: keccak of its id (fixed, so every retry uses the same key)."""
    return "0x" + keccak(text=str(distribution_id)).hex()


def batches(items: list, size: int = BATCH_SIZE) -> list[list]:
    if size < 1:
        raise ValueError("a batch holds at least one line")
    return [items[start:start + size] for start in range(0, len(items), size)]


def distribute_call(distributor: str, coin: str, source: str, key: str, wallets: list[str], units: list[int]) -> Call:
    """DividendDistributor.distribute, encoded with eth_abi (web3's formatters cost ms per hundred lines)."""
    types = ["address", "address", "bytes32", "address[]", "uint256[]"]
    data = function_signature_to_4byte_selector(_DISTRIBUTE) + encode(
        types, [coin, source, bytes.fromhex(key[2:]), wallets, units])
    return Call(to=distributor, data="0x" + data.hex(), label="DividendDistributor.distribute")


def held_reason(reason_hex: str | None) -> str:
    """The coin's refusal in words: its Error(string) message when it gave one."""
    raw = bytes.fromhex((reason_hex or "0x")[2:]) if isinstance(reason_hex, str) else bytes(reason_hex or b"")
    if raw[:4] == bytes.fromhex("08c379a0") and len(raw) >= 68:
        try:
            (message,) = decode(["string"], raw[4:])
        except Exception:  # noqa: BLE001 - an undecodable reason still holds the line
            message = ""
        if message:
            return f"The stablecoin refused the transfer to this wallet: {message}."
    return "The stablecoin refused the transfer to this wallet (it cannot receive)."


# ---- the payout -------------------------------------------------------------------------------------------------

def setup(config: dict) -> Setup:
    record = current_platform(config) or {}
    distributor = record.get(DISTRIBUTOR_KEY)
    if not distributor:
        raise PayoutRefused("No distribution contract on this chain yet: run `flask chain bootstrap`.")
    coin = stablecoin(config, record)
    return Setup(coin=Web3.to_checksum_address(coin["address"]), decimals=int(coin["decimals"]),
                 treasury=treasury(config), distributor=Web3.to_checksum_address(distributor))


def advance(config: dict, distribution_id, now: datetime | None = None) -> list[str]:
    """Move the payout on as far as it can go now; returns the chain jobs enqueued (see the module's doc)."""
    db = get_db(config)
    distribution_id = ObjectId(str(distribution_id))
    now = now or datetime.now(UTC)
    dist = distributions.by_id(db, distribution_id)
    if dist is None:
        raise LookupError(f"no distribution {distribution_id}")
    if dist.get("paymentMethod") != "stablecoin" or dist["status"] not in (rules.SNAPSHOTTED, rules.PAYING):
        return []
    if dist["status"] == rules.SNAPSHOTTED and now < _aware(dist["paymentDate"]):
        return []
    chain = setup(config)
    with locks.distribution(distribution_id, config):
        dist = distributions.by_id(db, distribution_id)
        if dist["status"] not in (rules.SNAPSHOTTED, rules.PAYING):
            return []
        key = chain_key(distribution_id)
        distribution_payouts.note_key(db, key, distribution_id)
        recorded = distribution_payouts.batches_of(db, distribution_id)
        lines = dividends.of_distribution(db, distribution_id)
        _settle_zero_lines(db, lines, now)
        _hold_frozen(db, dist, lines, recorded, now)
        fresh = _unbatched(lines, recorded)
        retries = _retry_lines(config, chain, key, recorded, {line["_id"]: line for line in lines})
        new = _new_batches(chain, distribution_id, key, len(recorded), fresh, retries)
        if new:
            _fund(config, db, chain, sum(u for b in new for u in b["units"]))
            distribution_payouts.insert_batches(db, new)
            _record_jobs(db, chain, new)
            for old, replacement in _superseding(recorded, new):
                distribution_payouts.supersede(db, old, replacement)
        recorded = distribution_payouts.batches_of(db, distribution_id)
        _record_jobs(db, chain, [b for b in recorded if not b.get("supersededBy")])  # repairs a crash before it
        declared = [line for line in lines if line["status"] == dividends.DECLARED]
        live = {pair for b in recorded if not b.get("supersededBy") for pair in repay_rules.batch_attempts(b).items()}
        marks_due = any((line["_id"], repay_rules.attempt(line)) in live for line in declared)
        if dist["status"] == rules.SNAPSHOTTED:
            distributions.transition(db, distribution_id, rules.SNAPSHOTTED,
                                     {"status": rules.PAYING, "payoutStartedAt": now, "payoutError": None})
        close_if_done(db, distribution_id, now)
    open_jobs = [b["_id"] for b in recorded if not b.get("supersededBy")
                 and (chain_jobs.get(db, b["_id"]) or {}).get("status") in chain_jobs.OPEN]
    chain_tasks.enqueue_many(config, open_jobs)
    if marks_due:  # bookkeeping after the jobs are on their way (late import: the tasks module imports this one)
        from app.tasks import distributions as distribution_tasks
        distribution_tasks.mark_scheduled.delay(str(distribution_id), config=config,
                                                description=f"payout lines of {distribution_id} scheduled")
    return open_jobs


def mark_scheduled(config: dict, distribution_id, now: datetime | None = None) -> int:
    """Lines of live batches still "declared" become "scheduled" (with their batch); returns how many moved.

    Run after the batches' jobs are enqueued, never before them: FerretDB v1 writes each updated document in its own
    transaction (~40 ms on this machine), so 1,000 lines take ~40 s, which is bookkeeping, not paying. The lock is
    taken per 100 lines, so chain-sync marking paid lines meanwhile waits seconds, not the whole run. A line paid
    meanwhile stays paid (the update is conditional on "declared", under the lock)."""
    db = get_db(config)
    distribution_id = ObjectId(str(distribution_id))
    now = now or datetime.now(UTC)
    moved = 0
    for batch in distribution_payouts.batches_of(db, distribution_id):
        if batch.get("supersededBy"):
            continue
        carried = repay_rules.batch_attempts(batch)
        for chunk in batches(batch["lineIds"]):
            with locks.distribution(distribution_id, config):
                # only the attempt this batch carries: a line put back to "declared" waits for its new batch
                waiting = [d["_id"] for d in dividends.with_status(db, chunk, (dividends.DECLARED,))
                           if repay_rules.attempt(d) == carried[d["_id"]]]
                moved += dividends.set_status(db, waiting, (dividends.DECLARED,),
                                              {"status": dividends.SCHEDULED, "payoutBatch": batch["_id"],
                                               "scheduledAt": now})
    return moved


def close_if_done(db, distribution_id, now: datetime | None = None) -> bool:
    """"paying" -> "paid" once every line is paid or held (the caller holds the distribution's lock)."""
    if dividends.count_open(db, distribution_id):
        return False
    return distributions.transition(db, distribution_id, rules.PAYING,
                                    {"status": rules.PAID, "paidAt": now or datetime.now(UTC)})


def refuse(config: dict, distribution_id, message: str) -> None:
    """Keep the reason a payout could not start on the distribution, for the staff page."""
    db = get_db(config)
    with locks.distribution(distribution_id, config):
        dist = distributions.by_id(db, distribution_id) or {}
        if dist.get("status") in (rules.SNAPSHOTTED, rules.PAYING):
            distributions.transition(db, distribution_id, dist["status"], {"payoutError": message})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _settle_zero_lines(db, lines: list[dict], now: datetime) -> None:
    """A line whose net is 0 (all of it withheld) has nothing to send: it is paid as it stands."""
    zero = [line["_id"] for line in lines if line["status"] == dividends.DECLARED and int(line["dividendAmount"]) <= 0]
    if zero:
        dividends.set_status(db, zero, (dividends.DECLARED,), {"status": dividends.PAID, "paidAt": now})
        for line in lines:
            if line["_id"] in zero:
                line["status"] = dividends.PAID


def _hold_frozen(db, dist: dict, lines: list[dict], recorded: list[dict], now: datetime) -> None:
    """G's frozen rule at payment time too: a wallet frozen on the offering's token since the snapshot is held back,
    not paid, while frozen (its line not in a batch yet; the holdings projection says who is frozen now)."""
    candidates = _unbatched(lines, recorded)
    if not candidates or not dist.get("tokenAddress"):
        return
    held = holdings.load(db, dist["tokenAddress"], [line["walletAddress"] for line in candidates])
    frozen = [line["_id"] for line in candidates if (held.get(line["walletAddress"]) or {}).get("isFrozen")]
    if frozen:
        dividends.set_status(db, frozen, (dividends.DECLARED,),
                             {"status": dividends.HELD, "heldReason": HELD_FROZEN_AT_PAYMENT, "heldAt": now})
        for line in lines:
            if line["_id"] in frozen:
                line["status"] = dividends.HELD


def _unbatched(lines: list[dict], recorded: list[dict]) -> list[dict]:
    """Declared lines no batch holds yet at their current attempt (a held or reorged line put back to "declared"
    is a new attempt: repay_rules), in wallet order."""
    in_batch = {pair for batch in recorded for pair in repay_rules.batch_attempts(batch).items()}
    return [line for line in lines if line["status"] == dividends.DECLARED
            and (line["_id"], repay_rules.attempt(line)) not in in_batch]


def _retry_lines(config: dict, chain: Setup, key: str, recorded: list[dict],
                 by_id: dict[str, dict]) -> list[tuple[str, list[dict]]]:
    """For each failed live batch: its lines still scheduled that the contract has not paid."""
    w3 = web3_client.get(config)
    db = get_db(config)
    retries = []
    for batch in recorded:
        if batch.get("supersededBy"):
            continue
        job = chain_jobs.get(db, batch["_id"])
        if not job or job["status"] != chain_jobs.FAILED:
            continue
        unpaid = [by_id[line_id] for line_id in batch["lineIds"]
                  if line_id in by_id and by_id[line_id]["status"] in (dividends.SCHEDULED, dividends.DECLARED)
                  and repay_rules.carries(batch, by_id[line_id])  # not a later attempt another batch carries
                  and not paid_on_chain(w3, chain.distributor, key, by_id[line_id]["walletAddress"])]
        log.warning("payout batch %s failed (%s): %d unpaid lines go to a new batch", batch["_id"], job.get("error"),
                    len(unpaid))
        retries.append((batch["_id"], unpaid))
    return retries


def _new_batches(chain: Setup, distribution_id, key: str, first_no: int, fresh: list[dict],
                 retries: list[tuple[str, list[dict]]]) -> list[dict]:
    groups = [(old, chunk) for old, lines in retries for chunk in (batches(lines) or [[]])]
    groups += [(None, chunk) for chunk in batches(fresh)]
    new = []
    for offset, (old, lines) in enumerate(groups):
        new.append({"_id": distribution_payouts.batch_id(distribution_id, first_no + offset),
                    "distributionId": distribution_id, "batchNo": first_no + offset, "chainKey": key,
                    "replaces": old, "lineIds": [line["_id"] for line in lines],
                    "attempts": [repay_rules.attempt(line) for line in lines],
                    "wallets": [Web3.to_checksum_address(line["walletAddress"]) for line in lines],
                    "units": [rules.stablecoin_units(int(line["dividendAmount"]), chain.decimals) for line in lines]})
    return new


def _superseding(recorded: list[dict], new: list[dict]) -> list[tuple[str, str]]:
    """(failed batch, its first replacement); a failed batch with nothing left unpaid gets an empty replacement."""
    firsts: dict[str, str] = {}
    for batch in new:
        if batch.get("replaces") and batch["replaces"] not in firsts:
            firsts[batch["replaces"]] = batch["_id"]
    return list(firsts.items())


def _record_jobs(db, chain: Setup, new: list[dict]) -> None:
    """Each batch's chain job under the batch's own id (already recorded ids keep their first record)."""
    records = [{"_id": b["_id"], "op": "distribute", "distributionId": b["distributionId"],
                "lineCount": len(b["lineIds"]),
                "call": chain_ops.stored_call(distribute_call(chain.distributor, chain.coin, chain.treasury,
                                                              b["chainKey"], b["wallets"], b["units"]))}
               for b in new if b["lineIds"]]
    if records:
        chain_jobs.create_many(db, records)


def _fund(config: dict, db, chain: Setup, needed: int) -> None:
    """Refuse before paying when the treasury cannot pay; approve the distributor once when the treasury is ours."""
    w3 = web3_client.get(config)
    balance = _erc20_read(w3, chain.coin, "balanceOf(address)", ["address"], [chain.treasury])
    if balance < needed:
        raise PayoutRefused(f"The treasury {chain.treasury} holds {units(balance, chain.decimals, exact=True)} of the "
                            f"stablecoin; this payout needs {units(needed, chain.decimals, exact=True)}. "
                            "Fund the treasury, then start the payout again.")
    allowance = _erc20_read(w3, chain.coin, "allowance(address,address)", ["address", "address"],
                            [chain.treasury, chain.distributor])
    if allowance >= needed:
        return
    hot = hot_wallet(config).account.address
    if hot != chain.treasury:
        raise PayoutRefused(f"The treasury {chain.treasury} has not approved the distribution contract "
                            f"{chain.distributor}: approve it once from the treasury, then start the payout again.")
    job_id = f"approveDistributor:{chain.coin}:{chain.distributor}:{allowance}"
    selector = function_signature_to_4byte_selector("approve(address,uint256)")
    data = selector + encode(["address", "uint256"], [chain.distributor, MAX_UINT])
    call = Call(to=chain.coin, data="0x" + data.hex(), label="Stablecoin.approve")
    chain_jobs.create(db, job_id, "approve", chain_ops.stored_call(call))
    job = chain_jobs_runner.execute(config, job_id)
    if job["status"] != chain_jobs.DONE:
        raise PayoutRefused(f"Approving the distribution contract failed: {job.get('error')}")


def paid_on_chain(w3, distributor: str, key: str, wallet: str) -> bool:
    return bool(_erc20_read(w3, distributor, _PAID, ["bytes32", "address"],
                            [bytes.fromhex(key[2:]), Web3.to_checksum_address(wallet)]))


def _erc20_read(w3, address: str, signature: str, types: list[str], args: list) -> int:
    data = function_signature_to_4byte_selector(signature) + encode(types, args)
    raw = w3.eth.call({"to": address, "data": "0x" + data.hex()})
    return int.from_bytes(bytes(raw)[:32], "big")
