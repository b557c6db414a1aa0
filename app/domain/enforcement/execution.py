"""An approved enforcement case executed once on chain.

Each chain step is an exactly-once chain job (app.domain.platform.chain_jobs) under the natural key
`<op>:agentAction:<case id>:<attempt>`: running this again (a retried RQ job, a worker killed mid-way and
the case requeued, a second enqueue) finds each job recorded and sends nothing twice. The steps:
- pause / unpause / setAddressFrozen / freezePartialTokens / unfreezePartialTokens / burn / forcedTransfer:
  one agent call on the token;
- recovery: the new wallet made a management key of the investor's ONCHAINID (`addKey`, skipped when it is
  one already; the platform's hot wallet manages the identities it made), then the token's
  `recoveryAddress(lost, new, identity)`, which registers the new wallet, moves balance, frozen amount and
  frozen status, and removes the lost wallet from the registry.
The case turns `executing` before the first step and `executed` (tx hash and block) or `failed` (the
contract's reason; a retry is a new attempt) under its lock, from `executing` only.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.constants import ECDSA_KEY_TYPE, MANAGEMENT_KEY
from app.chain.identity import key_of
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import agent_actions, chain_jobs, offerings, user_details, whitelists
from app.data.mongo import get_db
from app.domain.enforcement import checks, rules
from app.domain.enforcement import mails as case_mails
from app.domain.platform import audit
from app.domain.platform import chain_jobs as chain_runner
from app.domain.platform.chain_ops import stored_call

log = logging.getLogger(__name__)
STALLED_AFTER = timedelta(minutes=10)  # an execution takes seconds; one quiet this long lost its worker
MAIL_GRACE = timedelta(minutes=2)  # the executing job asks for the mails right after; later means it stopped
MAIL_WITHIN = timedelta(days=1)


class StepFailed(RuntimeError):
    """A chain step ended failed: the case fails with the contract's reason."""


def execute(config: dict, case_id: str, now: datetime | None = None) -> str | None:
    """Drive a runnable case to executed or failed (a due time-locked one is released first); returns its state."""
    db = get_db(config)
    found = agent_actions.by_id(db, ObjectId(case_id))
    if found is None:
        return None
    if rules.is_due(found, now or datetime.now(UTC)):
        found = _move(config, found, rules.TIME_LOCKED, rules.APPROVED, {}, note="time lock ended")
    if found["state"] == rules.APPROVED:
        found = _move(config, found, rules.APPROVED, rules.EXECUTING, {"executingAt": datetime.now(UTC)})
    if found["state"] != rules.EXECUTING:
        if found["state"] == rules.EXECUTED and found.get("mailedAt") is None:  # a run stopped before the mails
            case_mails.tell_affected(config, found)
        return found["state"]
    offering = offerings.by_id(db, found["offeringId"]) or {}
    try:
        checks.deployed(offering)
        job = _run_steps(config, found, offering)
    except (StepFailed, checks.CaseRefused) as failure:
        return _finish(config, found, rules.FAILED, {"error": str(failure)})
    state = _finish(config, found, rules.EXECUTED, {"txHash": job.get("txHash"), "blockNumber": job.get("blockNumber"),
                                                    "executedAt": datetime.now(UTC), "error": None})
    if state == rules.EXECUTED:  # mined: now tell the people whose tokens it touched (once each, mailKeys)
        case_mails.tell_affected(config, agent_actions.by_id(db, found["_id"]))
    return state


def to_run(config: dict, now: datetime, stalled_after: timedelta = STALLED_AFTER) -> list[dict]:
    """What the minute sweep enqueues: time-locked cases now due, approved ones, executing ones quiet for
    `stalled_after` (their worker was killed), and executed ones whose mails were not all asked for (the worker
    stopped between the two; only within MAIL_WITHIN: cases executed longer ago stay quiet);
    running one twice is safe, so a case still running costs nothing."""
    db = get_db(config)
    found = agent_actions.in_states(db, (rules.APPROVED, rules.EXECUTING, rules.TIME_LOCKED))
    unmailed = agent_actions.executed_unmailed(db, now - MAIL_WITHIN, now - MAIL_GRACE)
    return [each for each in found if rules.is_due(each, now) or each["state"] == rules.APPROVED
            or (each["state"] == rules.EXECUTING and each.get("executingAt") is not None
                and each["executingAt"] <= now - stalled_after)] + unmailed


def lock_end(config: dict, case_id: str) -> datetime | None:
    """When a time-locked case may run (None when it is not time-locked)."""
    found = agent_actions.by_id(get_db(config), ObjectId(case_id))
    return found.get("executeAfter") if found and found["state"] == rules.TIME_LOCKED else None


