"""Configure and read a suite's compliance modules (contracts/src/compliance) on chain.

Why through the compliance: every module keeps its settings per ModularCompliance and accepts a
configuration call only from a bound compliance, so the owner (the issuer's suite owner, here the
platform's hot wallet) sends ModularCompliance.callModuleFunction(module call, module). A refusal
(a cap below the current investors, a retroactive lock-up, a code that is not ISO 3166) arrives as a
ChainRevert whose message is the module's custom error in words (app.chain.revert).
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import TxReceipt

from app.chain.artifacts import contract
from app.chain.tx import function_call, send_call

# platform record key -> artifact of the module deployed there
MODULES = {"countryAllowModule": "CountryAllowListModule", "maxBalanceModule": "IdentityMaxBalanceModule",
           "supplyLimitModule": "SupplyCapModule", "investorCapModule": "InvestorCapModule",
           "lockupModule": "LockupModule"}


def _module(w3: Web3, platform: dict, key: str):
    return contract(w3, MODULES[key], platform[key])


def configure(w3: Web3, owner: LocalAccount, platform: dict, compliance: str, key: str, function: str,
              *args) -> TxReceipt:
    """Call `function(*args)` of the module at platform[key] for `compliance`, as its owner."""
    data = _module(w3, platform, key).encode_abi(function, args=list(args))
    bound = contract(w3, "ModularCompliance", compliance)
    return send_call(w3, owner, function_call(bound, "callModuleFunction", data, platform[key]))


def set_investor_cap(w3: Web3, owner: LocalAccount, platform: dict, compliance: str, cap: int) -> TxReceipt:
    """At most `cap` investors (identities holding tokens); 0 = no cap. Refused below the current count."""
    return configure(w3, owner, platform, compliance, "investorCapModule", "setInvestorCap", cap)


def set_country_investor_cap(w3: Web3, owner: LocalAccount, platform: dict, compliance: str, country: int,
                             cap: int) -> TxReceipt:
    """At most `cap` investors resident in `country` (ISO 3166 numeric); 0 = no cap."""
    return configure(w3, owner, platform, compliance, "investorCapModule", "setCountryInvestorCap", country, cap)


def set_lockup_period(w3: Web3, owner: LocalAccount, platform: dict, compliance: str, seconds: int) -> TxReceipt:
    """Each mint locked for `seconds` from its mint; lengthening is refused while it would relock sold tokens."""
    return configure(w3, owner, platform, compliance, "lockupModule", "setLockupPeriod", seconds)


def allow_countries(w3: Web3, owner: LocalAccount, platform: dict, compliance: str,
                    countries: list[int]) -> TxReceipt:
    return configure(w3, owner, platform, compliance, "countryAllowModule", "allowCountries", list(countries))


def investor_count(w3: Web3, platform: dict, compliance: str, country: int | None = None) -> int:
    """Identities holding tokens of the suite, overall or resident in `country`."""
    module = _module(w3, platform, "investorCapModule").functions
    compliance = Web3.to_checksum_address(compliance)
    if country is None:
        return module.investorCount(compliance).call()
    return module.countryInvestorCount(compliance, country).call()


def investor_cap(w3: Web3, platform: dict, compliance: str, country: int | None = None) -> int:
    """The investor cap the module holds for the suite, overall or for `country` (ISO numeric); 0 = no cap."""
    module = _module(w3, platform, "investorCapModule").functions
    compliance = Web3.to_checksum_address(compliance)
    if country is None:
        return module.investorCap(compliance).call()
    return module.countryInvestorCap(compliance, country).call()


def locked_balance(w3: Web3, platform: dict, compliance: str, wallet: str) -> int:
    """Base units of `wallet` still locked up (they cannot move by transfer)."""
    return _module(w3, platform, "lockupModule").functions.lockedBalance(
        Web3.to_checksum_address(compliance), Web3.to_checksum_address(wallet)).call()


def locked_lots(w3: Web3, platform: dict, compliance: str, wallet: str) -> list[tuple[int, int]]:
    """(amount, release timestamp) of each of `wallet`'s lots still locked."""
    amounts, releases = _module(w3, platform, "lockupModule").functions.lockedLots(
        Web3.to_checksum_address(compliance), Web3.to_checksum_address(wallet)).call()
    return list(zip(amounts, releases, strict=True))
