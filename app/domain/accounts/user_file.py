"""A user's whole file for staff, on one page: profile, KYC/KYB data, wallets and identities, whitelisting
requests, orders, holdings on chain, transfer requests and the audit entries about the account.

Who: admins and sub-admins holding `users`. Identity numbers (nationalIdNumber, socialSecurityNumber) are
shown as the KYC review shows them (app.domain.onboarding.sensitive): in clear only to staff who also hold
`kyc`, masked to everyone else. Secrets (password hash, 2FA secret and recovery codes) are never read.
Opening the file writes nothing (a GET never changes state; the KYC documents' downloads are audited).
"""

from __future__ import annotations

from flask import current_app

from app.data import audit_logs, holdings, offerings, orders, transfer_requests, user_details, users, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.onboarding import kyc_rules, sensitive
from app.domain.onboarding.revocation import REVOKED
from app.domain.portfolio import rules as portfolio_rules

SECRETS = ("password", "twoFASecret", "twoFARecoveryCodes")


def user_file(actor: dict, user_id: str) -> dict:
    if not has_permission(actor, "users"):
        raise errors.NotAllowed("a user's file needs the users permission")
    oid = parse_id(user_id)
    db = get_db()
    user = users.by_id(db, oid) if oid else None
    if user is None:
        raise errors.NotFound("no such user")
    user = {k: v for k, v in user.items() if k not in SECRETS}
    clear = has_permission(actor, "kyc")
    details = sensitive.reveal_fields(current_app.config["DATA_ENCRYPTION_KEY"],
                                      user_details.get(db, oid) or {}, clear=clear)
    wallets = [w for w in details.get("wallets") or [] if isinstance(w, dict)]
    addresses = [w["address"] for w in wallets if w.get("address")]
    placed = sorted(orders.of_user(db, oid), key=lambda o: o["_id"], reverse=True)
    requests = whitelists.all_of_user(db, oid)
    positions = holdings.of_wallets(db, addresses)
    titles, decimals = _titles(db, requests, positions)
    return {"user": user, "details": {k: v for k, v in details.items() if k != "wallets"}, "wallets": wallets,
            "numbers_in_clear": clear, "whitelists": requests, "orders": placed,
            "holdings": positions, "titles": titles, "decimals": decimals,
            "transfers": transfer_requests.of_user(db, oid), "audit": audit_logs.of_account(db, str(oid)),
            "can_revoke": clear and user.get("kycStatus") == kyc_rules.APPROVED,
            "revoked": user.get("kycStatus") == REVOKED}


def _titles(db, requests: list[dict], positions: list[dict]) -> tuple[dict, dict]:
    """Offering titles by offering id and by token address, for the whitelists and holdings tables, and
    each token's decimals by address, so balances show as tokens, not base units."""
    found = offerings.by_tokens_or_ids(db, sorted({p["token"] for p in positions if p.get("token")}),
                                       sorted({r["offeringId"] for r in requests if r.get("offeringId")}))
    titles, decimals = {}, {}
    for offering in found:
        title = (offering.get("overview") or {}).get("title") or "Untitled"
        titles[str(offering["_id"])] = title
        if offering.get("tokenAddress"):
            titles[offering["tokenAddress"].lower()] = title
            decimals[offering["tokenAddress"].lower()] = portfolio_rules.decimals_of(offering)
    return titles, decimals
