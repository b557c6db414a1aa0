"""Decode why a contract call reverted and raise it as one readable exception.

Why: admins meet reverts all the time (unverified wallet, frozen wallet, paused token,
compliance refusal). Web3 reports them in several shapes (Error(string), Panic(uint256),
custom errors as bare 4-byte selectors, or a mined receipt with status 0 and no reason at
all). Everything funnels into ChainRevert whose message a page can show as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak
from web3.exceptions import ContractLogicError

from app.chain.artifacts import all_abis
from app.chain.codec import canonical_type, plain_args, signature

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

PANIC_CODES = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "corrupted storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function pointer",
}


@dataclass(frozen=True)
class RevertReason:
    """A decoded revert: `reason` is the human text, the rest is for code that branches on it."""

    reason: str
    name: str | None = None
    args: dict | None = None
    selector: str | None = None


class ChainRevert(Exception):
    """A transaction or call reverted; str() is a message fit for an admin page."""

    def __init__(self, reason: RevertReason, *, label: str | None = None, tx_hash: str | None = None):
        self.reason = reason.reason
        self.error_name = reason.name
        self.error_args = reason.args
        self.selector = reason.selector
        self.label = label
        self.tx_hash = tx_hash
        super().__init__(f"{label} reverted: {reason.reason}" if label else reason.reason)


class RevertDecoder:
    """Maps 4-byte error selectors of every known ABI to their error definitions.

    The same error declared in several contracts has one selector and one decoding, so
    the first definition (by sorted contract name) is kept.
    """

    def __init__(self, abis: Mapping[str, list[dict]]):
        self._errors: dict[bytes, dict] = {}
        for name in sorted(abis):
            for entry in abis[name]:
                if entry.get("type") == "error":
                    self._errors.setdefault(keccak(text=signature(entry))[:4], entry)

    def describe(self, data: bytes | None) -> RevertReason:
        """Decode raw revert data (selector + ABI-encoded arguments)."""
        if not data:
            return RevertReason("reverted without a reason")
        selector, body = bytes(data[:4]), bytes(data[4:])
        if selector == ERROR_SELECTOR:
            return self._decoded("Error", ["string"], selector, body, lambda v: v[0])
        if selector == PANIC_SELECTOR:
            return self._decoded("Panic", ["uint256"], selector, body, _panic_text)
        entry = self._errors.get(selector)
        if entry is None:
            return RevertReason(f"unknown custom error 0x{selector.hex()}", selector="0x" + selector.hex())
        return self._custom(entry, selector, body)

    @staticmethod
    def _decoded(name, types, selector, body, text) -> RevertReason:
        try:
            values = decode(types, body)
        except DecodingError:
            return RevertReason(f"malformed {name} revert data 0x{body.hex()}", name, None, "0x" + selector.hex())
        return RevertReason(text(values), name, {"0": values[0]}, "0x" + selector.hex())

    @staticmethod
    def _custom(entry: dict, selector: bytes, body: bytes) -> RevertReason:
        inputs = entry.get("inputs", [])
        try:
            values = decode([canonical_type(p) for p in inputs], body)
        except DecodingError:
            return RevertReason(f"{entry['name']} (undecodable arguments 0x{body.hex()})",
                                entry["name"], None, "0x" + selector.hex())
        args = plain_args(inputs, values)
        words = IN_WORDS.get(entry["name"])
        if words is not None:
            return RevertReason(words(args), entry["name"], args, "0x" + selector.hex())
        shown = ", ".join(f"{k}={v}" for k, v in args.items())
        return RevertReason(f"{entry['name']}({shown})", entry["name"], args, "0x" + selector.hex())

    def from_web3_error(self, exc: ContractLogicError) -> RevertReason:
        """Decode web3's ContractLogicError (raised by eth_call / eth_estimateGas)."""
        data = revert_data(exc.data)
        if data is None:
            return RevertReason(exc.message or "reverted without a reason")
        return self.describe(data)


def revert_data(raw: object) -> bytes | None:
    """Revert bytes from the shapes nodes put in an RPC error's `data` field."""
    if isinstance(raw, dict):
        raw = raw.get("data")
    if not isinstance(raw, str):
        return None
    if raw.startswith("Reverted "):
        raw = raw.split(" ", 1)[1]
    if not raw.startswith("0x"):
        return None
    return bytes.fromhex(raw[2:])


