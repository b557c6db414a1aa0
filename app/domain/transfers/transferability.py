"""Whether a holder's tokens can move now, and why not, in plain words. Pure: every fact is an argument.

    transferability(holding, token, offering, now) -> (can_move: bool, reasons: list[Reason])

- `holding`: the `holdings` projection of one wallet ({"balance", "frozen", "isFrozen"}, ints once read), which
  the caller may enrich with facts read elsewhere (absent = unknown, so no reason is given for it):
  `lockedLots` [(base units, release: epoch seconds or datetime)] from the lock-up module
  (app.chain.compliance.locked_lots), `registered` (the identity registry has the wallet: whitelisted for the
  offering) and `verified` (its KYC claim is valid on chain).
- `token`: the `chainTokens` projection ({"paused"}); None means no pause event seen yet, and a T-REX token
  starts paused, so None is paused.
- `offering`: the offering document; `projectDetails.tokenOpening` ("close" or "date") and
  `projectDetails.tokenOpensAt` say when the token opens, `tokenOpenedAt` that it was opened once already
  (a paused token after that was paused again by the agent).
- `now`: an aware datetime (naive ones are taken as UTC, as MongoDB returns them).

`can_move` is True when some tokens can move now (`movable` > 0 and nothing blocks all of them); `reasons` lists
every rule that blocks or limits the holding, blocking ones first. The chain stays the judge: engineer C's
transfer page calls this before signing, then the compliance checklist (app.domain.compliance.checklist) for
the recipient's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.formatting import dates
from app.formatting.numbers import units

OPEN_AT_CLOSE, OPEN_AT_DATE = "close", "date"
OPENING_CHOICES = ((OPEN_AT_CLOSE, "When the raise closes"), (OPEN_AT_DATE, "At a date"))


@dataclass(frozen=True)
class Reason:
    key: str          # paused, lockup, wallet_frozen, tokens_frozen, not_registered, not_verified, empty
    text: str         # what the investor reads
    blocks: bool      # True: no token can move because of it; False: it limits how many can
    until: datetime | None = None  # when it ends, if known (lock-up release, opening date)


def _aware(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value.strip():
        try:
            return _aware(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def opens_at(offering: dict | None) -> datetime | None:
    """The opening date the offering's settings name, when it opens at a date."""
    details = (offering or {}).get("projectDetails") or {}
    if details.get("tokenOpening") != OPEN_AT_DATE:
        return None
    return _aware(details.get("tokenOpensAt"))


def _decimals(offering: dict | None) -> int:
    try:
        return int(((offering or {}).get("projectDetails") or {}).get("tokenDecimals") or 0)
    except (TypeError, ValueError):
        return 0


def locked_now(holding: dict, now: datetime) -> tuple[int, datetime | None]:
    """(base units still locked at `now`, the last release date of those lots)."""
    locked, last = 0, None
    for amount, release in holding.get("lockedLots") or ():
        at = _aware(release)
        if at is not None and at > now:
            locked += int(amount)
            last = at if last is None or at > last else last
    return locked, last


def _paused_reason(offering: dict | None, now: datetime) -> Reason:
    if (offering or {}).get("tokenOpenedAt"):
        return Reason("paused", "The issuer has paused transfers of this token for now.", True)
    at = opens_at(offering)
    if at is not None and at > now:
        return Reason("paused", f"The token is not open for transfers yet: it opens on {dates.when(at)}.", True, at)
    if ((offering or {}).get("projectDetails") or {}).get("tokenOpening") == OPEN_AT_CLOSE:
        return Reason("paused", "The token is not open for transfers yet: it opens when the raise closes.", True)
    return Reason("paused", "The token is not open for transfers yet.", True)


def _standing_reasons(holding: dict) -> list[Reason]:
    reasons = []
    if holding.get("isFrozen"):
        reasons.append(Reason("wallet_frozen", "Your wallet is frozen for this token: none of its tokens can move. "
                                               "Contact support to learn why.", True))
    if holding.get("registered") is False:
        reasons.append(Reason("not_registered", "Your wallet is not registered for this token: ask to be "
                                                "whitelisted for this offering.", True))
    elif holding.get("verified") is False:
        reasons.append(Reason("not_verified", "Your identity verification is not valid on chain: renew it from "
                                              "the Onboarding page.", True))
    return reasons


def movable(holding: dict, token: dict | None, offering: dict | None, now: datetime) -> int:
    """Base units the holding can move now (0 when anything blocks): the token checks the unfrozen and the
    unlocked balance separately, so the smaller of the two."""
    can, _ = transferability(holding, token, offering, now)
    return _free(holding, _aware(now)) if can else 0


def _free(holding: dict, now: datetime) -> int:
    balance = int(holding.get("balance") or 0)
    locked, _ = locked_now(holding, now)
    return max(min(balance - int(holding.get("frozen") or 0), balance - locked), 0)


def transferability(holding: dict, token: dict | None, offering: dict | None,
                    now: datetime) -> tuple[bool, list[Reason]]:
    """(can_move, reasons): whether any of the holding's tokens can move at `now`, and every rule in the way."""
    now = _aware(now) or datetime.now(UTC)
    balance = int(holding.get("balance") or 0)
    frozen = int(holding.get("frozen") or 0)
    decimals = _decimals(offering)
    reasons: list[Reason] = []
    if token is None or token.get("paused", True):
        reasons.append(_paused_reason(offering, now))
    reasons += _standing_reasons(holding)
    if balance <= 0:
        reasons.append(Reason("empty", "You hold none of these tokens.", True))
    locked, release = locked_now(holding, now)
    if balance > 0 and locked > 0:
        whole = locked >= balance
        text = (f"Your tokens are locked up until {dates.when(release)}." if whole else
                f"{units(min(locked, balance), decimals)} of your tokens are locked up until {dates.when(release)}.")
        reasons.append(Reason("lockup", text, whole, release))
    if balance > 0 and frozen > 0:
        whole = frozen >= balance
        text = ("All of your tokens are frozen by the issuer's agent." if whole else
                f"{units(min(frozen, balance), decimals)} of your tokens are frozen by the issuer's agent.")
        reasons.append(Reason("tokens_frozen", text, whole))
    reasons.sort(key=lambda r: not r.blocks)
    can_move = not any(r.blocks for r in reasons) and _free(holding, now) > 0
    if not can_move and reasons and not any(r.blocks for r in reasons):
        # frozen and locked parts together cover the balance: each alone limits, together they block
        reasons = [Reason(r.key, r.text, True, r.until) for r in reasons]
    return can_move, reasons
