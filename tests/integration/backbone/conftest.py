"""A live token suite on the session chain, KYC'd investor wallets, and an offering with settled orders."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid

import pytest
from bson import ObjectId
from eth_account import Account

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.identity import add_claim, create_identity
from app.chain.suite import deploy_token_suite
from app.chain.wallet import hot_wallet
from app.data import chain_jobs
from tests.conftest import flask_argv, start_process

FRANCE = 250


@pytest.fixture
def wallet(app):
    return hot_wallet(app.config)


@pytest.fixture
def suite(app, platform, wallet):
    """A fresh unpaused suite whose agent is the hot wallet (no balance cap, no supply cap)."""
    deployed = deploy_token_suite(
        wallet.w3, wallet.account, platform, salt=f"bb-{uuid.uuid4().hex[:10]}", name="Backbone Flats", symbol="BBF",
        decimals=0, owner=wallet.account.address, agents=[wallet.account.address], authorized_countries=[FRANCE],
        max_balance=0, supply_cap=0)
    ops.unpause(wallet.w3, wallet.account, deployed["token"])
    return deployed


@pytest.fixture
def token(wallet, suite):
    return contract(wallet.w3, "Token", suite["token"])


@pytest.fixture
def verified(app, platform, wallet, suite):
    """Factory: a new wallet with an ONCHAINID, a platform KYC claim, registered in the suite."""
    claim_signer = Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"])

    def make() -> str:
        address = Account.create().address
        identity = create_identity(wallet.w3, wallet.account, platform, address)
        add_claim(wallet.w3, wallet.account, platform, identity, claim_signer, data=b"kyc:ok")
        ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], address, identity, FRANCE)
        return address
    return make


@pytest.fixture
def offering(db, suite):
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "isActive": True, "tokenAddress": suite["token"],
                             "identityRegistry": suite["identityRegistry"]})
    return offering_id


def settled_orders(db, offering_id, wallets: list[str], quantities: list[int]) -> list[ObjectId]:
    docs = [{"_id": ObjectId(), "offeringId": offering_id, "walletAddress": w, "quantity": q, "isSettled": True,
             "isMinted": False, "status": "settled"} for w, q in zip(wallets, quantities, strict=True)]
    db.orders.insert_many(docs)
    return [d["_id"] for d in docs]


def minted_amounts(w3, token, wallet_address: str | None = None) -> list[int]:
    """Amounts of every mint (Transfer from the zero address) the token ever emitted."""
    logs = token.events.Transfer().get_logs(from_block=0)
    mints = [log["args"] for log in logs if log["args"]["from"] == "0x" + "0" * 40]
    return [args["value"] for args in mints if wallet_address is None or args["to"] == wallet_address]


def start_worker(services, tmp_path, name: str, **env):
    settings = {**services, "CHAIN_JOB_LEASE_SECONDS": "2", "CHAIN_NONCE_LEASE_SECONDS": "2", **env}
    return start_process(flask_argv("worker", "chain"), settings, name, tmp_path)


def kill_group(process) -> None:
    """SIGKILL the worker and its work horse (RQ forks one per job): nothing gets to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_jobs_closed(db, job_ids: list[str], timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = [chain_jobs.get(db, j) for j in job_ids]
        if all(j and j["status"] in (chain_jobs.DONE, chain_jobs.FAILED) for j in jobs):
            return jobs
        time.sleep(0.2)
    open_jobs = [j["_id"] for j in jobs if j["status"] not in (chain_jobs.DONE, chain_jobs.FAILED)]
    raise AssertionError(f"{len(open_jobs)} chain jobs still open after {timeout} s: {open_jobs[:5]}")
