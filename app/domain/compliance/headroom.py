"""Compliance headroom of an offering, for its issuer and staff (the same access as the issuer dashboard):
investors overall and per country against the caps, the largest holders against the max balance, supply left,
the lock-up release calendar (tokens unlocking per month) and holders whose KYC ends within 90 days.
Holdings come from the dashboard's cap table (chain-sync's read model); caps, counters and lock-up lots are
read from the chain now."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pycountry
from flask import current_app
from web3.exceptions import Web3Exception

from app.chain.compliance import locked_lots
from app.chain.node import web3_client
from app.data import user_details, users
from app.data.mongo import get_db
from app.domain.compliance import facts, rekyc
from app.domain.issuer_dashboard import service as dashboards
from app.domain.platform.chain import current_platform

log = logging.getLogger(__name__)
LARGEST = 10
KYC_HORIZON = timedelta(days=90)


def _numeric(alpha2: str) -> int | None:
    country = pycountry.countries.get(alpha_2=str(alpha2 or "").upper())
    return int(country.numeric) if country else None


def headroom(actor: dict, offering_id: str, now: datetime | None = None) -> dict:
    """Everything the headroom page shows, as plain data (NoSuchOffering for anyone but its issuer and staff)."""
    offering = dashboards.viewable(actor, offering_id)
    now = now or datetime.now(UTC)
    rows, _supply, _lockup = dashboards.cap_table(offering)
    holders = sorted((r for r in rows if r.balance), key=lambda r: r.balance, reverse=True)
    board = {"offering": offering, "title": dashboards.title_of(offering), "decimals": dashboards.decimals_of(offering),
             "chain": None, "kyc_ending": _kyc_ending(holders, now)}
    if offering.get("tokenAddress"):
        try:
            board["chain"] = _chain(offering, holders)
        except (Web3Exception, OSError, ValueError) as failure:
            log.warning("headroom of %s not read from the chain: %s", offering["_id"], failure)
    return board


def _chain(offering: dict, holders: list) -> dict:
    config = current_app.config
    w3, platform = web3_client.get(config), current_platform(config)
    reader = facts.Reader(w3, platform, offering["tokenAddress"])
    codes = {c: _numeric(c) for c in (offering.get("projectDetails") or {}).get("authorizedCountries") or []}
    suite = reader.suite({n for n in codes.values() if n})
    countries = [{"code": code, "investors": suite.country_investors.get(n, 0), "cap": suite.country_caps.get(n, 0)}
                 for code, n in codes.items() if n]
    largest = [{"row": r, "room": (suite.max_balance - r.balance) if suite.max_balance else None}
               for r in holders[:LARGEST]]
    calendar: dict[str, int] = defaultdict(int)
    for row in holders:
        for amount, release in locked_lots(w3, platform, reader.compliance, row.wallet):
            calendar[datetime.fromtimestamp(release, UTC).strftime("%Y-%m")] += amount
    return {"suite": suite, "countries": countries, "largest": largest, "calendar": sorted(calendar.items()),
            "supply_left": (suite.supply_cap - suite.total_supply) if suite.supply_cap else None}


def _kyc_ending(holders: list, now: datetime) -> list[dict]:
    """Holders whose KYC validity ends within KYC_HORIZON (already lapsed ones too: they are blocked)."""
    db, config, seen, ending = get_db(), current_app.config, set(), []
    for row in holders:
        owner = user_details.wallet_owner(db, row.wallet)
        if owner is None or owner in seen:
            continue
        seen.add(owner)
        user = users.by_id(db, owner) or {}
        until = rekyc.valid_until(config, db, user)
        if user.get("kycStatus") == "expired" or (until and until <= now + KYC_HORIZON):
            ending.append({"row": row, "until": until, "status": user.get("kycStatus")})
    return ending
