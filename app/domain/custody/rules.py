"""Pure rules of platform-held wallets (no server)."""

from __future__ import annotations

PLATFORM = "platform"  # userdetails.wallets[].custody of a wallet whose key the platform holds
WALLET_TYPE = "platform"  # userdetails.wallets[].type (a proven browser wallet is "EIP-1193")
HELD_PAYMENT_REASON = ("Your wallet is held by Libertum, so you pay by bank transfer: "
                       "a stablecoin payment must come from a wallet you control.")


def creation_refusal(user: dict) -> str | None:
    """Why this person may not have a held wallet now, or None."""
    if user.get("isDeleted") or not user.get("isActive", True):
        return "This account is not active."
    if not user.get("isKyc"):
        return "Libertum can hold a wallet for you once your identity is verified."
    return None


def is_held(wallet: dict) -> bool:
    return wallet.get("custody") == PLATFORM


def own_wallets(wallets: list[dict]) -> list[str]:
    """Verified wallets the investor controls (proven by signature), where held holdings may move to."""
    return [w["address"] for w in wallets if w.get("isVerify") and not is_held(w)]
