"""Mail about transfer requests, once per stage (notifications.send_email's key, app/data/mail_keys.py).

- the investor whose tokens move: their request rejected, completed or failed;
- saved transfers (SaveTransferRequet): the recipient when one is saved for them or withdrawn, the sender when
  the recipient confirms or declines, the recipient again when the tokens arrive;
- a request that starts waiting for a decision (`request_waiting`): the offering's transfer agent
  (projectDetails.taId), and for a new-owner request the named new owner if that email is a registered investor;
  that new owner, and only if mailed then, hears once more when the request is rejected (`_tell_named_owner_closed`;
  on approval they become its recipient, `toUserId`, and hear when the tokens arrive).
  With no transfer agent assigned nobody else is mailed: staff with the `transfers` permission work from the
  queue at /admin/transfers/.
"""

from __future__ import annotations

from app.data import mail_keys, offerings, users
from app.data.ids import parse_id
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
REVIEW_SUBJECT = "A transfer request waits for your decision"
NEW_OWNER_SUBJECT = "An investor asked to register a holding to you"
NEW_OWNER_REJECTED_SUBJECT = "A holding will not be registered to you"


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
    elif status == rules.REJECTED and request.get("kind") == rules.NEW_OWNER:
        _tell_named_owner_closed(config, request)


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


def request_waiting(config: dict, request: dict) -> None:
    """A TransferRequet was just opened (filed, or a saved transfer confirmed): tell who decides it and, for a
    new owner, the person named. Called after the insert; each mail once per request."""
    _tell_agent(config, request)
    if request.get("kind") == rules.NEW_OWNER:
        _tell_named_owner(config, request)


def _tell_agent(config: dict, request: dict) -> None:
    db = get_db(config)
    offering = offerings.by_id(db, request["offeringId"]) or {}
    agent_id = parse_id(str((offering.get("projectDetails") or {}).get("taId") or ""))
    agent = users.by_id(db, agent_id) if agent_id else None
    if agent is None or not agent.get("email") or agent["_id"] in (request.get("userId"), request.get("toUserId")):
        return  # no agent: the staff queue only; an agent party to the request never decides it (rules.is_maker)
    context = {"decision": REVIEW_SUBJECT, "security": request.get("securityName") or "a holding",
               "kind": rules.KIND_LABELS.get(request.get("kind", rules.CUSTODY_EXIT), "Transfer request"),
               "quantity": request.get("tokenQuantity") or 0, "decimals": request.get("tokenDecimals") or 0,
               "investor": request.get("registeredName") or "",
               "link": config["PUBLIC_URL"].rstrip("/") + f"/admin/transfers/{request['_id']}"}
    notifications.send_email(agent["email"], f"{REVIEW_SUBJECT}: {context['security']}", "transfer_review",
                             context, agent["_id"], key=f"transfer-review:{request['_id']}")


def _tell_named_owner(config: dict, request: dict) -> None:
    """Only a registered investor is mailed, and the requester's page is the same either way (the caller redirects
    with one flash whatever happens here), so filing a request never tells the requester who is registered."""
    owner = users.by_email(get_db(config), request.get("newRegisteredEmailId") or "")
    if owner is None or owner.get("userType") != "investor" or not owner.get("email"):
        return
    context = {"decision": NEW_OWNER_SUBJECT, "security": request.get("securityName") or "a holding",
               "quantity": request.get("tokenQuantity") or 0, "decimals": request.get("tokenDecimals") or 0,
               "requester": request.get("registeredName") or "", "wallet": request.get("newWalletAddress") or "",
               "link": config["PUBLIC_URL"].rstrip("/") + REQUESTS_PAGE,
               "onboarding": config["PUBLIC_URL"].rstrip("/") + "/onboarding/"}
    notifications.send_email(owner["email"], f"{NEW_OWNER_SUBJECT}: {context['security']}", "transfer_new_owner",
                             context, owner["_id"], key=f"transfer-new-owner:{request['_id']}")


def _tell_named_owner_closed(config: dict, request: dict) -> None:
    """The named new owner mailed at filing (the filing mail's key is there) hears the request was rejected; the
    staff's reason is the requester's, so it is not repeated to them. Nobody else: an unregistered email stays
    unanswered, as at filing."""
    db = get_db(config)
    if not mail_keys.claimed(db, f"transfer-new-owner:{request['_id']}"):
        return
    owner = users.by_email(db, request.get("newRegisteredEmailId") or "")
    if owner is None or not owner.get("email"):
        return
    context = {"decision": NEW_OWNER_REJECTED_SUBJECT, "security": request.get("securityName") or "a holding",
               "quantity": request.get("tokenQuantity") or 0, "decimals": request.get("tokenDecimals") or 0,
               "requester": request.get("registeredName") or "", "wallet": request.get("newWalletAddress") or "",
               "link": config["PUBLIC_URL"].rstrip("/") + REQUESTS_PAGE}
    notifications.send_email(owner["email"], f"{NEW_OWNER_REJECTED_SUBJECT}: {context['security']}",
                             "transfer_new_owner_rejected", context, owner["_id"],
                             key=f"transfer-new-owner-rejected:{request['_id']}")
