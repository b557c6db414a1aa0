"""Pure rules of enforcement cases (no server): kinds, states, who may do what, amounts as typed.

A case is one agent operation on one offering's token, with a written reason and evidence. Its life:

    pending_approval --approve--> time_locked --(time passes)--> approved --> executing --> executed
           |                           |                             ^                   \\-> failed --retry--/
           +--reject--> rejected       +--cancel--> cancelled
           +--cancel--> cancelled

Burn, forced transfer and wallet recovery need a second person (maker-checker): the maker never
approves their own. The other kinds run on the maker's own confirmation, still with reason and evidence.
"""

from __future__ import annotations

import re

PAUSE, UNPAUSE = "pause", "unpause"
FREEZE_ADDRESS, UNFREEZE_ADDRESS = "freeze_address", "unfreeze_address"
FREEZE_PARTIAL, UNFREEZE_PARTIAL = "freeze_partial", "unfreeze_partial"
BURN, FORCED_TRANSFER, RECOVERY = "burn", "forced_transfer", "recovery"

KIND_LABELS = {PAUSE: "Pause the token", UNPAUSE: "Unpause the token", FREEZE_ADDRESS: "Freeze a wallet",
               UNFREEZE_ADDRESS: "Unfreeze a wallet", FREEZE_PARTIAL: "Freeze part of a balance",
               UNFREEZE_PARTIAL: "Unfreeze part of a balance", BURN: "Burn tokens",
               FORCED_TRANSFER: "Forced transfer", RECOVERY: "Wallet recovery (lost wallet to a new wallet)"}
TWO_PERSON = frozenset({BURN, FORCED_TRANSFER, RECOVERY})
# The parameters each kind asks for: wallet (the holder, or the lost wallet), to_wallet, new_wallet, amount.
PARAMS = {PAUSE: (), UNPAUSE: (), FREEZE_ADDRESS: ("wallet",), UNFREEZE_ADDRESS: ("wallet",),
          FREEZE_PARTIAL: ("wallet", "amount"), UNFREEZE_PARTIAL: ("wallet", "amount"), BURN: ("wallet", "amount"),
          FORCED_TRANSFER: ("wallet", "to_wallet", "amount"), RECOVERY: ("wallet", "new_wallet")}

PENDING, TIME_LOCKED, APPROVED = "pending_approval", "time_locked", "approved"
EXECUTING, EXECUTED, FAILED = "executing", "executed", "failed"
CANCELLED, REJECTED = "cancelled", "rejected"
STATE_LABELS = {PENDING: "Waiting for approval", TIME_LOCKED: "Approved, time-locked", APPROVED: "Approved, queued",
                EXECUTING: "Executing on chain", EXECUTED: "Executed", FAILED: "Failed",
                CANCELLED: "Cancelled", REJECTED: "Rejected"}
CLOSED = frozenset({EXECUTED, CANCELLED, REJECTED})
RUNNABLE = frozenset({APPROVED, EXECUTING})  # the execution job drives these; anything else it leaves alone

MAX_REASON = 2000
MAX_TIME_LOCK_HOURS = 24 * 30
MAX_EVIDENCE = 5
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def needs_second_person(kind: str) -> bool:
    return kind in TWO_PERSON


def clean_reason(text: object) -> str:
    """The written reason, whitespace folded; required. Raises ValueError with the message."""
    reason = " ".join(str(text or "").split())
    if not reason:
        raise ValueError("Write the reason for this action; it stays on the case file.")
    if len(reason) > MAX_REASON:
        raise ValueError(f"Keep the reason under {MAX_REASON:,} characters; attach longer texts as evidence.")
    return reason


def clean_note(text: object, *, required: bool, what: str) -> str:
    """A decision's note (rejection or cancellation reason, approval remark)."""
    note = " ".join(str(text or "").split())
    if required and not note:
        raise ValueError(f"Say why the case is {what}; it stays on the case file.")
    if len(note) > MAX_REASON:
        raise ValueError(f"Keep the note under {MAX_REASON:,} characters.")
    return note


