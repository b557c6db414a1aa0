"""Changing a deployed offering's compliance limits (supply cap, most one investor may hold, investor cap, lock-up)
from the back office: read them from the chain, refuse what the token's state refuses (limits_rules), and send each
change as exactly-once chain jobs.

- A change is recorded under its natural key `compliance-limit:<offering>:<limit>:<n>` (app.data.
  compliance_limit_changes) with who, from what, to what and why, under the offering's lock and only while no change
  of the same limit is pending: a double click is told a change is on its way, nothing is sent twice.
- Its steps are chain jobs (app.domain.platform.chain_jobs): `addModule` first when the token's compliance has no
  such module yet (`<key>:bind`, only the supply cap can be added after the first mint), then
  `ModularCompliance.callModuleFunction(setter(value), module)` under the change's own key. The job `apply_change`
  (app/tasks/compliance_limits.py) drives them; run twice, it sends nothing twice.
- A change pending for longer than STALLED_AFTER whose RQ job is gone (Redis lost it, its worker was killed, its
  retries ran out) is enqueued again by the minute sweep (app/tasks/compliance_limits.py), once per claim.
- Only once the chain confirmed the setting are the offering's stored settings that orders and pages read updated
  (`maxInvestors`, `maxTokenHolding` and `tokenSupply` in whole tokens, `lockupSeconds` and, for whole months,
  `lockupMonths`), the change marked confirmed and the offering page's cache dropped (offering_changed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.compliance import MODULES
from app.chain.node import web3_client
from app.chain.revert import ChainRevert
from app.chain.tx import estimate_gas, function_call
from app.chain.wallet import hot_wallet
from app.data import chain_jobs, holdings, offerings
from app.data import compliance_limit_changes as changes_data
from app.data.mongo import get_db
from app.domain import errors
from app.domain.compliance import limits_rules as rules
from app.domain.offerings.review import offering_for_review
from app.domain.offerings.service import offering_changed
from app.domain.platform import audit
from app.domain.platform import chain_jobs as chain_runner
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call

log = logging.getLogger(__name__)
SET_OP, BIND_OP = "setComplianceLimit", "addComplianceModule"
SECONDS_PER_MONTH = 2_629_746  # as deployment converts lockupMonths (app.domain.offerings.deployment)
# A change is enqueued right after it is recorded and applied in seconds: one pending this long may have lost its job.
STALLED_AFTER = timedelta(minutes=2)


class LimitsInvalid(errors.Refused):
    """The form has errors (`errors` by field); nothing was recorded or sent."""

    def __init__(self, found: dict):
        super().__init__(" ".join(found.values()), next(iter(found)))
        self.errors = found


def not_deployed(offering: dict) -> str | None:
    """Why the offering has no limits on chain to change, in words; None when its token is deployed."""
    if offering.get("tokenAddress"):
        return None
    if offering.get("status") == "deploying":
        return "The token is being deployed; its limits can be changed once it is on the chain."
    return ("This offering's token is not deployed yet, so there are no limits on the chain to change. "
            "The limits it will be deployed with are the ones in the offering's details.")


class _Suite:
    """One token's compliance and modules on chain."""

    def __init__(self, config: dict, offering: dict):
        self.config, self.w3 = config, web3_client.get(config)
        self.platform = current_platform(config) or {}
        self.token = contract(self.w3, "Token", Web3.to_checksum_address(offering["tokenAddress"]))
        self.compliance = contract(self.w3, "ModularCompliance", self.token.functions.compliance().call())
        self.modules = {key: contract(self.w3, name, self.platform[key]) for key, name in MODULES.items()}

    def module(self, limit: rules.Limit):
        return self.modules[limit.module]

    def facts(self, token: str, limits: tuple[rules.Limit, ...]) -> rules.Facts:
        bound_modules = {key: self.compliance.functions.isModuleBound(module.address).call()
                         for key, module in self.modules.items()}
        bound = {limit.key: bound_modules[limit.module] for limit in limits}
        address = self.compliance.address
        current = {limit.key: self._allowed_mask(bound[limit.key]) if limit.kind == "countries" else
                   getattr(self.module(limit).functions, limit.getter)(*self._args(limit)).call() for limit in limits}
        cap = self.modules["investorCapModule"].functions
        per_country = {limit.key: cap.countryInvestorCount(address, limit.country).call()
                       for limit in limits if limit.country is not None}
        return rules.Facts(decimals=self.token.functions.decimals().call(),
                           total_supply=self.token.functions.totalSupply().call(),
                           investors=cap.investorCount(address).call(), current=current, bound=bound,
                           identity_balances=self._identity_balances(token, bound["maxBalance"]),
                           country_investors=per_country)

    def _allowed_mask(self, bound: bool) -> int:
        """The allowed countries, folded from the module's events for this compliance (it has no list getter);
        0 when the token has no country rule (every country allowed)."""
        if not bound:
            return 0
        module, allowed = self.modules["countryAllowModule"], set()
        logs = [*module.events.CountryAllowed().get_logs(from_block=0, argument_filters={
            "compliance": self.compliance.address}), *module.events.CountryDisallowed().get_logs(
            from_block=0, argument_filters={"compliance": self.compliance.address})]
        for log in sorted(logs, key=lambda found: (found["blockNumber"], found["logIndex"])):
            (allowed.add if log["event"] == "CountryAllowed" else allowed.discard)(log["args"]["country"])
        return rules.country_mask(allowed)

    def _args(self, limit: rules.Limit, *values) -> list:
        """A getter's (compliance first) or setter's arguments: a per-country limit names its country first."""
        head = [] if values else [self.compliance.address]
        return [*head, *([] if limit.country is None else [limit.country]), *values]

    def _identity_balances(self, token: str, ledger_bound: bool) -> list[int]:
        """Each holder identity's balance: the max-balance module's ledger (all of an identity's wallets together),
        or each wallet's balance where that module is not bound."""
        held = [h for h in holdings.for_token(get_db(self.config), token) if h.get("balance")]
        if not ledger_bound:
            return [h["balance"] for h in held]
        ledger, address = self.modules["maxBalanceModule"].functions, self.compliance.address
        identities = {ledger.identityOf(address, Web3.to_checksum_address(h["wallet"])).call() for h in held}
        return [ledger.identityBalance(address, identity).call() for identity in identities]

    def set_call(self, limit: rules.Limit, value: int, setter: str | None = None):
        args = [value] if setter else self._args(limit, value)
        data = self.module(limit).encode_abi(setter or limit.setter, args=args)
        return function_call(self.compliance, "callModuleFunction", data, self.module(limit).address)

    def steps(self, limit: rules.Limit, facts: rules.Facts, value: int) -> list[tuple[str, str, object]]:
        """(name, op, call) of each transaction a change takes, in order: binding the module when the compliance
        lacks it, then the setting; a country list is the countries added, then those removed."""
        bound = facts.bound[limit.key]
        steps = [] if bound else [("bind", BIND_OP, self.bind_call(limit))]
        if limit.kind != "countries":
            return [*steps, ("set", SET_OP, self.set_call(limit, value))]
        old = facts.current[limit.key] if bound else 0  # a module just bound allows nothing yet
        added, removed = rules.mask_countries(value & ~old), rules.mask_countries(old & ~value)
        if added:
            steps.append(("allow", SET_OP, self.set_call(limit, added, "allowCountries")))
        if removed:
            steps.append(("disallow", SET_OP, self.set_call(limit, removed, "disallowCountries")))
        return steps

    def bind_call(self, limit: rules.Limit):
        return function_call(self.compliance, "addModule", self.module(limit).address)

    def dry_run(self, call) -> str | None:
        """The contract's refusal of `call` from the owner, in words, without sending it."""
        try:
            estimate_gas(self.w3, hot_wallet(self.config).account.address, call)
        except ChainRevert as revert:
            return revert.reason
        return None


