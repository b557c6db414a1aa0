"""Deploy the platform's shared contracts once per chain and describe them in a plain record.

Why: every token suite needs the same infrastructure (T-REX implementations behind the
reference implementation authority, the TREXFactory, ONCHAINID's IdFactory, the platform
ClaimIssuer trusted for KYC, and one instance of each of the platform's own compliance modules,
contracts/src/compliance, which replaced T-REX's CC BY-NC modules in record version 2). The caller keeps
the returned record (MongoDB); handing it back makes bootstrap a no-op while its contracts
still exist, and a full redeploy when the chain was reset (anvil restarted without state).

Deployment runs in five dependency waves; within a wave transactions are pipelined.
"""

from __future__ import annotations

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from app.chain.artifacts import contract
from app.chain.constants import CLAIM_KEY, ECDSA_KEY_TYPE, TREX_VERSION, ZERO_ADDRESS
from app.chain.tx import Call, creation_call, deploy, function_call, send_calls

RECORD_VERSION = 2

# Record key -> artifact, in the struct order TREXImplementationAuthority expects
# (token, ctr, ir, irs, tir, mc).
TREX_IMPLEMENTATIONS = (
    ("tokenImplementation", "Token"),
    ("claimTopicsRegistryImplementation", "ClaimTopicsRegistry"),
    ("identityRegistryImplementation", "IdentityRegistry"),
    ("identityRegistryStorageImplementation", "IdentityRegistryStorage"),
    ("trustedIssuersRegistryImplementation", "TrustedIssuersRegistry"),
    ("modularComplianceImplementation", "ModularCompliance"),
)

# Our modules are plain contracts (no proxy): one instance serves every suite, state keyed by compliance.
COMPLIANCE_MODULES = (
    ("countryAllowModule", "CountryAllowListModule"),
    ("maxBalanceModule", "IdentityMaxBalanceModule"),
    ("supplyLimitModule", "SupplyCapModule"),
    ("investorCapModule", "InvestorCapModule"),
    ("lockupModule", "LockupModule"),
)

CONTRACT_KEYS = (
    *(key for key, _ in TREX_IMPLEMENTATIONS),
    "identityImplementation", "identityImplementationAuthority", "idFactory",
    "implementationAuthority", "trexFactory", "claimIssuer",
    *(key for key, _ in COMPLIANCE_MODULES),
)


class PlatformMismatch(Exception):
    """The stored platform exists on chain but was set up for other keys."""


def platform_is_deployed(w3: Web3, record: dict | None) -> bool:
    """True when `record` is a current-version record for this chain and all its contracts have code."""
    if not record or record.get("version") != RECORD_VERSION or record.get("chainId") != w3.eth.chain_id:
        return False
    if any(not record.get(key) for key in CONTRACT_KEYS):
        return False
    return all(len(w3.eth.get_code(Web3.to_checksum_address(record[key]))) > 0 for key in CONTRACT_KEYS)


def bootstrap_platform(w3: Web3, deployer: LocalAccount, claim_signer: LocalAccount,
                       existing: dict | None = None) -> dict:
    """Return `existing` untouched if still deployed here, else deploy everything and return the new record."""
    if platform_is_deployed(w3, existing):
        _check_same_keys(existing, deployer, claim_signer)
        return existing
    record: dict = {}
    _deploy_independent(w3, deployer, record)
    _link_implementations(w3, deployer, claim_signer, record)
    _deploy_factories(w3, deployer, record)
    record.update(chainId=w3.eth.chain_id, version=RECORD_VERSION, trexVersion=".".join(map(str, TREX_VERSION)),
                  accounts={"deployer": deployer.address, "claimSigner": claim_signer.address})
    return record


def _check_same_keys(record: dict, deployer: LocalAccount, claim_signer: LocalAccount) -> None:
    """A record made for other keys would silently issue claims nobody trusts: refuse it."""
    recorded = record.get("accounts") or {}
    for key, account in (("deployer", deployer), ("claimSigner", claim_signer)):
        if recorded.get(key) != account.address:
            raise PlatformMismatch(
                f"platform record was deployed with {key} {recorded.get(key)}, not {account.address}; "
                "use the original key or discard the record to redeploy")


