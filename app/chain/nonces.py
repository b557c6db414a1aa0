"""Nonce manager of the platform's hot wallet, shared by every process through Redis.

Why: several RQ workers send from the same key at once. Asking the node for the pending
count in each of them hands the same nonce to two senders; one transaction is then lost.
Here a Redis lock serialises reservations, and a counter in Redis remembers the next free
nonce across processes.

Crash safety:
- The counter never trusts itself over the node: when the node's pending count is ahead
  (Redis flushed, a restart, another tool sent from the key) the counter jumps to it.
- Every reserved nonce is leased. A process killed between reserving and broadcasting
  leaves a hole that would block every later transaction of the key. When a lease expires
  and the node still has no transaction at that nonce, the next reservation fills the hole
  with a zero-value self-transfer, so the queue behind it drains. A sender that was merely
  slow then finds its nonce taken ("nonce too low") and the exactly-once job layer signs
  again with a fresh nonce after checking that none of its own hashes was mined.
"""

from __future__ import annotations

import logging
import time

import redis
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import Web3RPCError

from app.chain.tx import fee_fields

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 10
SELF_TRANSFER_GAS = 21_000
# Node answers meaning "a transaction with this nonce already exists or was mined".
NONCE_TAKEN_MARKERS = ("nonce too low", "already known", "underpriced", "already imported")


def nonce_taken(error: Exception) -> bool:
    """True when the node refused a broadcast because the nonce is already used or pooled."""
    return any(marker in str(error).lower() for marker in NONCE_TAKEN_MARKERS)


class RedisNonces:
    """A NonceSource (app.chain.tx) for one hot wallet, correct across processes and restarts."""

    def __init__(self, client: redis.Redis, account: LocalAccount, *, chain_id: int, lease_seconds: float):
        self.client = client
        self.account = account
        self.lease_seconds = lease_seconds
        prefix = f"nonce:{chain_id}:{account.address}"
        self.counter_key, self.leases_key, self.lock_key = f"{prefix}:next", f"{prefix}:leases", f"{prefix}:lock"

    def reserve(self, w3: Web3, address: str, count: int) -> int:
        """First of `count` consecutive nonces nobody else holds; each is leased for `lease_seconds`."""
        if Web3.to_checksum_address(address) != self.account.address:
            raise ValueError(f"this nonce manager serves {self.account.address}, not {address}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self.client.lock(self.lock_key, timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S):
            pending = w3.eth.get_transaction_count(self.account.address, "pending")
            self._fill_expired_holes(w3, pending)
            stored = self.client.get(self.counter_key)
            first = max(pending, int(stored) if stored is not None else 0)
            expiry = time.time() + self.lease_seconds
            pipe = self.client.pipeline()
            pipe.set(self.counter_key, first + count)
            pipe.zadd(self.leases_key, {str(n): expiry for n in range(first, first + count)})
            pipe.execute()
        return first

    def fill_holes(self, w3: Web3) -> None:
        """Plug expired reservations the node never received; senders stuck behind a gap call this."""
        with self.client.lock(self.lock_key, timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S):
            self._fill_expired_holes(w3, w3.eth.get_transaction_count(self.account.address, "pending"))

    def resync(self, w3: Web3) -> int:
        """Forget the counter and leases and restart from the node's pending count (operator action)."""
        with self.client.lock(self.lock_key, timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S):
            pending = w3.eth.get_transaction_count(self.account.address, "pending")
            self.client.delete(self.leases_key)
            self.client.set(self.counter_key, pending)
        return pending

    def _fill_expired_holes(self, w3: Web3, pending: int) -> None:
        """Drop leases the node has caught up with; plug the expired ones it has not (see module doc)."""
        leased = [(int(member), score) for member, score in self.client.zrange(self.leases_key, 0, -1, withscores=True)]
        done = [n for n, _ in leased if n < pending]
        if done:
            self.client.zrem(self.leases_key, *[str(n) for n in done])
        now = time.time()
        for nonce in sorted(n for n, expiry in leased if n >= pending and expiry <= now):
            if self._send_filler(w3, nonce):
                self.client.zrem(self.leases_key, str(nonce))

    def _send_filler(self, w3: Web3, nonce: int) -> bool:
        """Broadcast a zero-value self-transfer at `nonce`; True when the nonce is now used."""
        tx = {"from": self.account.address, "to": self.account.address, "value": 0, "gas": SELF_TRANSFER_GAS,
              "nonce": nonce, "chainId": w3.eth.chain_id, **fee_fields(w3)}
        try:
            w3.eth.send_raw_transaction(self.account.sign_transaction(tx).raw_transaction)
        except (Web3RPCError, ValueError) as error:
            if nonce_taken(error):
                return True
            raise
        log.warning("nonce %d of %s was reserved but never sent (crashed sender?): filled with a self-transfer",
                    nonce, self.account.address)
        return True
