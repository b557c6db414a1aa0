"""The mails people wait on between two steps: an order placed (how to pay), their own cancellation, a KYC
decision, an offering going live. Each goes through the outbox once per event (the `key`), whoever calls it
again: a retried request, a job run twice, chain-sync replaying a log.

The state change happens first in the caller; these only tell the person, with what they need to act.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.data import offerings, users
from app.data.mongo import get_db
from app.domain.platform.notifications import send_email
from app.formatting import units


def _link(path: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"


def order_placed(config, user: dict, order: dict) -> None:
    """The order and exactly how to pay it: the bank transfer's details and reference, or the stablecoin transfer."""
    context = {"reference": order["paymentReference"], "offering_title": order.get("offeringTitle") or "an offering",
               "tokens": order.get("tokens"), "ticker": order.get("tokenTicker") or "", "total": order["totalAmount"],
               "deadline": order["orderReceived"] + timedelta(hours=config["ORDER_PAYMENT_WINDOW_HOURS"]),
               "order_url": _link(f"/orders/{order['_id']}"), "method": order["paymentMethod"]}
    if order["paymentMethod"] == "crypto":
        context["crypto"] = {"amount": units(int(order["paymentDue"]), int(order["paymentDecimals"]), exact=True),
                             "token": order["paymentToken"], "to": order["paymentAddress"],
                             "wallet": order.get("walletAddress")}
    else:
        context["bank"] = {"name": config["BANK_ACCOUNT_NAME"], "bank": config["BANK_NAME"],
                           "iban": config["BANK_IBAN"], "bic": config["BANK_BIC"]}
    send_email(user["email"], f"Libertum: Your order {order['paymentReference']}: how to pay", "order_placed",
               context, user["_id"], key=f"order-placed:{order['_id']}")


def order_cancelled_by_investor(order: dict) -> None:
    """Confirms the investor's own cancellation (staff's and the expiry's have their own mails)."""
    investor = users.by_id(get_db(), order["userId"])
    if not investor or not investor.get("email"):
        return
    send_email(investor["email"], "Libertum: You cancelled your order", "order_cancelled_by_you",
               {"reference": order["paymentReference"], "offering_title": order.get("offeringTitle") or "an offering",
                "marketplace_url": _link("/offerings")}, investor["_id"], key=f"order-cancelled:{order['_id']}")


def kyc_decided(user: dict, decision: str, reason: str, event: str) -> None:
    """Approved (what opens now), rejected or changes requested (the reason, and where to act). `event` tells one
    decision from the next (a resubmission is decided again): the decision's time or the provider's event id."""
    if not user.get("email"):
        return
    subjects = {"approve": "Your identity is verified", "reject": "Your identity verification was not approved",
                "changes": "Your identity verification needs changes"}
    send_email(user["email"], f"Libertum: {subjects[decision]}", "kyc_decision",
               {"decision": decision, "reason": reason, "raise_capital": user.get("signupGoal") == "raise",
                "onboarding_url": _link("/onboarding/"), "marketplace_url": _link("/offerings"),
                "issuer_url": _link("/onboarding/issuer")}, user["_id"], key=f"kyc-decided:{user['_id']}:{event}")


def offering_live(offering_id) -> None:
    """The issuer's offering is deployed and listed: investors can find it and ask to be whitelisted."""
    offering = offerings.by_id(get_db(), offering_id) or {}
    issuer = users.by_id(get_db(), offering.get("createdBy")) if offering.get("createdBy") else None
    if not issuer or not issuer.get("email"):
        return
    title = (offering.get("overview") or {}).get("title") or "Your offering"
    send_email(issuer["email"], f"Libertum: {title} is live", "offering_live",
               {"offering_title": title, "token": offering.get("tokenAddress"),
                "public_url": _link(f"/offerings/{offering['_id']}"),
                "dashboard_url": _link(f"/issuer/offerings/{offering['_id']}/dashboard")},
               issuer["_id"], key=f"offering-live:{offering['_id']}")
