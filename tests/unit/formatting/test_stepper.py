"""Steppers from the real state: each stage done, current or next (app/domain/platform/stepper.py)."""

import pytest

from app.domain.platform import stepper


def states(found):
    return [stage.state for stage in found]


@pytest.mark.parametrize(("status", "expected"), [
    ("pending_payment", ["done", "current", "next"]),
    ("payment_review", ["done", "current", "next"]),
    ("settled", ["done", "done", "current"]),
    ("minted", ["done", "done", "done"]),
    ("cancelled", []),
    ("something_new", []),
])
def test_order_stages(status, expected):
    assert states(stepper.order_stages({"status": status})) == expected


@pytest.mark.parametrize(("key", "expected"), [
    ("none", ["current", "next", "next", "next"]),
    ("awaiting_signature", ["done", "current", "next", "next"]),
    ("declined", ["done", "current", "next", "next"]),
    ("awaiting_approval", ["done", "done", "current", "next"]),
    ("registering", ["done", "done", "done", "current"]),
    ("approved", ["done", "done", "done", "done"]),
    ("rejected", []),
    ("removed", []),
])
def test_whitelist_stages(key, expected):
    assert states(stepper.whitelist_stages(key)) == expected


@pytest.mark.parametrize(("kyc", "approved", "wallets", "expected"), [
    ("notStarted", False, 0, ["current", "next", "next"]),
    ("submitted", False, 1, ["current", "next", "next"]),  # a wallet does not skip identity verification
    ("approved", True, 0, ["done", "current", "next"]),
    (None, True, 2, ["done", "done", "current"]),
])
def test_onboarding_stages(kyc, approved, wallets, expected):
    assert states(stepper.onboarding_stages(kyc, approved, wallets)) == expected


def test_exactly_one_stage_is_current_until_the_end():
    for found in (stepper.order_stages({"status": "settled"}), stepper.whitelist_stages("awaiting_signature"),
                  stepper.onboarding_stages("approved", True, 0)):
        assert states(found).count("current") == 1
        current = states(found).index("current")
        assert set(states(found)[:current]) <= {"done"} and set(states(found)[current + 1:]) <= {"next"}