def page(actor: dict, offering_id: str) -> dict:
    """What the page shows: the limits as the chain has them now (or why there are none), and the history."""
    offering = offering_for_review(actor, offering_id)
    shown = {"offering": offering, "refusal": not_deployed(offering), "rows": [], "decimals": 0,
             "history": history(offering), "pending": bool(changes_data.pending_of(get_db(), offering["_id"]))}
    if shown["refusal"] is None:
        limits = _limits(offering)
        facts = _Suite(current_app.config, offering).facts(offering["tokenAddress"], limits)
        shown["decimals"] = facts.decimals
        shown["facts"] = facts
        shown["rows"] = [{"limit": limit, "value": rules.shown(limit, facts.current[limit.key], facts.decimals),
                          "bound": facts.bound[limit.key], "holders": facts.country_investors.get(limit.key)}
                         for limit in limits]
    return shown


def _limits(offering: dict) -> tuple[rules.Limit, ...]:
    return rules.limits_of((offering.get("projectDetails") or {}).get("authorizedCountries"))


def progress(actor: dict, offering_id: str) -> dict:
    """What the polling history fragment shows (no chain read: it runs every second while a change is pending)."""
    offering = offering_for_review(actor, offering_id)
    return {"history": history(offering), "pending": bool(changes_data.pending_of(get_db(), offering["_id"]))}


