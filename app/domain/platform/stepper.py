"""Steppers: where a person stands in a journey, each stage done, current or next, computed from the
real state (never from the page the person happens to be on). Pure; shown by macros.html's `stepper`.

Why one module: the onboarding, whitelisting and order pages used to list their steps without marking
any as done, each in its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

DONE, CURRENT, NEXT = "done", "current", "next"


@dataclass(frozen=True)
class Stage:
    title: str
    state: str  # done, current or next
    url: str | None = None


def stages(titles: tuple[str, ...], reached: int, *, finished: bool = False) -> list[Stage]:
    """Stages before `reached` (0-based) are done, `reached` is current, the rest next; `finished` marks all done."""
    return [Stage(title, DONE if finished or i < reached else CURRENT if i == reached else NEXT)
            for i, title in enumerate(titles)]


ORDER_TITLES = ("Order placed", "Payment received", "Tokens delivered")
_ORDER_REACHED = {"pending_payment": 1, "payment_review": 1, "settled": 2}


def order_stages(order: dict) -> list[Stage]:
    """Placed, paid, delivered; a cancelled order has no stepper (its status says what happened)."""
    status = order.get("status")
    if status == "minted":
        return stages(ORDER_TITLES, len(ORDER_TITLES), finished=True)
    if status not in _ORDER_REACHED:
        return []
    return stages(ORDER_TITLES, _ORDER_REACHED[status])


WHITELIST_TITLES = ("Request", "Sign the agreement", "Review by the transfer agent and compliance",
                    "Registration on chain")
_WHITELIST_REACHED = {"none": 0, "declined": 1, "expired": 1, "awaiting_signature": 1, "awaiting_approval": 2,
                      "registering": 3}


def whitelist_stages(stage_key: str) -> list[Stage]:
    """From app.domain.whitelisting.rules.Stage.key; a rejected or removed request has no stepper."""
    if stage_key == "approved":
        return stages(WHITELIST_TITLES, len(WHITELIST_TITLES), finished=True)
    if stage_key not in _WHITELIST_REACHED:
        return []
    return stages(WHITELIST_TITLES, _WHITELIST_REACHED[stage_key])


ONBOARDING_TITLES = ("Verify your identity", "Connect a wallet", "Invest")


def onboarding_stages(kyc_status: str | None, kyc_approved: bool, verified_wallets: int) -> list[Stage]:
    """An investor's way in: identity verified (KYC), then a verified wallet, then investing is open."""
    if not (kyc_approved or kyc_status == "approved"):
        return stages(ONBOARDING_TITLES, 0)
    if verified_wallets < 1:
        return stages(ONBOARDING_TITLES, 1)
    return stages(ONBOARDING_TITLES, 2)
