"""Paying held and reorged payout lines again, pure: what kind of line it is, what to do with it now, and which
attempt of a line a payout batch carries.

A line's `payAttempt` (absent = 0) goes up by one each time a held or reorged line is put back to "declared"; a
batch records the attempt of each of its lines (`attempts`, beside `lineIds`; absent = all 0). A declared line is
waiting for a batch when no batch holds it at its current attempt, so an old batch (done, failed or refused) never
stands for the new attempt, and a new attempt is batched exactly once (under the distribution's lock).
"""

from __future__ import annotations

FROZEN, REFUSED, REORGED = "frozen", "refused", "reorged"
# What to do with a line now:
PAID_FROM_CHAIN = "paid-from-chain"  # the contract already paid it: record that payment, send nothing
PAY = "pay"  # back to "declared": the payout's batch path pays it
STILL_FROZEN = "still-frozen"  # leave it held: the wallet is frozen on the offering's token
NOT_REPAYABLE = "not-repayable"  # paid, waiting or being paid already: nothing to do

STILL_FROZEN_MESSAGE = ("The wallet is still frozen on the offering's token: the line stays held until an agent "
                        "unfreezes it, then the payout sweep pays it.")
NOT_REPAYABLE_MESSAGE = "This line is not held or undone by a reorg: nothing to pay again."


def kind(line: dict, frozen_reasons: tuple[str, ...]) -> str | None:
    """FROZEN (held back while the wallet is frozen), REFUSED (the stablecoin refused it), REORGED, or None."""
    if line.get("status") == "reorged":
        return REORGED
    if line.get("status") != "held":
        return None
    return FROZEN if line.get("heldReason") in frozen_reasons else REFUSED


def next_step(line_kind: str | None, *, frozen_now: bool, paid_on_chain: bool) -> str:
    """What to do with a line of `line_kind` when its wallet is (not) frozen now and the contract has (not) paid it.

    The chain's paid mapping comes first: whatever the line says, a (distribution, wallet) the contract paid is
    never paid again. A frozen wallet cannot receive (T-REX), so any line of a frozen wallet waits."""
    if line_kind is None:
        return NOT_REPAYABLE
    if paid_on_chain:
        return PAID_FROM_CHAIN
    if frozen_now:
        return STILL_FROZEN
    return PAY


def attempt(line: dict) -> int:
    return int(line.get("payAttempt") or 0)


def batch_attempts(batch: dict) -> dict[str, int]:
    """line id -> the attempt of that line the batch carries."""
    recorded = batch.get("attempts") or [0] * len(batch["lineIds"])
    return dict(zip(batch["lineIds"], (int(a) for a in recorded), strict=True))


def carries(batch: dict, line: dict) -> bool:
    """The batch holds this line at its current attempt."""
    found = batch_attempts(batch).get(line["_id"])
    return found is not None and found == attempt(line)