def _country(code: int) -> str:
    country = pycountry.countries.get(numeric=f"{code:03d}") if 0 <= code < 1000 else None
    return f"{country.name} ({code})" if country else f"country code {code}"


def _days(seconds: int) -> str:
    return f"{seconds / 86400:g} days"


# The platform's compliance modules' custom errors (contracts/src/compliance) in words a page can show.
IN_WORDS = {
    "OnlyBoundCompliance": lambda a: (
        f"Only the token's compliance contract can configure or drive this module (its owner calls through "
        f"callModuleFunction); {a['caller']} is not a compliance contract bound to it."),
    "OnlyComplianceItself": lambda a: f"Only compliance {a['compliance']} itself can bind or unbind itself.",
    "AlreadyBound": lambda a: f"The module is already bound to compliance {a['compliance']}.",
    "ZeroAddress": lambda a: "The zero address is not a compliance contract.",
    "CountryNotAllowed": lambda a: (
        f"Wallet {a['wallet']} resides in {_country(a['country'])}, which is not on the offering's country list."),
    "NotIsoCountry": lambda a: f"{a['country']} is not an ISO 3166 numeric country code.",
    "SupplyCapBelowSupply": lambda a: (
        f"The supply cap {a['cap']} is below the {a['supply']} tokens that already exist."),
    "MaxBalanceExceeded": lambda a: (
        f"The investor would hold {a['balance']} tokens, above the maximum of {a['maxBalance']} per investor."),
    "InvestorCapExceeded": lambda a: (
        f"This would make {a['investors']} investors, above the cap of {a['cap']}."),
    "CountryInvestorCapExceeded": lambda a: (
        f"This would make {a['investors']} investors in {_country(a['country'])}, above that country's cap "
        f"of {a['cap']}."),
    "InvestorCapBelowCount": lambda a: (
        f"An investor cap of {a['cap']} is below the {a['investors']} investors who already hold tokens."),
    "CountryInvestorCapBelowCount": lambda a: (
        f"An investor cap of {a['cap']} for {_country(a['country'])} is below the {a['investors']} investors "
        f"there who already hold tokens."),
    "RetroactiveLockup": lambda a: (
        f"A lock-up of {_days(a['requestedPeriod'])} (now {_days(a['currentPeriod'])}) would lock again tokens "
        f"already sold; it can be lengthened only once every sold token is past the new period."),
    "LockupTooLong": lambda a: (
        f"A lock-up of {_days(a['requestedPeriod'])} is longer than the allowed {_days(a['maxPeriod'])}."),
    "AmountTooLarge": lambda a: f"{a['amount']} base units are too many for one locked mint.",
    # the ERC-20 twin and converter (contracts/src/conversion/ConvertibleERC20.sol)
    "NotConverter": lambda a: f"Only the platform's converter wallet can convert; {a['caller']} is not it.",
    "ZeroWallet": lambda a: "The zero address cannot hold or convert tokens.",
    "ZeroAmount": lambda a: "Convert more than zero tokens.",
    "SecurityTokenPaused": lambda a: "The security token is paused: nothing converts until it is unpaused.",
    "WalletFrozen": lambda a: f"Wallet {a['wallet']} is frozen for this token, so it cannot convert.",
    "NotEnoughFreeTokens": lambda a: (
        f"Wallet {a['wallet']} has {a['free']} base units neither frozen nor locked, fewer than the {a['asked']} "
        f"asked."),
    "InsufficientBalance": lambda a: f"Wallet {a['wallet']} holds {a['balance']} ERC-20 base units, not {a['asked']}.",
    "InsufficientAllowance": lambda a: (
        f"{a['spender']} may move {a['allowance']} base units for this holder, not {a['asked']}."),
}


def _panic_text(values: tuple) -> str:
    code = values[0]
    return f"panic 0x{code:02x}: {PANIC_CODES.get(code, 'unknown panic code')}"


@lru_cache(maxsize=1)
def default_decoder() -> RevertDecoder:
    """Decoder over every pinned artifact; built once per process."""
    return RevertDecoder(all_abis())
