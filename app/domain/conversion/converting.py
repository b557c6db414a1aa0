"""A holder converts security tokens to the offering's ERC-20, or back, from the portfolio.

Why one chain job: the ERC-20 contract is the converter (contracts/src/conversion/ConvertibleERC20.sol), so both
legs (burn one token, mint the other) are one transaction: `convert:<offering>:<wallet>:<request key>` is an
exactly-once chain job, and a crash at any point (even SIGKILL between signing and broadcasting) resumes that
one transaction; nothing can be burnt without its mint. The request key comes with the form, so a double
submit finds the same job. Every refusal is checked here, against the chain, before the job is recorded; the
contract checks the pause, freezes and the free balance again, and the security token its identity registry.
"""

from __future__ import annotations

import re

from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.lockups import locked_balances, lockup_compliance
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import chain_jobs, converts, holdings, offerings, user_details
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.conversion import rules
from app.domain.errors import NotFound, Refused
from app.domain.platform import audit
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call
from app.tasks import chain as chain_tasks

OP = "convert"
_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
FUNCTIONS = {rules.TO_ERC20: "convert", rules.TO_SECURITY: "convertBack"}


def job_id(offering_id, wallet: str, request_key: str) -> str:
    return f"{OP}:{offering_id}:{wallet}:{request_key}"


def _offering(db, offering_id) -> dict:
    oid = parse_id(offering_id)
    doc = offerings.by_id(db, oid) if oid else None
    if doc is None or not doc.get("tokenAddress"):
        raise NotFound("No such offering.")
    return doc


def decimals_of(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)


def balances(config: dict, offering: dict, wallets: list[str]) -> list[dict]:
    """Per wallet of the investor: security tokens (balance, frozen) and ERC-20 balance, from chain-sync."""
    db = get_db(config)
    security = holdings.load(db, offering["tokenAddress"], wallets)
    erc20 = holdings.load(db, offering["erc20Address"], wallets) if offering.get("erc20Address") else {}
    rows = []
    for wallet in wallets:
        held, twin = security.get(wallet) or {}, erc20.get(wallet) or {}
        rows.append({"wallet": wallet, "balance": int(held.get("balance", 0)), "frozen": int(held.get("frozen", 0)),
                     "isFrozen": bool(held.get("isFrozen")), "erc20": int(twin.get("balance", 0))})
    return rows


def labels(config: dict, offering_id: str) -> dict:
    """Title, ticker and decimals of the offering (a conversion's status page, whatever is still held)."""
    offering = _offering(get_db(config), offering_id)
    details = offering.get("projectDetails") or {}
    return {"title": (offering.get("overview") or {}).get("title") or details.get("assetName"),
            "ticker": details.get("tokenTicker") or "", "decimals": decimals_of(offering)}


def page(config: dict, user: dict, offering_id: str) -> dict:
    """The offering, its state and the investor's balances in both tokens, and their recent conversions."""
    db = get_db(config)
    offering = _offering(db, offering_id)
    wallets = user_details.verified_wallets(db, user["_id"])
    rows = [r for r in balances(config, offering, wallets) if r["balance"] or r["erc20"] or r["frozen"]]
    if not rows:
        raise NotFound("No such holding.")
    details = offering.get("projectDetails") or {}
    return {"offering": offering, "title": (offering.get("overview") or {}).get("title") or details.get("assetName"),
            "ticker": details.get("tokenTicker") or "", "decimals": decimals_of(offering), "rows": rows,
            "enabled": bool(offering.get("iserc20")), "erc20": offering.get("erc20Address"),
            "jobs": chain_jobs_of(db, str(offering["_id"]), [r["wallet"] for r in rows])}


def chain_jobs_of(db, offering_id: str, wallets: list[str]) -> list[dict]:
    """This offering's conversions of these wallets, newest first (the chain job is the conversion's record)."""
    found = chain_jobs.of_op(db, OP, offeringId=offering_id)
    return sorted((j for j in found if j.get("wallet") in wallets), key=lambda j: j["createdAt"], reverse=True)


def _pending_units(db, offering_id: str, wallet: str) -> int:
    return sum(int(j["amount"]) for j in chain_jobs_of(db, offering_id, [wallet])
               if j["status"] in chain_jobs.OPEN and j.get("direction") == rules.TO_ERC20)


