"""Deploy one ERC-3643 token suite (token, registries, compliance) through the platform's TREXFactory.

Why: one property = one token suite, and deploying it must be safe to retry (a job may run
twice, a request may time out after the transaction was mined). The factory refuses a salt
it has seen, so a known salt returns the existing suite read back from the chain instead.

Compliance comes from the shared module instances deployed by bootstrap, configured per
suite through the factory's complianceModules / complianceSettings: the settings calls are
executed by the suite's ModularCompliance, so each module keys its state by compliance.
"""

from __future__ import annotations

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
MAX_COUNTRY_CODE = 2**16 - 1  # countries are uint16 in CountryAllowModule


def deploy_token_suite(w3: Web3, sender: LocalAccount, platform: dict, *, salt: str, name: str, symbol: str,
                       decimals: int, owner: str, agents: list[str], authorized_countries: list[int],
                       max_balance: int, supply_cap: int, claim_topics=(KYC_CLAIM_TOPIC,)) -> dict:
    """Deploy (or find) the suite for `salt`; returns its addresses.

    `sender` must own the TREXFactory (the platform deployer). `agents` become agents of
    both the token and the identity registry. An empty `authorized_countries` binds no
    country module (no country restriction); `max_balance` and `supply_cap` of 0 bind no
    MaxBalance / SupplyLimit module, because those modules would read 0 as "nothing allowed".
    The token comes out paused: call unpause_token once the offering may trade.
    """
    factory = contract(w3, "TREXFactory", platform["trexFactory"])
    token = factory.functions.getToken(salt).call()
    if token != ZERO_ADDRESS:
        return suite_from_token(w3, token, salt)
    arguments = suite_arguments(w3, platform, salt=salt, name=name, symbol=symbol, decimals=decimals, owner=owner,
                                agents=agents, authorized_countries=authorized_countries, max_balance=max_balance,
                                supply_cap=supply_cap, claim_topics=claim_topics)
    receipt = send_call(w3, sender, function_call(factory, "deployTREXSuite", *arguments))
    return _suite_from_receipt(receipt, factory.address, salt)


def suite_arguments(w3: Web3, platform: dict, *, salt: str, name: str, symbol: str, decimals: int, owner: str,
                    agents: list[str], authorized_countries: list[int], max_balance: int, supply_cap: int,
                    claim_topics=(KYC_CLAIM_TOPIC,)) -> tuple:
    """(salt, tokenDetails, claimDetails) for TREXFactory.deployTREXSuite, validated; for callers that send
    the deployment themselves (the exactly-once chain jobs)."""
    _validate(salt, decimals, agents, authorized_countries, max_balance, supply_cap)
    modules, settings = _compliance(w3, platform, authorized_countries, max_balance, supply_cap)
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


def _validate(salt: str, decimals: int, agents: list[str], countries: list[int], max_balance: int,
              supply_cap: int) -> None:
    """Fail before gas estimation with a message naming the bad argument."""
    if not salt:
        raise ValueError("salt must be a non-empty string")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be between 0 and {MAX_DECIMALS} (T-REX Token), got {decimals}")
    if len(agents) > MAX_AGENTS:
        raise ValueError(f"at most {MAX_AGENTS} agents at deployment, got {len(agents)}")
    bad = [c for c in countries if not 0 < c <= MAX_COUNTRY_CODE]
    if bad:
        raise ValueError(f"country codes must be ISO 3166 numeric (uint16), got {bad}")
    if max_balance < 0 or supply_cap < 0:
        raise ValueError("max_balance and supply_cap are base units and cannot be negative")


def _compliance(w3: Web3, platform: dict, countries: list[int], max_balance: int,
                supply_cap: int) -> tuple[list[str], list[str]]:
    """Module addresses and the matching settings call data, in the factory's order."""
    modules, settings = [], []
    if countries:
        modules.append(platform["countryAllowModule"])
        settings.append(contract(w3, "CountryAllowModule").encode_abi("batchAllowCountries", args=[list(countries)]))
    if max_balance:
        modules.append(platform["maxBalanceModule"])
        settings.append(contract(w3, "MaxBalanceModule").encode_abi("setMaxBalance", args=[max_balance]))
    if supply_cap:
        modules.append(platform["supplyLimitModule"])
        settings.append(contract(w3, "SupplyLimitModule").encode_abi("setSupplyLimit", args=[supply_cap]))
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
