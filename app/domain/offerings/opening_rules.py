"""Pure rules of opening a token after its sale: when it opens (the offering's settings), whether it may open
now (and why not), and the stage the staff's page shows. No server: every fact is an argument.

Settings live on the offering as `projectDetails.tokenOpening` ("close": when the raise closes, "date": at
`projectDetails.tokenOpensAt`, a UTC datetime); no setting means staff open it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.transfers.transferability import OPEN_AT_CLOSE, OPEN_AT_DATE, OPENING_CHOICES, opens_at
from app.formatting import dates

__all__ = ["OPENING_CHOICES", "OPEN_AT_CLOSE", "OPEN_AT_DATE", "Facts", "due", "opens_at", "parse_settings",
           "refusal", "stage"]

MANUAL = ""
MAX_TEXT = 40
# stages of the staff page (and the investor page's wording picks from them)
NOT_DEPLOYED, DEPLOYING, RAISE_OPEN, CLOSED, OPENING, OPEN, FAILED = (
    "not_deployed", "deploying", "raise_open", "closed", "opening", "open", "failed")


@dataclass(frozen=True)
class Facts:
    """What the decision needs, gathered by the caller (app.domain.offerings.opening)."""

    status: str                  # the offering's status: live, closed, deploying, ...
    token: str | None            # tokenAddress (None: not deployed)
    paused: bool | None          # chain-sync's chainTokens.paused (None: no projection yet, which is paused)
    awaiting_mint: int           # orders paid (or in payment review) whose tokens are not minted yet
    job_status: str | None       # the current unpause job's status (pending, sent, done, failed) or None
    opened_before: bool = False  # tokenOpenedAt is set: it opened once (paused again since by an agent action)


def parse_settings(mode: str | None, when: str | None, now: datetime) -> tuple[dict, dict]:
    """(fields to store, errors by form field) for the opening setting; `when` is an HTML datetime-local
    value read as UTC. A date is required with "at a date" and must be in the future."""
    mode = (mode or "").strip()
    text = (when or "").strip()
    if mode not in (MANUAL, OPEN_AT_CLOSE, OPEN_AT_DATE):
        return {}, {"tokenOpening": "Choose when the token opens: when the raise closes, or at a date."}
    if mode != OPEN_AT_DATE:
        return {"projectDetails.tokenOpening": mode, "projectDetails.tokenOpensAt": None}, {}
    if not text:
        return {}, {"tokenOpensAt": "Give the date and time (UTC) the token opens."}
    try:
        at = datetime.fromisoformat(text[:MAX_TEXT]) if len(text) <= MAX_TEXT else None
    except ValueError:
        at = None
    if at is None:
        return {}, {"tokenOpensAt": "Write the date and time as 2027-01-31 14:00 (UTC)."}
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    if at <= now:
        return {}, {"tokenOpensAt": f"Choose a moment after now ({dates.when(now)})."}
    return {"projectDetails.tokenOpening": OPEN_AT_DATE, "projectDetails.tokenOpensAt": at}, {}


def refusal(facts: Facts) -> str | None:
    """Why the token cannot be opened now, in words staff can act on; None when it can."""
    if facts.status == "deploying":
        return "The token is still being deployed; open it once the deployment has finished."
    if not facts.token:
        return "The token is not deployed yet: deploy it first."
    if facts.paused is False:
        return "The token is already open for transfers."
    if facts.opened_before:
        return ("The token was opened and has been paused again since: unpausing it is an agent action, "
                "with a reason.")
    if facts.job_status in ("pending", "sent", "done"):
        return "The token is being opened already; follow its progress on this page."
    if facts.awaiting_mint:
        orders = "order is" if facts.awaiting_mint == 1 else "orders are"
        return (f"{facts.awaiting_mint} {orders} paid but not minted yet: open the token once every paid order's "
                "tokens are minted (or the payment refused).")
    return None


def due(offering: dict, now: datetime) -> bool:
    """Whether the offering's settings say the token should be open by `now`."""
    details = offering.get("projectDetails") or {}
    mode = details.get("tokenOpening")
    if mode == OPEN_AT_DATE:
        at = opens_at(offering)
        return at is not None and at <= now
    if mode == OPEN_AT_CLOSE:
        return raise_closed(offering, now)
    return False


def raise_closed(offering: dict, now: datetime) -> bool:
    """Closed by staff, or past its closing date."""
    if offering.get("status") == "closed":
        return True
    end = (offering.get("projectDetails") or {}).get("endDate")
    if isinstance(end, datetime):
        end = end if end.tzinfo else end.replace(tzinfo=UTC)
        return now > end
    return False


def stage(facts: Facts) -> str:
    """The stage the staff page shows (and polls while it is `opening`)."""
    if facts.status == "deploying":
        return DEPLOYING
    if not facts.token:
        return NOT_DEPLOYED
    if facts.paused is False:
        return OPEN
    if facts.job_status in ("pending", "sent", "done"):
        return OPENING  # done on chain; open once chain-sync folded the Unpaused event
    if facts.job_status == "failed":
        return FAILED
    return CLOSED if facts.status == "closed" else RAISE_OPEN