def history(offering: dict) -> list[dict]:
    """The offering's changes, newest first, with their values in words and their chain job's state."""
    rows = []
    for change in changes_data.of_offering(get_db(), offering["_id"]):
        limit, decimals = rules.limit_of(change["limit"]), change.get("decimals") or 0
        job = chain_jobs.get(get_db(), change["steps"][-1]["jobId"]) if change.get("steps") else None
        rows.append({**change, "label": limit.label, "old": rules.shown(limit, change["oldValue"], decimals),
                     "new": rules.shown(limit, change["newValue"], decimals),
                     "job": job and {"status": job["status"], "txHash": job.get("txHash"), "error": job.get("error")}})
    return rows


def request_change(actor: dict, offering_id: str, form) -> list[str]:
    """Record and enqueue a change of every limit typed in; returns the change ids. LimitsInvalid names each field
    refused (nothing is recorded then); errors.Refused when the token is not deployed."""
    offering = offering_for_review(actor, offering_id)
    if (why := not_deployed(offering)) is not None:
        raise errors.Refused(why)
    config = current_app.config
    suite = _Suite(config, offering)
    limits = _limits(offering)
    facts = suite.facts(offering["tokenAddress"], limits)
    values, found, reason = rules.parse(form, facts.decimals, limits)
    changed, refused = rules.changes(values, facts)
    found.update(refused)
    for key, value in changed.items():  # what only the module knows (a lock-up lengthened over sold tokens)
        calls = [call for _, _, call in suite.steps(rules.limit_of(key), facts, value)]
        for call in calls[:1] if not facts.bound[key] else calls:  # an unbound module's setting needs its binding
            if key not in found and (said := suite.dry_run(call)):
                found[key] = said
    if not found and not changed:
        found["form"] = "Nothing to change: type a new value in at least one limit (blank keeps a limit as it is)."
    if found:
        raise LimitsInvalid(found)
    with locks.offering(offering["_id"]):
        _none_pending(offering, changed)
        ids = [_record(actor, offering, suite, facts, key, value, reason) for key, value in changed.items()]
    from app.tasks import compliance_limits as tasks  # late: the task module imports this one
    for key in ids:
        tasks.enqueue(config, key)
    return ids


def _none_pending(offering: dict, changed: dict) -> None:
    """One pending change per limit (the caller holds the offering's lock): a second click is told, not sent."""
    busy = {change["limit"] for change in changes_data.pending_of(get_db(), offering["_id"])} & set(changed)
    if busy:
        raise LimitsInvalid({key: f"A change of the {rules.limit_of(key).label.lower()} is on its way to the chain "
                                  "already; wait until it is confirmed." for key in sorted(busy)})


def _record(actor: dict, offering: dict, suite: _Suite, facts: rules.Facts, key: str, value: int, reason: str) -> str:
    """One change under its natural key (the caller holds the offering's lock)."""
    db, limit = get_db(), rules.limit_of(key)
    change_id = changes_data.change_id(offering["_id"], key, changes_data.count_of(db, offering["_id"], key) + 1)
    planned = suite.steps(limit, facts, value)
    steps = [{"jobId": change_id if at == len(planned) - 1 else f"{change_id}:{name}", "op": op,
              "call": stored_call(call)} for at, (name, op, call) in enumerate(planned)]
    changes_data.insert(db, {
        "_id": change_id, "offeringId": offering["_id"], "limit": key, "module": suite.module(limit).address,
        "compliance": suite.compliance.address, "oldValue": facts.current[key], "newValue": value,
        "decimals": facts.decimals, "reason": reason, "byId": actor["_id"], "byEmail": actor.get("email"),
        "byName": actor.get("legalFullName") or actor.get("email"), "requestedAt": datetime.now(UTC),
        "steps": steps, "status": changes_data.PENDING})
    audit.record("offering.compliance_limit_requested", actor=actor, details={
        "offeringId": str(offering["_id"]), "changeId": change_id, "limit": key, "from": str(facts.current[key]),
        "to": str(value), "reason": reason})
    return change_id


