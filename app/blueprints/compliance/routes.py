"""Compliance pages for investors: "Can I invest?" on the offering page and the order form (a template global),
the transfer verdict page: pick one of your wallets, a recipient wallet and an amount, read every rule; and the
compliance headroom of an offering for its issuer and staff."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from web3 import Web3

from app.access import access, current_user_doc
from app.chain.node import web3_client
from app.data import offerings, user_details
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.accounts.permissions import INVESTORS, SIGNED_IN
from app.domain.compliance import checklist, facts, headroom, investing
from app.domain.compliance.kyc_validity import EXPIRED
from app.domain.orders.rules import unit
from app.domain.platform.chain import current_platform

bp = Blueprint("compliance", __name__, template_folder="templates")


@bp.app_template_global("can_i_invest")
def can_i_invest(offering_id: str):
    """The signed-in investor's checklist for the offering (None for a visitor)."""
    return investing.for_offering(current_app.config, current_user_doc(), offering_id)


@bp.app_template_global("kyc_notice")
def kyc_notice() -> str:
    """The in-app re-KYC warning for the signed-in user (set by the daily sweep), or nothing."""
    user = current_user_doc()
    if not user:
        return ""
    if user.get("kycStatus") == EXPIRED:
        return "Your identity verification expired: until it is renewed you cannot order or transfer tokens."
    until = user.get("kycValidUntil")
    if user.get("kycWarningDays") and hasattr(until, "strftime"):
        return f"Your identity verification is valid until {until:%d %b %Y}: renew it before then to keep investing."
    return ""


def _transfer_form(user: dict, args) -> tuple[dict, list[str]]:
    """The form's values and what is wrong with them (an investor can act on each message)."""
    db = get_db()
    wallets = user_details.verified_wallets(db, user["_id"])
    form = {"offering": args.get("offering", ""), "sender": args.get("sender", ""),
            "recipient": args.get("recipient", "").strip(), "amount": args.get("amount", "").strip(),
            "wallets": wallets}
    oid = parse_id(form["offering"])
    form["offering_doc"] = offerings.by_id(db, oid) if oid else None
    problems = []
    if not form["offering_doc"] or not form["offering_doc"].get("tokenAddress"):
        problems.append("Choose an offering whose token is deployed.")
    if form["sender"] not in wallets:
        problems.append("Choose one of your verified wallets to send from.")
    if not Web3.is_address(form["recipient"]):
        problems.append("Enter the recipient's wallet address: 0x followed by 40 hexadecimal characters.")
    if not form["amount"].isdigit() or len(form["amount"]) > 30:
        problems.append("Enter a whole number of tokens, such as 25.")
    return form, problems


@bp.get("/transfers/check")
@access(INVESTORS)
def check_transfer():
    """The verdict of a transfer (nothing is sent: transfers themselves are requested elsewhere)."""
    user = current_user_doc()
    form, problems = _transfer_form(user, request.args)
    rules = None
    if request.args and not problems:
        config, offering = current_app.config, form["offering_doc"]
        rules = facts.transfer_checklist(config, web3_client.get(config), current_platform(config),
                                         offering["tokenAddress"], form["sender"], form["recipient"],
                                         int(form["amount"]) * unit(offering))
    choices = offerings.listed_cards(get_db())
    return render_template("compliance/transfer_check.html", form=form, problems=problems if request.args else [],
                           rules=rules, allowed=rules is not None and checklist.allowed(rules), choices=choices)


@bp.get("/issuer/offerings/<offering_id>/headroom")
@access(SIGNED_IN)
def show_headroom(offering_id: str):
    """The offering's compliance headroom for its issuer or staff (others: the 404 of an unknown offering)."""
    return render_template("compliance/headroom.html", board=headroom.headroom(current_user_doc(), offering_id))