def parse_wallet(text: object) -> str:
    """A wallet address as typed (0x and 40 hex digits); checksumming is the caller's (it needs web3)."""
    value = str(text or "").strip()
    if not _ADDRESS.fullmatch(value):
        raise ValueError("Enter a wallet address: 0x followed by 40 hexadecimal characters.")
    return value


def parse_time_lock(text: object) -> int:
    """Hours to wait between approval and execution (empty: none)."""
    value = str(text or "").strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > 4:
        raise ValueError(f"Enter the time lock as a whole number of hours, from 0 to {MAX_TIME_LOCK_HOURS}.")
    hours = int(value)
    if hours > MAX_TIME_LOCK_HOURS:
        raise ValueError(f"A time lock is at most {MAX_TIME_LOCK_HOURS} hours (30 days).")
    return hours


def _same(a, b) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def approvers(case: dict) -> list[str]:
    return [str(a["userId"]) for a in case.get("approvals") or ()]


def is_own_approval(case: dict, actor_id) -> bool:
    """Four eyes: the maker of a two-person kind approving their own case."""
    return needs_second_person(case.get("kind")) and _same(actor_id, case.get("makerId"))


def approve_refusal(case: dict, actor_id) -> str | None:
    """Why `actor_id` may not approve (or, for a one-person kind, confirm) the case now, or None."""
    state = case.get("state")
    if state != PENDING:
        return f"This case is no longer waiting for approval: {STATE_LABELS.get(state, state).lower()}."
    if is_own_approval(case, actor_id):
        return "You made this case, so someone else with the transfers permission must approve it."
    return None


def reject_refusal(case: dict, actor_id) -> str | None:
    state = case.get("state")
    if state != PENDING:
        return f"This case is no longer waiting for approval: {STATE_LABELS.get(state, state).lower()}."
    if _same(actor_id, case.get("makerId")):
        return "You made this case: cancel it instead of rejecting it."
    return None


def cancel_refusal(case: dict, actor_id) -> str | None:
    """The maker may withdraw a pending case; during the time lock the maker or an approver may cancel it."""
    state = case.get("state")
    if state == PENDING:
        return None if _same(actor_id, case.get("makerId")) else \
            "Only the maker withdraws a case waiting for approval; reject it instead."
    if state == TIME_LOCKED:
        if _same(actor_id, case.get("makerId")) or str(actor_id) in approvers(case):
            return None
        return "Only the maker or the approver of this case can cancel it during its time lock."
    return f"This case can no longer be cancelled: {STATE_LABELS.get(state, state).lower()}."


def retry_refusal(case: dict) -> str | None:
    if case.get("state") != FAILED:
        return "Only a failed case can be sent again."
    return None


def after_approval(kind: str, approvals_count: int, time_lock_hours: int) -> str:
    """The state an approval leads to (the one approval a case needs: the checker's, or the maker's own)."""
    del kind, approvals_count  # one approval suffices for every kind; who may give it is approve_refusal's rule
    return TIME_LOCKED if time_lock_hours > 0 else APPROVED


def is_due(case: dict, now) -> bool:
    """A time-locked case whose lock has ended."""
    return case.get("state") == TIME_LOCKED and case.get("executeAfter") is not None and case["executeAfter"] <= now


def time_left(case: dict, now) -> str:
    """What is left of a time lock, as people read it ("1 h 5 min left", "less than a minute left"); "" if none."""
    if case.get("state") != TIME_LOCKED or case.get("executeAfter") is None:
        return ""
    minutes = int((case["executeAfter"] - now).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute left"
    hours, minutes = divmod(minutes, 60)
    return (f"{hours} h {minutes} min left" if hours else f"{minutes} min left")


def chain_key(case_id, attempt: int, step: str) -> str:
    """The natural key of one chain step of one attempt: a retry is a new attempt, never the failed job again."""
    return f"{step}:agentAction:{case_id}:{attempt}"
