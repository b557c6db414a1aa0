"""The test stablecoin: deployed once per chain with the platform, a faucet for testers, the receiving address."""

from __future__ import annotations

import os
import subprocess

import pytest
from bson import ObjectId
from eth_account import Account
from web3 import Web3

from app.domain.payments import stablecoin as payments
from app.domain.platform.chain import ensure_platform, platform_contracts
from tests.fixtures.processes import ROOT, flask_argv


def flask(services, *args):
    return subprocess.run(flask_argv(*args), cwd=ROOT, env={**os.environ, **services}, capture_output=True,
                          text=True, timeout=120, check=False)


def test_test_usd_is_recorded_with_the_platform_and_not_redeployed(app, platform, usd, hot):
    coin = platform["stablecoin"]
    assert (coin["name"], coin["symbol"], coin["decimals"], coin["test"]) == ("Test USD", "tUSD", 6, True)
    assert usd.functions.decimals().call() == 6 and usd.functions.owner().call() == hot.account.address
    nonce = hot.w3.eth.get_transaction_count(hot.account.address)
    record, deployed_now = ensure_platform(app.config)
    assert not deployed_now and record["stablecoin"] == coin
    assert hot.w3.eth.get_transaction_count(hot.account.address) == nonce
    assert coin["address"] not in platform_contracts(record), "the monitor follows only transfers to the treasury"


def test_the_faucet_mints_test_usd_to_a_wallet_and_refuses_bad_input(app, services, usd):
    wallet = Account.create().address
    done = flask(services, "chain", "faucet", wallet, "1,250.50")
    assert done.returncode == 0, done.stderr
    assert f"minted 1,250.50 tUSD to {wallet}" in done.stdout
    assert usd.functions.balanceOf(wallet).call() == 1_250_500_000
    for args, complaint in (((wallet, "0.0000001"), "at most 6 decimals"), (("0x12", "5"), "is not an address")):
        refused = flask(services, "chain", "faucet", *args)
        assert refused.returncode != 0 and complaint in refused.stderr


def test_the_faucet_and_the_hot_wallet_treasury_are_refused_in_production(app):
    production = {**app.config, "LIBERTUM_ENV": "production"}
    with pytest.raises(payments.PaymentsUnavailable, match="development and test chains"):
        payments.faucet(production, Account.create().address, 1)
    with pytest.raises(payments.PaymentsUnavailable, match="TREASURY_ADDRESS must be set in production"):
        payments.treasury(production)
    assert payments.treasury({**production, "TREASURY_ADDRESS": "0x" + "ab" * 20}) == \
        Web3.to_checksum_address("0x" + "ab" * 20)


def test_an_offering_gets_its_receiving_address_once(app, db, platform):
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live"})
    terms = payments.crypto_terms(app.config, offering_id, 10_300)
    assert terms == {"paymentToken": platform["stablecoin"]["address"], "paymentAddress": payments.treasury(app.config),
                     "paymentDue": 103_000_000, "paymentDecimals": 6}
    db.offerings.update_one({"_id": offering_id}, {"$set": {"paymentAddress": "0x" + "cd" * 20}})
    assert payments.crypto_terms(app.config, offering_id, 1)["paymentAddress"] == "0x" + "cd" * 20
    with pytest.raises(LookupError):
        payments.crypto_terms(app.config, ObjectId(), 1)
