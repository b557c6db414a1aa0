"""Holder-to-holder transfers from the portfolio, the pure part: reading what the investor typed (a recipient
wallet, a quantity of tokens) and saying in plain words which rule would refuse the transfer.

Quantities are parsed as text, digit by digit, into base units (never through float or Decimal contexts), so an
18-decimal token and supplies far past int64 are exact. The recipient is a wallet address only: nothing here (or in
the pages) says whether an email or a person is registered with Libertum.
"""

from __future__ import annotations

import re

from eth_utils import is_hex_address, to_checksum_address

from app.domain.compliance.checklist import Rule

UINT256_MAX = 2**256 - 1
MAX_TYPED = 100  # characters of a quantity worth reading (uint256 has 78 digits)
_SEPARATORS = re.compile(r"[\s,_'\u00a0\u202f\u2009]")  # thousands separators people paste
_QUANTITY = re.compile(r"^([0-9]*)(?:\.([0-9]*))?$")
_ADDRESS_SPACES = re.compile(r"\s+")
TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


class InvalidInput(ValueError):
    """What the investor typed cannot be read; str() says what to type instead."""


def parse_recipient(text: str | None) -> str:
    """The checksummed wallet address in `text` (pasted text: spaces, any letter case)."""
    cleaned = _ADDRESS_SPACES.sub("", text or "")
    if not cleaned:
        raise InvalidInput("Enter the recipient's wallet address.")
    if not cleaned.lower().startswith("0x"):
        cleaned = "0x" + cleaned
    if not is_hex_address(cleaned.lower()):
        raise InvalidInput("That is not a wallet address: it is 0x followed by 40 characters 0-9 and a-f.")
    # checksum-insensitive: a wrong mix of capitals is still the same address
    return to_checksum_address(cleaned.lower())


def parse_quantity(text: str | None, decimals: int) -> int:
    """`text` (whole tokens, up to `decimals` decimal places) in base units, exactly; above zero."""
    cleaned = _SEPARATORS.sub("", text or "")
    if not cleaned:
        raise InvalidInput("Enter how many tokens to send.")
    if len(cleaned) > MAX_TYPED:
        raise InvalidInput("That quantity is too large for this token.")
    if cleaned.startswith("-"):
        raise InvalidInput("Enter a quantity above zero.")
    match = _QUANTITY.match(cleaned)
    if not match or not (match.group(1) or match.group(2)):
        raise InvalidInput("Enter a number of tokens, such as 25 or 2.5.")
    whole, fraction = match.group(1) or "0", (match.group(2) or "").rstrip("0")
    if len(fraction) > decimals:
        places = "whole tokens only" if decimals == 0 else f"at most {decimals} decimal places"
        raise InvalidInput(f"This token is divisible to {places}.")
    base = int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or "0")
    if base == 0:
        raise InvalidInput("Enter a quantity above zero.")
    if base > UINT256_MAX:
        raise InvalidInput("That quantity is too large for this token.")
    return base


def parse_tx_hash(text: str | None) -> str:
    """A transaction hash as the wallet returned it, lower case."""
    cleaned = (text or "").strip()
    if not TX_HASH.match(cleaned):
        raise InvalidInput("The wallet did not return a transaction hash.")
    return cleaned.lower()


def not_to_self(own_wallets: list[str], recipient: str) -> Rule:
    """The platform's rule: tokens go to another investor, not to a wallet of the sender's own."""
    own = {w.lower() for w in own_wallets}
    return Rule("self", "The recipient is another investor", recipient.lower() not in own,
                next_step="Enter the wallet of the investor you are sending to, not one of yours.", on_chain=False)


def chain_verdict(reverted_with: str | None) -> Rule:
    """The token's own answer to the exact transfer (an eth_call from the sender), when every rule above passed."""
    return Rule("chain", "The token accepts this exact transfer", reverted_with is None, reverted_with or "",
                "The token refused it for the reason shown; nothing was sent.")


# Plain reasons for a refusal, by checklist rule (app.domain.compliance.checklist keys, and the two above).
REASONS = {
    "self": "You cannot send tokens to yourself.",
    "kyc": "An identity verification is not current, so the transfer is refused.",
    "amount": "The quantity must be above zero.",
    "paused": "The token is paused: no transfers are possible until the issuer unpauses it.",
    "frozen": "A frozen wallet cannot send or receive tokens.",
    "balance": "You do not hold that many unfrozen tokens.",
    "registered": "The recipient's wallet is not registered for this token, so it cannot receive it.",
    "claim": "The recipient's wallet has no valid identity claim on chain, so it cannot receive the token.",
    "country": "The recipient's country is not allowed for this offering.",
    "holding_cap": "The recipient would hold more than the maximum per investor.",
    "investor_cap": "The offering already has as many investors as it may have.",
    "lockup": "Part of your tokens is still locked up; you can send only unlocked tokens.",
    "chain": "The token refused this transfer.",
}


def reasons(rules: list[Rule]) -> list[str]:
    """One plain sentence per failing rule, in the order the token checks (no repeats)."""
    found: list[str] = []
    for rule in rules:
        if not rule.passed:
            text = REASONS.get(rule.key, rule.label)
            if rule.key == "chain" and rule.detail:
                text = f"The token refused this transfer: {rule.detail}."
            if text not in found:
                found.append(text)
    return found


def private(rules: list[Rule]) -> list[Rule]:
    """The checklist as the sender may read it: the recipient's platform KYC says pass or fail, never why (the
    reason would tell the sender about another person's account)."""
    shown = []
    for rule in rules:
        if rule.key == "kyc" and rule.label.startswith("The recipient"):
            rule = Rule(rule.key, rule.label, rule.passed, "",
                        "" if rule.passed else "The recipient must renew their identity verification first.",
                        rule.on_chain)
        shown.append(rule)
    return shown
