"""A live offering suite, investors with funded wallets registered in it, and crypto or fiat orders per the contract.

The token has 18 decimals, like most ERC-20s: a few whole tokens already pass 2**63 base units,
so every count of tokens sold, paid amount and mint here crosses BSON's int64 (app/data/amounts.py).
Orders are inserted directly, through app/data/orders, in the shape the shared data contract fixes
(placement is the orders blueprint's business); payment goes through the real chain, monitor,
Kafka and chain-sync where a test asks for `chain_workers`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from eth_account import Account
from eth_account.signers.local import LocalAccount

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.identity import add_claim, create_identity
from app.chain.tx import function_call, send_call
from app.chain.wallet import hot_wallet
from app.data import orders
from app.domain.payments import stablecoin as payments
from infra import devchain
from tests.conftest import agent_suite

FRANCE = 250
PRICE_CENTS = 10_000  # 100.00 per whole token
FEE_PERCENT = 3
DECIMALS = 18
UNIT = 10**DECIMALS  # base units per whole token


@dataclass
class Investor:
    user: dict
    account: LocalAccount

    @property
    def address(self) -> str:
        return self.account.address


@pytest.fixture
def hot(app):
    return hot_wallet(app.config)


@pytest.fixture
def usd(app, platform, hot):
    return contract(hot.w3, "TestUSD", platform["stablecoin"]["address"])


@pytest.fixture
def suite(app, platform, hot):
    """An unpaused suite (18 decimals, no caps) whose agent is the hot wallet. Request `chain_workers` first
    when the test syncs: then the monitor sees the suite deployed and unpaused."""
    return agent_suite(hot, platform, prefix="pay", name="Payment Flats", symbol="PAY", countries=[FRANCE],
                       decimals=DECIMALS)


@pytest.fixture
def offering(db, suite):
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "isActive": True, "tokenAddress": suite["token"],
                             "identityRegistry": suite["identityRegistry"], "overview": {"title": "Payment Flats"},
                             "projectDetails": {"tokenDecimals": DECIMALS, "navLaunchPrice": PRICE_CENTS, "fee": 300},
                             "raisedAmount": 0, "tokensSold": 0, "investorCount": 0})
    return offering_id


@pytest.fixture
def investor(app, db, platform, hot, suite, services):
    """Factory: a KYC'd investor whose wallet has gas, an ONCHAINID with the KYC claim, and a place in the suite."""
    claim_signer = Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"])

    def make() -> Investor:
        account = Account.create()
        devchain.fund(services["ETH_RPC_URL"], account.key.to_0x_hex())
        identity = create_identity(hot.w3, hot.account, platform, account.address)
        add_claim(hot.w3, hot.account, platform, identity, claim_signer, data=b"kyc:ok")
        ops.register_identity(hot.w3, hot.account, suite["identityRegistry"], account.address, identity, FRANCE)
        user = {"_id": ObjectId(), "email": f"inv-{uuid.uuid4().hex[:8]}@example.com", "userType": "investor",
                "name": "Ivy Investor", "isActive": True}
        db.users.insert_one(user)
        return Investor(user, account)
    return make


@pytest.fixture
def admin(db):
    user = {"_id": ObjectId(), "email": "admin@example.com", "userType": "admin", "name": "Ada Admin",
            "isActive": True}
    db.users.insert_one(user)
    return user


@pytest.fixture
def place(app, db, offering):
    """Factory: an order of whole `tokens` per the shared contract (crypto by default), `minutes` after a fixed
    start; its `quantity` is in base units."""
    start = datetime.now(UTC)

    def make(investor: Investor, tokens: int, *, method: str = "crypto", minutes: int = 0,
             offering_id=None) -> dict:
        offering_id = offering_id or offering
        amount = tokens * PRICE_CENTS
        fee = amount * FEE_PERCENT // 100
        order = {"_id": ObjectId(), "userId": investor.user["_id"], "offeringId": offering_id,
                 "walletAddress": investor.address, "tokens": tokens, "quantity": tokens * UNIT,
                 "price": PRICE_CENTS, "amount": amount, "feesInPercentage": FEE_PERCENT, "feeAmount": fee,
                 "totalAmount": amount + fee,
                 "paymentMethod": method, "status": "pending_payment", "isSettled": False, "isMinted": False,
                 "isFreezed": False, "orderReceived": start + timedelta(minutes=minutes),
                 "idempotencyKey": uuid.uuid4().hex, "paymentReference": f"LIB-{uuid.uuid4().hex[:8].upper()}",
                 "paidAmount": 0, "payments": []}
        if method == "crypto":
            order.update(payments.crypto_terms(app.config, offering_id, amount + fee))
        orders.insert_new(db, order)
        return order
    return make


@pytest.fixture
def pay(app, hot, usd):
    """Factory: send `amount` Test USD base units from `sender` (faucet first) to `to` (default: the treasury)."""
    def send(sender: LocalAccount, amount: int, to: str | None = None):
        payments.faucet(app.config, sender.address, amount)
        receipt = send_call(hot.w3, sender, function_call(usd, "transfer", to or payments.treasury(app.config),
                                                          amount))
        return receipt
    return send
