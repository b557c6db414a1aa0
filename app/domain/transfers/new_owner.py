"""An investor asks to register a new owner of (part of) a holding: an inheritance, a private sale.

The form takes the new owner's registered name, email and wallet; it checks only what the investor may know
(the shape of each, the quantity against what can move now, not to their own wallet), so it never tells
whether someone is registered. Before approval (`approval_check`, called by review.py) the platform checks the
new owner: an approved investor under that email, that wallet proven by them, their identity verified and
their whitelisting for the offering approved on that wallet; until then approval is refused with the reason
and the request waits. Executed as a forced transfer (execution.py), to the new owner's registered wallet.
"""

from __future__ import annotations

from web3 import Web3

from app.data import transfer_requests, user_details, users, whitelists
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.service import email_problem
from app.domain.compliance import facts
from app.domain.platform import audit
from app.domain.transfers import notices, rules, saved


class NewOwnerRefused(errors.Refused):
    """The request cannot be made as asked (the reason is shown next to the form)."""


def request_new_owner(config: dict, user: dict, form: dict, ip: str | None = None) -> dict:
    """Open a new-owner request from {position, quantity, newName, newEmail, newWallet, reason}. Raises
    NewOwnerRefused with the field at fault."""
    chosen = next((p for p in saved.positions(config, user) if p["key"] == str(form.get("position") or "")), None)
    if chosen is None:
        raise NewOwnerRefused("Choose one of the holdings in your wallets.", "position")
    try:
        quantity = rules.parse_quantity(form.get("quantity"), chosen["decimals"])
    except ValueError as error:
        raise NewOwnerRefused(str(error), "quantity") from None
    try:
        note = rules.clean_remark(form.get("reason"), required=False)
    except ValueError as error:
        raise NewOwnerRefused(str(error), "reason") from None
    name = " ".join(str(form.get("newName") or "").split())
    if not name or len(name) > rules.MAX_NAME:
        raise NewOwnerRefused(f"Enter the new owner's registered name (at most {rules.MAX_NAME} characters).",
                              "newName")
    email = str(form.get("newEmail") or "").strip().lower()
    problem = email_problem(email) if email else "Enter the new owner's registered email address."
    if problem:
        raise NewOwnerRefused(problem, "newEmail")
    typed = str(form.get("newWallet") or "").strip()
    if not Web3.is_address(typed):
        raise NewOwnerRefused("Enter the new owner's wallet address: 0x followed by 40 hexadecimal characters.",
                              "newWallet")
    wallet = Web3.to_checksum_address(typed)
    mine = {w["address"] for w in user_details.wallets_of(get_db(config), user["_id"])}
    if wallet in mine or email == str(user.get("email") or "").lower():
        raise NewOwnerRefused("This is you: a new owner is someone else. To move a holding to another wallet of "
                              "yours, use the recovery form.", "newWallet")
    free, _paused = saved.movable(config, chosen["offering"]["tokenAddress"], chosen["wallet"])
    refusal = rules.quantity_refusal(quantity, free)
    if refusal:
        raise NewOwnerRefused(refusal, "quantity")
    doc = rules.new_owner_doc(user, chosen["offering"], chosen["wallet"], quantity,
                              {"name": name, "email": email, "wallet": wallet}, note)
    request = transfer_requests.insert_open(get_db(config), doc)
    audit.record("transfer.requested", actor=user, ip=ip, details={
        "kind": rules.NEW_OWNER, "offeringId": str(chosen["offering"]["_id"]), "walletAddress": chosen["wallet"],
        "newWalletAddress": wallet, "tokenQuantity": str(quantity)})
    notices.request_waiting(config, request)
    return request


def approval_check(config: dict, request: dict) -> tuple[dict | None, str | None]:
    """(the new owner's user, None) when they may receive the holding now, else (None, why not) for staff."""
    db = get_db(config)
    owner = users.by_email(db, request.get("newRegisteredEmailId") or "")
    if owner is None or owner.get("userType") != "investor":
        return None, "No investor account has the new owner's email: they must sign up and verify their identity."
    if not facts.user_kyc(config, owner)[0]:
        return None, "The new owner's identity is not verified (KYC not approved): approve it first."
    wallet = request["newWalletAddress"]
    if wallet not in user_details.verified_wallets(db, owner["_id"]):
        return None, f"The new owner has not proven the wallet {wallet} by signature."
    listed = whitelists.of_user(db, owner["_id"], request["offeringId"])
    if not listed or listed.get("status") != whitelists.APPROVED or listed.get("address") != wallet:
        return None, "The new owner is not whitelisted for this offering on that wallet yet."
    return owner, None
