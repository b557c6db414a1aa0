"""Mail about transfer requests, once per stage (notifications.send_email's key, app/data/mail_keys.py).

- the investor whose tokens move: their request rejected, completed or failed;
- saved transfers (SaveTransferRequet): the recipient when one is saved for them or withdrawn, the sender when
  the recipient confirms or declines, the recipient again when the tokens arrive.
"""

from __future__ import annotations

from app.data import users
from app.data.mongo import get_db
from app.domain.platform import notifications
from app.domain.transfers import rules

SUBJECTS = {rules.REJECTED: "Your transfer request was not approved",
            rules.COMPLETED: "Your holdings were moved to your wallet",
            rules.FAILED: "Your transfer request could not be executed"}
COMPLETED_BY_KIND = {rules.HOLDER_TO_HOLDER: "Your transfer to another investor was completed",
                     rules.NEW_OWNER: "Your holding was transferred to its new owner"}
# saved-transfer stage -> (who is told: the seed field of their id, subject)
SAVED_STAGES = {rules.AWAITING: ("toUserId", "An investor wants to transfer tokens to you"),
                rules.WITHDRAWN: ("toUserId", "A transfer to you was withdrawn"),
                rules.CONFIRMED: ("fromUserId", "Your transfer was confirmed by its recipient"),
                rules.DECLINED: ("fromUserId", "Your transfer was declined by its recipient")}
RECEIVED = "Tokens were transferred to you"
RECIPIENT_SUBJECTS = {rules.COMPLETED: RECEIVED, rules.REJECTED: "A transfer to you was not approved"}
REQUESTS_PAGE = "/account/transfers/"


def _link(config: dict, request: dict) -> str:
    path = "/onboarding/wallets/held" if request.get("kind", rules.CUSTODY_EXIT) == rules.CUSTODY_EXIT \
        else REQUESTS_PAGE
    return config["PUBLIC_URL"].rstrip("/") + path


def tell_investor(config: dict, request: dict, status: str, reason: str = "") -> None:
    investor = users.by_id(get_db(config), request["userId"])
    if investor is None or status not in SUBJECTS:
        return
    subject = COMPLETED_BY_KIND.get(request.get("kind"), SUBJECTS[status]) if status == rules.COMPLETED \
        else SUBJECTS[status]
    context = {"decision": subject, "security": request.get("securityName") or "your holding",
               "reason": reason, "wallet": request.get("newWalletAddress") if status == rules.COMPLETED else "",
               "link": _link(config, request)}
    notifications.send_email(investor["email"], f"{subject}: {context['security']}", "transfer_decision",
                             context, investor["_id"], key=f"transfer-{status}:{request['_id']}")
    if status in RECIPIENT_SUBJECTS and request.get("toUserId"):
        _tell_recipient(config, request, status, reason)


def _tell_recipient(config: dict, request: dict, status: str, reason: str) -> None:
    """The receiving investor: the tokens arrived, or the transfer they confirmed was not approved."""
    recipient = users.by_id(get_db(config), request["toUserId"])
    if recipient is None:
        return
    subject = RECIPIENT_SUBJECTS[status]
    context = {"decision": subject, "security": request.get("securityName") or "a holding",
               "reason": reason if status == rules.REJECTED else "",
               "wallet": request.get("newWalletAddress") if status == rules.COMPLETED else "",
               "link": _link(config, request)}
    key = f"transfer-received:{request['_id']}" if status == rules.COMPLETED \
        else f"transfer-{status}-recipient:{request['_id']}"
    notifications.send_email(recipient["email"], f"{subject}: {context['security']}", "transfer_decision",
                             context, recipient["_id"], key=key)


def tell_saved(config: dict, saved: dict, stage: str) -> None:
    """Tell the other party of a saved transfer what just happened to it."""
    side, subject = SAVED_STAGES[stage]
    person = users.by_id(get_db(config), saved[side])
    if person is None:
        return
    context = {"decision": subject, "security": saved.get("securityName") or "a holding",
               "sender": saved.get("registeredName") or "", "remark": saved.get("remark") or "",
               "quantity": saved["tokenQuantity"], "decimals": saved.get("tokenDecimals") or 0,
               "link": config["PUBLIC_URL"].rstrip("/") + REQUESTS_PAGE}
    notifications.send_email(person["email"], f"{subject}: {context['security']}", "saved_transfer", context,
                             person["_id"], key=f"saved-transfer-{stage}:{saved['_id']}")
