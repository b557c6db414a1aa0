"""Chain-sync's payment handlers: stablecoin transfers to the treasury, their retractions, minted notices.

The chain monitor marks the stablecoin transfers it fetched for payments with
`stream: "payments"` (and the retractions of their blocks likewise), so they stay out of
the token projections: the platform sees only the transfers *to* its treasury, and a
partial view of a token must not become holdings. Each transfer goes to
app.domain.payments.stablecoin (same services the web uses); replays are no-ops there.
"""

from __future__ import annotations

from flask import current_app

from app.chain.constants import ZERO_ADDRESS
from app.domain.payments import settlement
from app.domain.payments import stablecoin as payments

STREAM = payments.PAYMENTS_STREAM


def is_payment(message: dict) -> bool:
    return message.get("stream") == STREAM


def apply_logs(logs: list[dict]) -> None:
    """After the event store and projections took `logs`: credit payments, give newly deployed offerings their
    receiving address, tell investors about their mints."""
    for log in logs:
        if is_payment(log) and log["event"] == "Transfer":
            payments.apply_transfer(current_app.config, log)
    deployed = [log["args"]["_token"] for log in logs if log["event"] == "TREXSuiteDeployed" and not is_payment(log)]
    if deployed:
        payments.open_deployed_tokens(current_app.config, deployed)
    mints = sorted({log["transactionHash"] for log in logs if not is_payment(log) and log["event"] == "Transfer"
                    and log["args"]["from"] == ZERO_ADDRESS})
    if mints:
        settlement.notify_minted(current_app.config, mints)


def retract(dropped: list[dict]) -> None:
    """A reorg dropped a block holding payments: flag their orders (app/domain/payments/settlement.py explains why)."""
    for event in dropped:
        if event.get("event") == "Transfer":
            payments.retract_transfer(current_app.config, event)
