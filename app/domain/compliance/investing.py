"""Can I invest?: the checklist of an investor and an offering. The platform's rules use the code placement
refuses with (the KYC standing, the whitelist, order_rules.check_window); the chain's are the mint checklist
(app.domain.compliance.checklist) read for the investor's whitelisted wallet and one token."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from web3.exceptions import Web3Exception

from app.chain.node import web3_client
from app.data import offerings, users, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.compliance import checklist, facts
from app.domain.orders import rules as order_rules
from app.domain.platform.chain import current_platform

log = logging.getLogger(__name__)


def for_offering(config: dict, user: dict | None, offering_id: str) -> list[checklist.Rule] | None:
    """Every rule for `user` ordering from the offering, or None (a visitor, an unknown offering)."""
    db, oid = get_db(config), parse_id(offering_id)
    offering = offerings.by_id(db, oid) if oid else None
    if user is None or offering is None:
        return None
    user, now = users.by_id(db, user["_id"]) or user, datetime.now(UTC)
    valid, reason = facts.user_kyc(config, user, now)
    rules = [checklist.Rule("kyc", "Your identity verification is current", valid, reason,
                            "" if valid else "Verify (or renew) your identity from the Onboarding page.", False)]
    try:
        order_rules.check_window(offering, now)
        rules.append(checklist.Rule("dates", "The offering is open for orders", True, on_chain=False))
    except order_rules.Refusal as refusal:
        rules.append(checklist.Rule("dates", "The offering is open for orders", False, str(refusal),
                                    "Come back while the offering is open.", False))
    wl = whitelists.of_user(db, user["_id"], offering["_id"]) or {}
    listed = wl.get("status") == whitelists.APPROVED
    rules.append(checklist.Rule("whitelisted", "You are whitelisted for this offering", listed, "",
                                "" if listed else "Request whitelisting for this offering and sign its agreement.",
                                False))
    if listed and offering.get("tokenAddress"):
        rules += _chain_rules(config, offering, wl["address"], (valid, reason))
    return rules


def _chain_rules(config: dict, offering: dict, wallet: str, kyc: tuple) -> list[checklist.Rule]:
    """The mint checklist of one token to the whitelisted wallet; a rule saying so when the chain cannot be read."""
    platform = current_platform(config)
    try:
        reader = facts.Reader(web3_client.get(config), platform, offering["tokenAddress"])
        party = reader.party(wallet, kyc)
        rules = checklist.mint(reader.suite({party.country}), party, order_rules.unit(offering))
    except (Web3Exception, OSError, KeyError, TypeError) as error:
        log.warning("checklist: the chain could not be read for %s: %s", offering["_id"], error)
        return [checklist.Rule("chain", "The token's rules could be read", False, "",
                               "Try again in a minute; if it persists, contact support.")]
    return [r for r in rules if r.key not in ("kyc", "amount")]
