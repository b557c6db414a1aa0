"""The platform's ERC-3643 infrastructure on the configured chain: deployed once, recorded in MongoDB."""

from __future__ import annotations

import logging

from eth_account import Account
from web3 import Web3

from app.chain.bootstrap import STABLECOIN_KEY, bootstrap_platform, describe_stablecoin, ensure_test_stablecoin
from app.chain.node import web3_client
from app.chain.tx import deploy
from app.data import chain_contracts, chain_deployments
from app.data.mongo import get_db

log = logging.getLogger(__name__)


def platform_contracts(record: dict) -> dict[str, str]:
    """{address: kind} of every contract in a bootstrap record (non-address entries skipped)."""
    return {value: key for key, value in record.items() if isinstance(value, str) and Web3.is_checksum_address(value)}


def ensure_platform(config: dict) -> tuple[dict, bool]:
    """Deploy the platform contracts unless this chain already has them; returns (record, deployed_now)."""
    w3 = web3_client.get(config)
    db = get_db(config)
    chain_id = w3.eth.chain_id
    existing = chain_deployments.load(db, chain_id)
    deployer = Account.from_key(config["DEPLOYER_PRIVATE_KEY"])
    record = bootstrap_platform(w3, deployer, Account.from_key(config["CLAIM_SIGNER_PRIVATE_KEY"]), existing=existing)
    record = _with_stablecoin(config, w3, deployer, record)
    record = _with_distributor(w3, deployer, record)
    deployed_now = record != existing
    if deployed_now:
        chain_deployments.save(db, chain_id, record)
        log.info("platform contracts deployed on chain %s", chain_id)
    chain_contracts.add(db, chain_id, platform_contracts(record), source="bootstrap")
    return record, deployed_now


def _with_stablecoin(config: dict, w3: Web3, deployer, record: dict) -> dict:
    """The record with its payment stablecoin: the configured token, or Test USD on development and test chains."""
    configured, current = config["STABLECOIN_ADDRESS"], record.get(STABLECOIN_KEY) or {}
    if configured != "test":
        if current.get("address", "").lower() == configured.lower():
            return record
        return {**record, STABLECOIN_KEY: describe_stablecoin(w3, configured)}
    if config["LIBERTUM_ENV"] == "production":
        raise ValueError("STABLECOIN_ADDRESS must name the real stablecoin in production "
                         "(`test` deploys Test USD on development and test chains only)")
    stablecoin = ensure_test_stablecoin(w3, deployer, record)
    return record if stablecoin == current else {**record, STABLECOIN_KEY: stablecoin}


DISTRIBUTOR_KEY = "dividendDistributor"


def _with_distributor(w3: Web3, deployer, record: dict) -> dict:
    """The record with its DividendDistributor (agent: the hot wallet), deployed when missing from this chain.

    A top-level address, so the chain monitor watches it (its DividendPaid/DividendHeld events)."""
    existing = record.get(DISTRIBUTOR_KEY)
    if existing and len(w3.eth.get_code(Web3.to_checksum_address(existing))) > 0:
        return record
    return {**record, DISTRIBUTOR_KEY: deploy(w3, deployer, "DividendDistributor", deployer.address)}


def current_platform(config: dict) -> dict | None:
    """The recorded platform contracts of the configured chain, or None before bootstrap."""
    w3 = web3_client.get(config)
    return chain_deployments.load(get_db(config), w3.eth.chain_id)
