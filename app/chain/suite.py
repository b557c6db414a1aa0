"""Deploy one ERC-3643 token suite (token, registries, compliance) through the platform's TREXFactory.

Why: one property = one token suite, and deploying it must be safe to retry (a job may run
twice, a request may time out after the transaction was mined). The factory refuses a salt
it has seen, so a known salt returns the existing suite read back from the chain instead.

Compliance comes from the platform's own modules (contracts/src/compliance, one shared instance
each, deployed by bootstrap), configured per suite through the factory's complianceModules /
complianceSettings: the settings calls are executed by the suite's ModularCompliance, so each
module keys its state by compliance. The modules that count holdings (max balance per identity,
investor caps, lock-up) are always bound: they can only bind before the first mint, and binding
them keeps the issuer free to set a cap or a lock-up later. The country allow-list and the
supply cap are bound only when configured (they can be added later).
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import TxReceipt

from app.chain import agent as agent_ops
from app.chain.artifacts import abi, contract
from app.chain.constants import KYC_CLAIM_TOPIC, ZERO_ADDRESS
from app.chain.events import EventDecoder
from app.chain.tx import function_call, send_call

MAX_AGENTS = 5  # TREXFactory limit per role at deployment
MAX_DECIMALS = 18  # Token.init refuses more
MAX_MODULE_ACTIONS = 30  # TREXFactory limit on compliance module entries
MAX_LOCKUP_SECONDS = 100 * 365 * 24 * 3600  # LockupModule.MAX_PERIOD


def deploy_token_suite(w3: Web3, sender: LocalAccount, platform: dict, *, salt: str, name: str, symbol: str,
                       decimals: int, owner: str, agents: list[str], authorized_countries: list[int],
                       max_balance: int, supply_cap: int, claim_topics=(KYC_CLAIM_TOPIC,),
                       investor_cap: int = 0, country_investor_caps: dict[int, int] | None = None,
                       lockup_seconds: int = 0) -> dict:
    """Deploy (or find) the suite for `salt`; returns its addresses.

    `sender` must own the TREXFactory (the platform deployer). `agents` become agents of
    both the token and the identity registry. An empty `authorized_countries` binds no
    country module (no country restriction); 0 for `max_balance`, `supply_cap`,
    `investor_cap` (or a country's cap) and `lockup_seconds` means no limit.
    The token comes out paused: call unpause_token once the offering may trade.
    """
    factory = contract(w3, "TREXFactory", platform["trexFactory"])
    token = factory.functions.getToken(salt).call()
    if token != ZERO_ADDRESS:
        return suite_from_token(w3, token, salt)
    arguments = suite_arguments(w3, platform, salt=salt, name=name, symbol=symbol, decimals=decimals, owner=owner,
                                agents=agents, authorized_countries=authorized_countries, max_balance=max_balance,
                                supply_cap=supply_cap, claim_topics=claim_topics, investor_cap=investor_cap,
                                country_investor_caps=country_investor_caps, lockup_seconds=lockup_seconds)
    receipt = send_call(w3, sender, function_call(factory, "deployTREXSuite", *arguments))
    return _suite_from_receipt(receipt, factory.address, salt)


def suite_arguments(w3: Web3, platform: dict, *, salt: str, name: str, symbol: str, decimals: int, owner: str,
                    agents: list[str], authorized_countries: list[int], max_balance: int, supply_cap: int,
                    claim_topics=(KYC_CLAIM_TOPIC,), investor_cap: int = 0,
                    country_investor_caps: dict[int, int] | None = None, lockup_seconds: int = 0) -> tuple:
    """(salt, tokenDetails, claimDetails) for TREXFactory.deployTREXSuite, validated; for callers that send
    the deployment themselves (the exactly-once chain jobs)."""
    limits = ComplianceLimits(countries=list(authorized_countries), max_balance=max_balance, supply_cap=supply_cap,
                              investor_cap=investor_cap, country_investor_caps=dict(country_investor_caps or {}),
                              lockup_seconds=lockup_seconds)
    _validate(salt, decimals, agents, limits)
    modules, settings = _compliance(w3, platform, limits)
    token_details = (Web3.to_checksum_address(owner), name, symbol, decimals, ZERO_ADDRESS, ZERO_ADDRESS,
                     list(agents), list(agents), modules, settings)
    topics = list(claim_topics)
    return salt, token_details, (topics, [platform["claimIssuer"]], [topics])


def suite_from_token(w3: Web3, token_address: str, salt: str) -> dict:
    """Read a deployed suite's addresses back from its token (the links the factory wired)."""
    token = contract(w3, "Token", token_address)
    registry_address = token.functions.identityRegistry().call()
    registry = contract(w3, "IdentityRegistry", registry_address)
    return {
        "token": token.address,
        "identityRegistry": registry_address,
        "identityRegistryStorage": registry.functions.identityStorage().call(),
        "trustedIssuersRegistry": registry.functions.issuersRegistry().call(),
        "claimTopicsRegistry": registry.functions.topicsRegistry().call(),
        "modularCompliance": token.functions.compliance().call(),
        "salt": salt,
    }


def pause_token(w3: Web3, agent: LocalAccount, token: str) -> TxReceipt:
    """Stop holder transfers (agent only); agents can still mint, burn and force transfers."""
    return agent_ops.pause(w3, agent, token)


def unpause_token(w3: Web3, agent: LocalAccount, token: str) -> TxReceipt:
    """Allow holder transfers (agent only); new suites start paused."""
    return agent_ops.unpause(w3, agent, token)


@dataclass(frozen=True)
class ComplianceLimits:
    """One suite's compliance settings (base units, ISO 3166 numeric countries, seconds; 0 = no limit)."""

    countries: list[int]
    max_balance: int
    supply_cap: int
    investor_cap: int
    country_investor_caps: dict[int, int]
    lockup_seconds: int


def _validate(salt: str, decimals: int, agents: list[str], limits: ComplianceLimits) -> None:
    """Fail before gas estimation with a message naming the bad argument (the modules refuse the same)."""
    if not salt:
        raise ValueError("salt must be a non-empty string")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be between 0 and {MAX_DECIMALS} (T-REX Token), got {decimals}")
    if len(agents) > MAX_AGENTS:
        raise ValueError(f"at most {MAX_AGENTS} agents at deployment, got {len(agents)}")
    bad = [c for c in [*limits.countries, *limits.country_investor_caps] if not is_iso_country(c)]
    if bad:
        raise ValueError(f"country codes must be ISO 3166 numeric, got {bad}")
    if len(limits.country_investor_caps) > MAX_MODULE_ACTIONS - 5:
        raise ValueError(f"at most {MAX_MODULE_ACTIONS - 5} per-country investor caps at deployment")
    amounts = (limits.max_balance, limits.supply_cap, limits.investor_cap, *limits.country_investor_caps.values())
    if any(value < 0 for value in amounts):
        raise ValueError("max_balance, supply_cap and investor caps cannot be negative")
    if not 0 <= limits.lockup_seconds <= MAX_LOCKUP_SECONDS:
        raise ValueError(f"lockup_seconds must be between 0 and {MAX_LOCKUP_SECONDS}, got {limits.lockup_seconds}")


def is_iso_country(code: int) -> bool:
    """Whether `code` is an ISO 3166-1 numeric country code (the on-chain Iso3166 table holds the same)."""
    return isinstance(code, int) and pycountry.countries.get(numeric=f"{code:03d}") is not None


def _compliance(w3: Web3, platform: dict, limits: ComplianceLimits) -> tuple[list[str], list[str]]:
    """Module addresses and the matching settings call data, in the factory's order (one setting per
    module: the factory pairs settings[i] with modules[i])."""
    modules, settings = [], []

    def bind(key: str, artifact: str, function: str, *args) -> None:
        modules.append(platform[key])
        settings.append(contract(w3, artifact).encode_abi(function, args=list(args)))

    if limits.countries:
        bind("countryAllowModule", "CountryAllowListModule", "allowCountries", list(limits.countries))
    if limits.supply_cap:
        bind("supplyLimitModule", "SupplyCapModule", "setSupplyCap", limits.supply_cap)
    bind("maxBalanceModule", "IdentityMaxBalanceModule", "setMaxBalance", limits.max_balance)
    bind("investorCapModule", "InvestorCapModule", "setInvestorCap", limits.investor_cap)
    for country, cap in sorted(limits.country_investor_caps.items()):
        bind("investorCapModule", "InvestorCapModule", "setCountryInvestorCap", country, cap)
    bind("lockupModule", "LockupModule", "setLockupPeriod", limits.lockup_seconds)
    return modules, settings


def _suite_from_receipt(receipt: TxReceipt, factory_address: str, salt: str) -> dict:
    decoder = EventDecoder({"TREXFactory": abi("TREXFactory")})
    for log in receipt["logs"]:
        if log["address"] != factory_address:
            continue
        event = decoder.decode(log)
        if event and event["event"] == "TREXSuiteDeployed":
            args = event["args"]
            return {"token": args["_token"], "identityRegistry": args["_ir"], "identityRegistryStorage": args["_irs"],
                    "trustedIssuersRegistry": args["_tir"], "claimTopicsRegistry": args["_ctr"],
                    "modularCompliance": args["_mc"], "salt": salt}
    raise LookupError(f"no TREXSuiteDeployed event in transaction {receipt['transactionHash'].hex()}")
