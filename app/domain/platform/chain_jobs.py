"""Exactly-once execution of a recorded chain job (app.data.chain_jobs), from any worker, any number of times.

The rules, in the order `execute` applies them:
1. A closed job (done or failed) returns at once.
2. Any transaction recorded for the job that has a receipt decides the outcome: status 1
   is done, status 0 is failed with the decoded reason. Nothing is sent again.
3. A recorded transaction the node still holds is waited for; if it stays unmined for
   CHAIN_STUCK_SECONDS it is replaced: same nonce, fees bumped (recorded before broadcast).
4. A recorded transaction the node does not know (the worker died before or during the
   broadcast, or the node restarted) is broadcast again, byte for byte, while its nonce is
   still free. If the nonce went to another transaction (the nonce manager filled the hole)
   and none of ours was mined, the call was never executed: it is signed again.
5. Otherwise the call is gas-estimated (a revert fails the job with its reason, sending
   nothing), a nonce is reserved, and the signed transaction is recorded, then broadcast.

Killing the worker between any two of these steps leaves a record from which the next run
reaches the same outcome, and at most one of the job's transactions can ever be mined
because they all share a nonce or the earlier one's nonce was provably consumed.

One worker at a time: the job's lease is a Redis key taken with SET NX PX (app.locks.Lease),
renewed and released only by its owner, and renewed right before each signed transaction
is recorded and broadcast. It cannot live in the job document: two `find_one_and_update`s on
one document can both pass their condition (app/locks.py); with eight workers on one
job several took that lease, and only the owner check in the later `add_tx` (a conditional
update with the same flaw) stood between them and a second mint. The owner and end of the
lease are also written on the job for display; a new holder that finds another owner's
recorded lease still running (Redis lost the key: restarted or flushed) waits for it to end.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime

from app.chain.broadcast import broadcast, is_known, receipt_of, replacement_fees, sign
from app.chain.revert import ChainRevert
from app.chain.tx import Call, fee_fields, measure_gas, mined_revert_reason
from app.chain.wallet import HotWallet, hot_wallet
from app.data import chain_jobs, mint_txs
from app.data.mongo import get_db
from app.locks import Lease

log = logging.getLogger(__name__)

POLL_S = 0.02  # receipts are read raw (app.chain.broadcast.receipt_of): cheap to poll
LEASE_WAIT_POLL_S = 0.25
FILLED_GRACE_S = 2


class LeaseLost(RuntimeError):
    """Another worker took this job over (ours stalled past the lease); we stop without sending."""


def execute(config: dict, job_id: str) -> dict:
    """Drive the job to done or failed; returns its final record. Safe to call again at any time."""
    db = get_db(config)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = Lease(config, f"chain-job:{job_id}")
    job = _acquire(db, lease, job_id, owner, config["CHAIN_JOB_LEASE_SECONDS"])
    if job["status"] in (chain_jobs.DONE, chain_jobs.FAILED):
        return job
    try:
        _Runner(db, hot_wallet(config), job, owner, lease, config).run()
    except LeaseLost:
        raise  # the job is another worker's now: write nothing more to it
    except Exception:
        chain_jobs.clear_lease(db, job_id, owner)  # a retry need not wait for the recorded lease to end
        raise
    finally:
        lease.release(owner)
    return chain_jobs.get(db, job_id)


def _acquire(db, lease: Lease, job_id: str, owner: str, lease_seconds: float) -> dict:
    """The job with our lease, or the closed job; waits while a live worker holds it."""
    deadline = time.monotonic() + lease_seconds * 2 + 5
    while True:
        taken = lease.take(owner, lease_seconds)
        current = chain_jobs.get(db, job_id)  # read under the lease when taken: the last holder's writes are in
        if current is None:
            if taken:
                lease.release(owner)
            raise LookupError(f"no chain job {job_id!r}")
        is_open = current["status"] in chain_jobs.OPEN
        if taken and is_open and not _held_elsewhere(current, owner):
            return chain_jobs.record_lease(db, job_id, owner, lease_seconds)
        if taken:
            lease.release(owner)
        if not is_open:
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"chain job {job_id!r} stayed held by {lease.owner() or current.get('leaseOwner')}")
        time.sleep(LEASE_WAIT_POLL_S)


def _held_elsewhere(job: dict, owner: str) -> bool:
    """Another owner's lease recorded on the job has not ended (its Redis key was lost, not released)."""
    until = job.get("leaseUntil")
    return job.get("leaseOwner") not in (None, owner) and until is not None and until > datetime.now(UTC)


