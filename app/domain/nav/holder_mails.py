"""Holders of an offering hear once of each approved NAV (one mail per person, whatever the number of their
wallets or the times the job runs: mail key `nav-approved:<proposal>:<user>`)."""

from __future__ import annotations

from flask import current_app

from app.data import holdings, nav_history, offerings, user_details, users
from app.data.mongo import get_db
from app.domain.nav import rules
from app.domain.platform.notifications import send_email


def link(path: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"


def holders(db, token: str) -> list:
    """User ids of the people whose wallets hold (or have frozen) tokens of `token`, each once."""
    owners = []
    for holding in holdings.for_token(db, token):
        if int(holding.get("balance") or 0) > 0:
            owner = user_details.wallet_owner(db, holding["wallet"])
            if owner is not None and owner not in owners:
                owners.append(owner)
    return owners


def mail_holders(proposal_id) -> int:
    """Mail every holder of the approved proposal's offering; returns how many people were mailed (or were
    already). Safe to run twice: each mail is keyed by the proposal and the person."""
    db = get_db()
    proposal = nav_history.by_id(db, proposal_id)
    if proposal is None or proposal["status"] != nav_history.APPROVED:
        return 0
    offering = offerings.by_id(db, proposal["offeringId"]) or {}
    if not offering.get("tokenAddress"):
        return 0
    title = (offering.get("overview") or {}).get("title") or "An offering you hold"
    context = {"offering_title": title, "nav": proposal["navPerToken"], "previous": proposal.get("previousNav") or 0,
               "change": rules.change_text(rules.change_bps(int(proposal.get("previousNav") or 0),
                                                          proposal["navPerToken"])),
               "effective": proposal["effectiveDate"], "valuer": proposal["valuer"],
               "method": rules.method_label(proposal["method"], proposal.get("methodOther", "")),
               "offering_url": link(f"/offerings/{offering['_id']}"), "portfolio_url": link("/portfolio/")}
    mailed = 0
    for user_id in holders(db, offering["tokenAddress"]):
        person = users.by_id(db, user_id) or {}
        if person.get("email"):
            send_email(person["email"], f"Libertum: new NAV for {title}", "nav_approved", context, user_id,
                       key=f"nav-approved:{proposal['_id']}:{user_id}")
            mailed += 1
    return mailed
