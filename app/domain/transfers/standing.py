"""Gathers the facts `transferability` judges (app.domain.transfers.transferability) for an investor's holdings:
the projections chain-sync keeps (holdings, chainTokens, identityRegistrations), the offering, the investor's
KYC, and the lock-up lots read from the chain's lock-up module at read time.

Why the chain for lock-ups: no event says when a lot unlocks, the module computes it. A page must not fail
because the node is slow or away: then the lock-up is unknown and no lock-up reason is given (the transfer page
and the token itself still check it before anything moves).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from web3.exceptions import Web3Exception

from app.chain.compliance import locked_lots
from app.chain.lockups import lockup_compliance
from app.chain.node import web3_client
from app.data import chain_tokens, holdings, registrations
from app.domain.platform.chain import current_platform
from app.domain.transfers.transferability import Reason, movable, transferability

log = logging.getLogger(__name__)
KYC_BLOCKED = ("expired", "revoked", "rejected")


@dataclass(frozen=True)
class Standing:
    can_move: bool
    reasons: list[Reason]
    movable: int  # base units that can move now, all the investor's wallets together


def _lots(config: dict, token: str, wallets: list[str]) -> dict[str, list] | None:
    """{wallet: [(amount, release)]} of the token's lock-up, or None when unknown (no module, node unreachable)."""
    try:
        w3 = web3_client.get(config)
        platform = current_platform(config)
        compliance = lockup_compliance(w3, platform, token)
        if compliance is None:
            return {w: [] for w in wallets}
        return {w: locked_lots(w3, platform, compliance, w) for w in wallets}
    except (OSError, ValueError, Web3Exception) as error:  # the page shows what it knows; the chain re-checks
        log.warning("lock-up of %s not read: %s", token, error)
        return None


def holding_facts(config: dict, db, holding: dict, offering: dict, user: dict | None,
                  lots: dict[str, list] | None) -> dict:
    """The holding enriched with what transferability reads beyond the projection (absent: unknown)."""
    enriched = dict(holding)
    registry = offering.get("identityRegistry")
    if registry:
        found = registrations.load(db, registry, [holding["wallet"]]).get(holding["wallet"])
        if found is not None:
            enriched["registered"] = bool(found.get("registered"))
    if user is not None and user.get("kycStatus") in KYC_BLOCKED:
        enriched["verified"] = False
    if lots is not None:
        enriched["lockedLots"] = lots.get(holding["wallet"], [])
    return enriched


def of_holdings(config: dict, db, held: list[dict], offerings_by_token: dict[str, dict], user: dict | None,
                now: datetime) -> dict[str, Standing]:
    """Per token: whether the investor's tokens can move (any wallet), why not, and how many can."""
    by_token: dict[str, list[dict]] = {}
    for holding in held:
        if int(holding.get("balance") or 0) > 0 and holding["token"] in offerings_by_token:
            by_token.setdefault(holding["token"], []).append(holding)
    found: dict[str, Standing] = {}
    for token, wallets in by_token.items():
        offering, state = offerings_by_token[token], chain_tokens.load(db, token)
        lots = _lots(config, token, [h["wallet"] for h in wallets])
        can, reasons, amount = False, [], 0
        for holding in wallets:
            facts = holding_facts(config, db, holding, offering, user, lots)
            wallet_can, wallet_reasons = transferability(facts, state, offering, now)
            can = can or wallet_can
            amount += movable(facts, state, offering, now)
            reasons += [r for r in wallet_reasons if r.text not in {x.text for x in reasons}]
        found[token] = Standing(can, reasons, amount)
    return found


def for_offering(config: dict, db, offering: dict, user: dict | None, wallets: list[str],
                 now: datetime) -> dict:
    """The offering page's lines: whether its token moves at all (`token`: words for everyone) and, for an
    investor holding it, their own Standing (`mine`)."""
    token = offering.get("tokenAddress")
    decimals = int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)
    if not token:
        return {"token": None, "mine": None, "decimals": decimals}
    state = chain_tokens.load(db, token)
    if state is None or state.get("paused", True):
        can, reasons = transferability({"balance": 1}, state, offering, now)
        words = reasons[0].text if not can and reasons else ""
    else:
        words = "The token is open: holders can transfer it to other verified investors."
    held = [h for h in holdings_of(db, token, wallets) if int(h.get("balance") or 0) > 0]
    mine = of_holdings(config, db, held, {token: offering}, user, now).get(token) if held else None
    return {"token": words, "mine": mine, "decimals": decimals}


def holdings_of(db, token: str, wallets: list[str]) -> list[dict]:
    return list(holdings.load(db, token, wallets).values()) if wallets else []
