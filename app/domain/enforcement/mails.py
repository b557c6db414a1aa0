"""The people an executed enforcement case touched hear what happened to their tokens, once.

Sent by the execution (execution.execute) once the case is `executed`, i.e. its chain transaction is mined,
never when it is filed or approved. Who: the owner (an account that proved the wallet) of the frozen, unfrozen
or burned wallet; the sender and the recipient of a forced transfer; the investor of a recovery; every holder
of a paused or unpaused token. A wallet no account proved gets nothing. The reason staff typed is labelled
"kept on the case file" on the form, so it is internal and never mailed; each mail says who to ask instead.

Each mail has the key `agent-action:<case>:<role>:<user>` (app/data/mail_keys.py): the execution job run twice,
a worker killed between the mails, the sweep running the case again, all leave one mail per person and role.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app

from app.data import agent_actions, holdings, user_details, users
from app.data.mongo import get_db
from app.domain.enforcement import rules
from app.domain.platform.notifications import send_email
from app.formatting import tokens

log = logging.getLogger(__name__)

# kind -> (template, what the mail says happened: a flag the template reads)
_TEMPLATES = {rules.FREEZE_ADDRESS: ("wallet_frozen", True), rules.UNFREEZE_ADDRESS: ("wallet_frozen", False),
              rules.FREEZE_PARTIAL: ("tokens_frozen", True), rules.UNFREEZE_PARTIAL: ("tokens_frozen", False),
              rules.PAUSE: ("token_paused", True), rules.UNPAUSE: ("token_paused", False),
              rules.BURN: ("tokens_burned", True), rules.FORCED_TRANSFER: ("forced_transfer", True),
              rules.RECOVERY: ("wallet_recovered", True)}


def tell_affected(config: dict, case: dict) -> int:
    """Mail everyone the executed `case` touched (once each: safe to repeat); returns how many mails it asked for,
    then notes `mailedAt` on the case so the sweep stops offering it."""
    if case.get("state") != rules.EXECUTED:
        return 0
    template, flag = _TEMPLATES[case["kind"]]
    db = get_db(config)
    title = case.get("offeringTitle") or "your holding"
    params, decimals = case.get("params") or {}, int(case.get("tokenDecimals") or 0)
    base = {"offering_title": title, "flag": flag, "amount": params.get("amount") or 0, "decimals": decimals,
            "portfolio_url": _link("/portfolio/")}
    sent = 0
    for role, user_id, context in _recipients(db, case):
        person = users.by_id(db, user_id) or {}
        if not person.get("email"):
            continue
        full = {**base, **context}
        send_email(person["email"], f"Libertum: {_subject(case['kind'], title, full)}", template, full, user_id,
                   key=f"agent-action:{case['_id']}:{role}:{user_id}")
        sent += 1
    agent_actions.note(db, case["_id"], mailedAt=datetime.now(UTC), mailedCount=sent)
    log.info("agent action %s: %d affected people mailed", case["_id"], sent)
    return sent


def _recipients(db, case: dict) -> list[tuple[str, object, dict]]:
    """(role, user id, context) for each person to tell, each person once per role."""
    kind, params = case["kind"], case.get("params") or {}
    if kind in (rules.PAUSE, rules.UNPAUSE):
        wallets = [h["wallet"] for h in holdings.for_token(db, case["tokenAddress"])
                   if int(h.get("balance") or 0) > 0 or int(h.get("frozen") or 0) > 0]
        owners = dict.fromkeys(user_details.owners_of(db, wallets).values())  # each person once, in order
        return [("holder", owner, {}) for owner in owners]
    if kind == rules.RECOVERY:  # the investor proved the new wallet; the lost one is theirs too
        owner = user_details.wallet_owner(db, params["new_wallet"]) or user_details.wallet_owner(db, params["wallet"])
        return [("investor", owner, {"wallet": params["new_wallet"], "lost": params["wallet"]})] if owner else []
    found = []
    sender = user_details.wallet_owner(db, params["wallet"])
    if sender is not None:
        found.append(("holder", sender, {"wallet": params["wallet"], "other": params.get("to_wallet"),
                                         "received": False}))
    if kind == rules.FORCED_TRANSFER:
        recipient = user_details.wallet_owner(db, params["to_wallet"])
        if recipient is not None:
            found.append(("recipient", recipient, {"wallet": params["to_wallet"], "other": params["wallet"],
                                                   "received": True}))
    return found


def _subject(kind: str, title: str, context: dict) -> str:
    amount = tokens(context["amount"], context["decimals"])
    return {rules.FREEZE_ADDRESS: f"Your wallet was frozen for {title}",
            rules.UNFREEZE_ADDRESS: f"Your wallet was unfrozen for {title}",
            rules.FREEZE_PARTIAL: f"{title}: {amount} frozen in your wallet",
            rules.UNFREEZE_PARTIAL: f"{title}: {amount} unfrozen in your wallet",
            rules.PAUSE: f"Transfers of {title} are paused",
            rules.UNPAUSE: f"Transfers of {title} are open again",
            rules.BURN: f"{title}: {amount} burned from your wallet",
            rules.FORCED_TRANSFER: f"{title}: {amount} moved " + ("to your wallet" if context.get("received")
                                                                 else "out of your wallet"),
            rules.RECOVERY: f"Your {title} holding was recovered to your new wallet"}[kind]


def _link(path: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"
