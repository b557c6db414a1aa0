"""Agent operations as exactly-once chain jobs: identity registration (batched), burn, freezes, pause, recovery.

Why thin: each request becomes one recorded call under a natural key chosen by the caller
(a whitelist id, a transfer request id, ...), so a double click or a retried request finds
the existing job instead of sending a second transaction. The contract's refusal, if any,
is stored on the job as an admin-readable message (see app.chain.revert).
"""

from __future__ import annotations

from collections.abc import Sequence

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.identity import REGISTRATION_OPS, check_registration
from app.chain.node import web3_client
from app.chain.tx import Call, function_call
from app.data import chain_jobs
from app.data.mongo import get_db
from app.domain.platform.chain import current_platform
from app.tasks import chain as chain_tasks

# op -> (artifact of the target contract, function)
OPS = {
    "mint": ("Token", "mint"),
    "batchMint": ("Token", "batchMint"),
    "burn": ("Token", "burn"),
    "forcedTransfer": ("Token", "forcedTransfer"),
    "setAddressFrozen": ("Token", "setAddressFrozen"),
    "freezePartialTokens": ("Token", "freezePartialTokens"),
    "unfreezePartialTokens": ("Token", "unfreezePartialTokens"),
    "pause": ("Token", "pause"),
    "unpause": ("Token", "unpause"),
    "recoveryAddress": ("Token", "recoveryAddress"),
    "registerIdentity": ("IdentityRegistry", "registerIdentity"),
    "batchRegisterIdentity": ("IdentityRegistry", "batchRegisterIdentity"),
    "deleteIdentity": ("IdentityRegistry", "deleteIdentity"),
}


def stored_call(call: Call) -> dict:
    """A Call as kept in `chainJobs` (value as a string: uint256 exceeds BSON's int64)."""
    return {"to": call.to, "data": call.data, "label": call.label, "value": str(call.value)}


def submit(config: dict, op: str, natural_id: str, target: str, *args, **refs) -> str:
    """Record `op(*args)` on `target` under `op:natural_id` and enqueue it; returns the job id."""
    if op not in OPS:
        raise ValueError(f"unknown chain operation {op!r}; one of {', '.join(sorted(OPS))}")
    artifact, fn_name = OPS[op]
    w3 = web3_client.get(config)
    if op in REGISTRATION_OPS:  # factory-made identities only
        check_registration(w3, current_platform(config), op, args)
    bound = contract(w3, artifact, Web3.to_checksum_address(target))
    job_id = f"{op}:{natural_id}"
    chain_jobs.create(get_db(config), job_id, op, stored_call(function_call(bound, fn_name, *args)), target=target,
                      **refs)
    chain_tasks.enqueue(config, job_id)
    return job_id


def register_identities(config: dict, natural_id: str, registry: str, wallets: Sequence[str],
                        identities: Sequence[str], countries: Sequence[int]) -> str:
    """Admit several wallets to an offering's identity registry in one transaction (whitelist approvals)."""
    if not len(wallets) == len(identities) == len(countries) > 0:
        raise ValueError("wallets, identities and countries must be non-empty and of the same length")
    return submit(config, "batchRegisterIdentity", natural_id, registry,
                  [Web3.to_checksum_address(w) for w in wallets], [Web3.to_checksum_address(i) for i in identities],
                  list(countries))


def job_status(config: dict, job_id: str) -> dict | None:
    """What an admin page shows: status, the mined tx hash, and the contract's refusal if any."""
    job = chain_jobs.get(get_db(config), job_id)
    if job is None:
        return None
    return {"id": job_id, "status": job["status"], "txHash": job.get("txHash"), "error": job.get("error")}


def requeue_open(config: dict) -> list[str]:
    """Enqueue every job not yet done or failed (after an outage or killed workers); safe to repeat."""
    ids = chain_jobs.open_ids(get_db(config))
    for job_id in ids:
        chain_tasks.enqueue(config, job_id)
    return ids