def convert(config: dict, user: dict, offering_id: str, form) -> str:
    """Check and record one conversion (`direction`, `wallet`, `quantity`, `request_key` from the form); returns
    the job id. Refused (field, reason) with nothing recorded when any rule says no."""
    db = get_db(config)
    offering = _offering(db, offering_id)
    direction = form.get("direction") or ""
    wallet = (form.get("wallet") or "").strip()
    request_key = form.get("request_key") or ""
    if wallet not in user_details.verified_wallets(db, user["_id"]):
        raise Refused("Choose one of your wallets.", "wallet")
    if not _KEY.fullmatch(request_key):
        raise Refused("This form is out of date; reload the page and try again.", "quantity")
    try:
        units = rules.parse_quantity(form.get("quantity"), decimals_of(offering))
    except ValueError as why:
        raise Refused(str(why), "quantity") from why
    key = job_id(offering["_id"], wallet, request_key)
    if chain_jobs.get(db, key):
        return key  # the same form sent twice: one conversion
    with locks.wallet(wallet, config):  # two conversions of one wallet at once must not both count the same tokens
        refusal = _refusal(config, offering, direction, wallet, units)
        if refusal:
            raise Refused(refusal, "quantity" if "more" in refusal else "")
        erc20 = contract(web3_client.get(config), "ConvertibleERC20", offering["erc20Address"])
        call = stored_call(function_call(erc20, FUNCTIONS[direction], Web3.to_checksum_address(wallet), units))
        chain_jobs.create(db, key, OP, call, target=offering["erc20Address"], offeringId=str(offering["_id"]),
                          wallet=wallet, userId=str(user["_id"]), direction=direction, amount=str(units))
    chain_tasks.enqueue(config, key)
    audit.record("conversion.requested", actor=user, details={"offeringId": str(offering["_id"]), "wallet": wallet,
                                                              "direction": direction, "amount": str(units)})
    return key


def _refusal(config: dict, offering: dict, direction: str, wallet: str, units: int) -> str | None:
    """The chain's view of this conversion, judged by rules.conversion_refusal."""
    if direction not in rules.DIRECTIONS or not offering.get("iserc20"):
        return rules.conversion_refusal(direction, enabled=bool(offering.get("iserc20")), paused=False,
                                        wallet_frozen=False, verified=True, units=units, available=0)
    w3 = web3_client.get(config)
    token = contract(w3, "Token", offering["tokenAddress"])
    fns = token.functions
    wallet = Web3.to_checksum_address(wallet)
    if direction == rules.TO_ERC20:
        compliance = lockup_compliance(w3, current_platform(config), offering["tokenAddress"])
        locked = locked_balances(w3, current_platform(config), compliance, [wallet])[wallet] if compliance else 0
        available = rules.available_to_convert(fns.balanceOf(wallet).call(), fns.getFrozenTokens(wallet).call(),
                                               locked, _pending_units(get_db(config), str(offering["_id"]), wallet))
        verified = True
    else:
        available = contract(w3, "ConvertibleERC20", offering["erc20Address"]).functions.balanceOf(wallet).call()
        registry = contract(w3, "IdentityRegistry", fns.identityRegistry().call())
        verified = registry.functions.isVerified(wallet).call()
    return rules.conversion_refusal(direction, enabled=True, paused=fns.paused().call(),
                                    wallet_frozen=fns.isFrozen(wallet).call(), verified=verified, units=units,
                                    available=available)


def erc20_holdings(config: dict, user_id) -> dict:
    """For the portfolio: the offerings whose conversion is enabled (ids) and this investor's ERC-20 balances."""
    db = get_db(config)
    records = converts.all_records(db)
    if not records:
        return {"enabled": set(), "rows": []}
    by_erc20 = {r["erc20Address"]: r for r in records}
    held = [h for h in holdings.of_wallets(db, user_details.verified_wallets(db, user_id))
            if h["token"] in by_erc20 and int(h["balance"]) > 0]
    rows = []
    for doc in held:
        offering = offerings.by_id(db, by_erc20[doc["token"]]["offeringId"]) or {}
        details = offering.get("projectDetails") or {}
        rows.append({"offering_id": str(offering.get("_id", "")), "erc20": doc["token"], "wallet": doc["wallet"],
                     "balance": int(doc["balance"]), "decimals": int(details.get("tokenDecimals") or 0),
                     "title": (offering.get("overview") or {}).get("title") or details.get("assetName") or "",
                     "ticker": (details.get("tokenTicker") or "") + "20"})
    return {"enabled": {str(r["offeringId"]) for r in records}, "rows": rows}


def status(config: dict, user: dict, key: str) -> dict:
    """One conversion of this investor (404 for anyone else's)."""
    job = chain_jobs.get(get_db(config), key)
    if job is None or job.get("op") != OP or job.get("userId") != str(user["_id"]):
        raise NotFound("No such conversion.")
    return job