def _move(config: dict, found: dict, from_state: str, to_state: str, changes: dict, note: str = "") -> dict:
    """One state step under the case's lock; returns the case as it is afterwards (whoever moved it)."""
    with locks.agent_action(found["_id"], config):
        agent_actions.transition(get_db(config), found["_id"], from_state, {"state": to_state, **changes}, note=note)
        return agent_actions.by_id(get_db(config), found["_id"])


def _run_steps(config: dict, found: dict, offering: dict) -> dict:
    w3 = web3_client.get(config)
    token = contract(w3, "Token", Web3.to_checksum_address(offering["tokenAddress"]))
    kind, params = found["kind"], found["params"]
    if kind == rules.RECOVERY:
        _add_management_key(config, found)
        _follow_whitelist(config, found)
        call = function_call(token, "recoveryAddress", params["wallet"], params["new_wallet"], params["identity"])
        return _run(config, found, "recoveryAddress", call)
    op, args = _TOKEN_CALLS[kind](params)
    return _run(config, found, op, function_call(token, op, *args))


_TOKEN_CALLS = {
    rules.PAUSE: lambda p: ("pause", ()),
    rules.UNPAUSE: lambda p: ("unpause", ()),
    rules.FREEZE_ADDRESS: lambda p: ("setAddressFrozen", (p["wallet"], True)),
    rules.UNFREEZE_ADDRESS: lambda p: ("setAddressFrozen", (p["wallet"], False)),
    rules.FREEZE_PARTIAL: lambda p: ("freezePartialTokens", (p["wallet"], p["amount"])),
    rules.UNFREEZE_PARTIAL: lambda p: ("unfreezePartialTokens", (p["wallet"], p["amount"])),
    rules.BURN: lambda p: ("burn", (p["wallet"], p["amount"])),
    rules.FORCED_TRANSFER: lambda p: ("forcedTransfer", (p["wallet"], p["to_wallet"], p["amount"])),
}


def _add_management_key(config: dict, found: dict) -> None:
    """The new wallet as a management key of the identity (Token.recoveryAddress checks it), once."""
    identity, new = found["params"]["identity"], found["params"]["new_wallet"]
    key_job = rules.chain_key(found["_id"], found.get("attempt", 1), "addKey")
    if chain_jobs.get(get_db(config), key_job) is None and checks.has_management_key(config, identity, new):
        return
    target = contract(web3_client.get(config), "Identity", identity)
    _run(config, found, "addKey", function_call(target, "addKey", key_of(new), MANAGEMENT_KEY, ECDSA_KEY_TYPE))


def _follow_whitelist(config: dict, found: dict) -> None:
    """The investor's whitelisting of the offering follows the wallet before the recovery is sent, as a transfer
    request's recovery does (app.domain.transfers.execution): chain-sync then matches the new wallet's
    IdentityRegistered and no longer the lost wallet's IdentityRemoved."""
    db = get_db(config)
    lost, new = found["params"]["wallet"], found["params"]["new_wallet"]
    owner = user_details.wallet_owner(db, lost)
    listed = whitelists.of_user(db, owner, found["offeringId"]) if owner else None
    if listed and listed.get("address") == lost:
        with locks.whitelist(listed["_id"], config):
            whitelists.set_fields(db, listed["_id"], {"address": new, "recoveredFrom": lost})


def _run(config: dict, found: dict, op: str, call) -> dict:
    """Record the step under its natural key and drive it to its end (a recorded, done job sends nothing)."""
    db = get_db(config)
    job_id = rules.chain_key(found["_id"], found.get("attempt", 1), op)
    chain_jobs.create(db, job_id, op, stored_call(call), agentActionId=str(found["_id"]))
    job_id = chain_jobs.latest_attempt(db, job_id)
    agent_actions.note(db, found["_id"], **{f"jobIds.{op}": job_id})
    job = chain_runner.execute(config, job_id)
    if job["status"] != chain_jobs.DONE:
        raise StepFailed(job.get("error") or f"chain job {job_id} ended {job['status']}")
    return job


def _finish(config: dict, found: dict, state: str, changes: dict) -> str:
    """executing -> executed | failed, once (a second run finds it closed and changes nothing)."""
    with locks.agent_action(found["_id"], config):
        moved = agent_actions.transition(get_db(config), found["_id"], rules.EXECUTING, {"state": state, **changes},
                                         note=changes.get("error") or "")
        current = agent_actions.by_id(get_db(config), found["_id"])
    if moved:
        audit.record(f"agent_action.{state}", details={
            "agentActionId": str(found["_id"]), "offeringId": str(found["offeringId"]), "kind": found["kind"],
            "txHash": changes.get("txHash"), "error": changes.get("error")})
        log.info("agent action %s %s", found["_id"], state)
    return current["state"]