def apply(config: dict, change_id: str) -> str | None:
    """Drive a change's chain jobs to their end, then (confirmed) update the stored settings; returns its status.
    Safe to run any number of times: each step is a recorded job, and a closed change is left as it is."""
    db = get_db(config)
    change = changes_data.get(db, change_id)
    if change is None or change["status"] != changes_data.PENDING:
        return change and change["status"]
    job = None
    for step in change["steps"]:
        chain_jobs.create(db, step["jobId"], step["op"], step["call"], target=step["call"]["to"],
                          offeringId=str(change["offeringId"]), complianceLimitChangeId=change_id)
        job = chain_runner.execute(config, step["jobId"])
        if job["status"] != chain_jobs.DONE:
            return _finish(config, change, changes_data.FAILED,
                           {"error": job.get("error") or f"chain job {step['jobId']} ended {job['status']}"})
    with locks.offering(change["offeringId"], config):
        offerings.set_fields(db, change["offeringId"], _settings(offerings.by_id(db, change["offeringId"]), change))
        return _finish(config, change, changes_data.CONFIRMED,
                       {"confirmedAt": datetime.now(UTC), "txHash": job["txHash"], "blockNumber": job["blockNumber"]})


def _settings(offering: dict, change: dict) -> dict:
    """The offering's stored settings matching the confirmed value (whole tokens where orders count whole tokens);
    the caller holds the offering's lock (a country's cap rewrites the whole map it read)."""
    key, value = change["limit"], change["newValue"]
    unit = 10 ** int(change.get("decimals") or 0)
    if key == "countries":
        stored = (offering.get("projectDetails") or {}).get("authorizedCountries") or []
        now = {rules.alpha_2(code) for code in rules.mask_countries(value)}
        return {"projectDetails.authorizedCountries": [c for c in stored if c in now] + sorted(now - set(stored))}
    if key.startswith(rules.COUNTRY_PREFIX):
        caps = dict((offering.get("projectDetails") or {}).get("maxInvestorsPerCountry") or {})
        country = key[len(rules.COUNTRY_PREFIX):]
        if value:
            caps[country] = value
        else:
            caps.pop(country, None)
        return {"projectDetails.maxInvestorsPerCountry": caps or None}
    if key == "investorCap":
        return {"projectDetails.maxInvestors": value or None}
    if key == "maxBalance":
        return {"projectDetails.maxTokenHolding": value // unit or None}
    if key == "supplyCap":  # no cap: the sale keeps the supply it offers
        return {"projectDetails.tokenSupply": value // unit} if value else {}
    months = {"projectDetails.lockupMonths": value // SECONDS_PER_MONTH} if value % SECONDS_PER_MONTH == 0 else {}
    return {"projectDetails.lockupSeconds": value, **months}


def _finish(config: dict, change: dict, status: str, fields: dict) -> str:
    db = get_db(config)
    if changes_data.finish(db, change["_id"], status, fields):
        audit.record(f"offering.compliance_limit_{status}", details={
            "offeringId": str(change["offeringId"]), "changeId": change["_id"], "limit": change["limit"],
            "from": str(change["oldValue"]), "to": str(change["newValue"]), "error": fields.get("error")})
        log.info("compliance limit change %s %s", change["_id"], status)
        if status == changes_data.CONFIRMED:
            offering_changed(str(change["offeringId"]))
    return changes_data.get(db, change["_id"])["status"]


def stalled(config: dict, now: datetime, stalled_after: timedelta = STALLED_AFTER) -> list[str]:
    """The changes the minute sweep (app.tasks.compliance_limits.sweep_changes) looks at: pending for longer than
    `stalled_after`; it enqueues those whose job is not queued, scheduled or running any more."""
    return changes_data.pending_since(get_db(config), now - stalled_after)


def requeue_pending(config: dict) -> list[str]:
    """Enqueue every change still pending (its job lost with Redis, or its worker killed); safe to repeat."""
    from app.tasks import compliance_limits as tasks  # late: the task module imports this one
    ids = changes_data.pending_ids(get_db(config))
    for key in ids:
        tasks.enqueue(config, key)
    return ids