def _deploy_independent(w3: Web3, deployer: LocalAccount, record: dict) -> None:
    """Wave 1: everything whose constructor needs no other platform address."""
    specs = [(key, creation_call(w3, name)) for key, name in TREX_IMPLEMENTATIONS]
    specs += [
        ("identityImplementation", creation_call(w3, "Identity", deployer.address, True)),
        ("implementationAuthority", creation_call(w3, "TREXImplementationAuthority", True,
                                                  ZERO_ADDRESS, ZERO_ADDRESS)),
        ("claimIssuer", creation_call(w3, "ClaimIssuer", deployer.address)),
    ]
    specs += [(key, creation_call(w3, name)) for key, name in COMPLIANCE_MODULES]
    _send_and_record(w3, deployer, specs, record)


def _link_implementations(w3: Web3, deployer: LocalAccount, claim_signer: LocalAccount, record: dict) -> None:
    """Wave 2: authorities over the implementations, the claim signer's key."""
    trex_ia = contract(w3, "TREXImplementationAuthority", record["implementationAuthority"])
    implementations = tuple(record[key] for key, _ in TREX_IMPLEMENTATIONS)
    issuer = contract(w3, "ClaimIssuer", record["claimIssuer"])
    signer_key = keccak(encode(["address"], [claim_signer.address]))
    specs: list[tuple[str | None, Call]] = [
        ("identityImplementationAuthority",
         creation_call(w3, "ImplementationAuthority", record["identityImplementation"])),
        (None, function_call(trex_ia, "addAndUseTREXVersion", TREX_VERSION, implementations)),
        (None, function_call(issuer, "addKey", signer_key, CLAIM_KEY, ECDSA_KEY_TYPE)),
    ]
    _send_and_record(w3, deployer, specs, record)


def _deploy_factories(w3: Web3, deployer: LocalAccount, record: dict) -> None:
    """Waves 3-5: IdFactory, then TREXFactory over it, then register the factory on both sides."""
    _send_and_record(w3, deployer, [
        ("idFactory", creation_call(w3, "IdFactory", record["identityImplementationAuthority"]))], record)
    _send_and_record(w3, deployer, [
        ("trexFactory", creation_call(w3, "TREXFactory", record["implementationAuthority"],
                                      record["idFactory"]))], record)
    id_factory = contract(w3, "IdFactory", record["idFactory"])
    trex_ia = contract(w3, "TREXImplementationAuthority", record["implementationAuthority"])
    send_calls(w3, deployer, [function_call(id_factory, "addTokenFactory", record["trexFactory"]),
                              function_call(trex_ia, "setTREXFactory", record["trexFactory"])])


def _send_and_record(w3: Web3, deployer: LocalAccount, specs: list[tuple[str | None, Call]],
                     record: dict) -> None:
    receipts = send_calls(w3, deployer, [call for _, call in specs])
    for (key, _), receipt in zip(specs, receipts, strict=True):
        if key is not None:
            record[key] = receipt["contractAddress"]


# The stablecoin investors pay in. Kept as a nested entry (not a top-level address) so the
# chain monitor does not watch every transfer of it: it asks only for transfers to the
# treasury (workers/chain_monitor.py, payment filters).
STABLECOIN_KEY = "stablecoin"
TEST_STABLECOIN = {"artifact": "TestUSD", "name": "Test USD", "symbol": "tUSD"}


def ensure_test_stablecoin(w3: Web3, deployer: LocalAccount, record: dict) -> dict:
    """The recorded Test USD while its code is on chain, else a fresh deployment (owner: the deployer)."""
    existing = record.get(STABLECOIN_KEY) or {}
    if existing.get("test") and len(w3.eth.get_code(Web3.to_checksum_address(existing["address"]))) > 0:
        return existing
    address = deploy(w3, deployer, TEST_STABLECOIN["artifact"], TEST_STABLECOIN["name"], TEST_STABLECOIN["symbol"])
    return describe_stablecoin(w3, address, test=True)


def describe_stablecoin(w3: Web3, address: str, *, test: bool = False) -> dict:
    """{address, name, symbol, decimals, test} read from the token itself (decimals drive every amount)."""
    token = contract(w3, "TestUSD", address)  # only the ERC-20 metadata calls are used
    return {"address": token.address, "name": token.functions.name().call(),
            "symbol": token.functions.symbol().call(), "decimals": token.functions.decimals().call(), "test": test}
