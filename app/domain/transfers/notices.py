"""Mail to the investor when their transfer request is rejected, completed or fails (once per outcome)."""

from __future__ import annotations

from app.data import users
from app.data.mongo import get_db
from app.domain.platform import notifications
from app.domain.transfers import rules

SUBJECTS = {rules.REJECTED: "Your transfer request was not approved",
            rules.COMPLETED: "Your holdings were moved to your wallet",
            rules.FAILED: "Your transfer request could not be executed"}


def tell_investor(config: dict, request: dict, status: str, reason: str = "") -> None:
    investor = users.by_id(get_db(config), request["userId"])
    if investor is None or status not in SUBJECTS:
        return
    context = {"decision": SUBJECTS[status], "security": request.get("securityName") or "your holding",
               "reason": reason, "wallet": request.get("newWalletAddress") if status == rules.COMPLETED else "",
               "link": config["PUBLIC_URL"].rstrip("/") + "/onboarding/wallets/held"}
    notifications.send_email(investor["email"], f"{SUBJECTS[status]}: {context['security']}", "transfer_decision",
                             context, investor["_id"], key=f"transfer-{status}:{request['_id']}")