class _Runner:
    def __init__(self, db, wallet: HotWallet, job: dict, owner: str, lease: Lease, config: dict):
        self.db, self.wallet, self.job, self.owner, self.lease = db, wallet, job, owner, lease
        self.w3 = wallet.w3
        self.lease_s = config["CHAIN_JOB_LEASE_SECONDS"]
        self.stuck_s = config["CHAIN_STUCK_SECONDS"]
        stored = job["call"]
        self.call = Call(to=stored.get("to"), data=stored["data"], label=stored["label"],
                         value=int(stored.get("value", "0")))

    def run(self) -> None:
        while True:
            if self.job["status"] == chain_jobs.FAILED or self._settled():
                return
            txs = self.job["txs"]
            if not txs:
                self._send_new()
                continue
            latest = txs[-1]
            if is_known(self.w3, latest["hash"]):
                self._wait_or_replace(latest)
            elif self.w3.eth.get_transaction_count(self.wallet.account.address) <= latest["nonce"]:
                if not broadcast(self.w3, latest["raw"]):
                    time.sleep(POLL_S)  # its nonce is pooled by another tx (a hole filler): wait for it to mine
            elif not self._settled():
                log.warning("job %s: nonce %d went to another transaction; signing again", self.job["_id"],
                            latest["nonce"])
                self._send_new()

    def _settled(self) -> bool:
        """Finish the job if one of its transactions is mined; True when it is closed."""
        for tx in self.job["txs"]:
            receipt = receipt_of(self.w3, tx["hash"])
            if receipt is None:
                continue
            fields = {"txHash": tx["hash"], "blockNumber": receipt["blockNumber"], "gasUsed": receipt["gasUsed"]}
            if receipt["status"] == 1:
                chain_jobs.finish(self.db, self.job["_id"], chain_jobs.DONE, **fields)
            else:
                replay = {"from": self.wallet.account.address, "to": self.call.to, "data": self.call.data,
                          "value": self.call.value, "gas": tx["gas"]}
                reason = mined_revert_reason(self.w3, replay, receipt)
                chain_jobs.finish(self.db, self.job["_id"], chain_jobs.FAILED, **fields,
                                  error=str(ChainRevert(reason, label=self.call.label)))
            return True
        return False

    def _send_new(self) -> None:
        try:
            gas = measure_gas(self.w3, self.wallet.account.address, self.call)
        except ChainRevert as revert:
            log.warning("job %s refused before sending: %s", self.job["_id"], revert)
            chain_jobs.finish(self.db, self.job["_id"], chain_jobs.FAILED, error=str(revert))
            self.job["status"] = chain_jobs.FAILED
            return
        nonce = self.wallet.nonces.reserve(self.w3, self.wallet.account.address, 1)
        signed = sign(self.wallet.account, self.call, chain_id=self.w3.eth.chain_id, nonce=nonce, gas=gas,
                      fees=fee_fields(self.w3))
        self._record_and_broadcast(signed)

    def _record_and_broadcast(self, signed) -> None:
        tx = {"nonce": signed.nonce, "hash": signed.tx_hash, "raw": signed.raw, "gas": signed.gas,
              "fees": {k: str(v) for k, v in signed.fees.items()}}
        self._keep_lease(record=False)  # the last check before the transaction can leave this process
        order_ids = self.job.get("orderIds") or ([self.job["orderId"]] if self.job.get("orderId") else [])
        if order_ids:  # before the job record: chain-sync must find the orders of any mined hash (mint or freeze)
            mint_txs.note(self.db, signed.tx_hash, self.job["_id"], order_ids)
        if not chain_jobs.add_tx(self.db, self.job["_id"], self.owner, tx, self.lease_s):
            raise LeaseLost(f"chain job {self.job['_id']} was taken over by another worker")
        self.job["txs"].append(tx)
        broadcast(self.w3, signed.raw)

    def _keep_lease(self, record: bool = True) -> None:
        """Extend our lease for another CHAIN_JOB_LEASE_SECONDS, or stop: another worker may be driving the job.

        `record=False` when the next write (add_tx) records the new lease end itself."""
        if not self.lease.renew(self.owner, self.lease_s):
            raise LeaseLost(f"chain job {self.job['_id']}: lease expired or taken over by another worker")
        if record:
            chain_jobs.renew(self.db, self.job["_id"], self.owner, self.lease_s)

    def _wait_or_replace(self, latest: dict) -> None:
        """Poll for a receipt, renewing the lease; past CHAIN_STUCK_SECONDS replace the tx with bumped fees."""
        started = _signed_age(latest)
        renewed = time.monotonic()
        while time.monotonic() - started < self.stuck_s:
            if receipt_of(self.w3, latest["hash"]) is not None:
                return
            if time.monotonic() - renewed > self.lease_s / 3:
                self._keep_lease()
                renewed = time.monotonic()
            time.sleep(POLL_S)
        # A lower nonce whose sender died after reserving it blocks ours: plug it, then give ours a moment.
        self.wallet.nonces.fill_holes(self.w3)
        if _poll_receipt(self.w3, latest["hash"], FILLED_GRACE_S):
            return
        fees = replacement_fees(self.w3, {k: int(v) for k, v in latest["fees"].items()})
        log.warning("job %s: tx %s unmined after %.0f s; replacing with fees %s", self.job["_id"], latest["hash"],
                    self.stuck_s, fees)
        self._record_and_broadcast(sign(self.wallet.account, self.call, chain_id=self.w3.eth.chain_id,
                                        nonce=latest["nonce"], gas=latest["gas"], fees=fees))


def _poll_receipt(w3, tx_hash: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if receipt_of(w3, tx_hash) is not None:
            return True
        time.sleep(POLL_S)
    return False


def _signed_age(tx: dict) -> float:
    """The monotonic-clock instant matching when `tx` was signed (its record's timestamp)."""
    signed_at = tx.get("signedAt")
    if signed_at is None:
        return time.monotonic()
    return time.monotonic() - max(0.0, (datetime.now(UTC) - signed_at).total_seconds())
