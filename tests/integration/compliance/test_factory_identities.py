"""Only the ONCHAINID the platform's IdFactory made for a wallet is ever written into an identity registry:
a forged identity (a look-alike contract, or another wallet's identity) is refused before any transaction."""

from __future__ import annotations

import pytest
from eth_account import Account

from app.chain.artifacts import contract
from app.chain.identity import NotFactoryIdentity, create_identity, require_factory_identity
from app.chain.tx import deploy
from app.domain.platform import chain_ops
from tests.integration.compliance.conftest import FRANCE


def test_a_forged_identity_is_refused_before_any_transaction(app, db, wallet, platform, make_suite, fund_account):
    w3 = wallet.w3
    suite = make_suite()
    target = Account.create().address
    attacker = fund_account()
    # a genuine-looking Identity deployed outside the factory, with the target's key as management key
    forged = deploy(w3, attacker, "Identity", target, False)
    other = create_identity(w3, wallet.account, platform, Account.create().address)
    nonce = w3.eth.get_transaction_count(wallet.account.address)
    with pytest.raises(NotFactoryIdentity, match="not the ONCHAINID the platform's IdFactory made"):
        chain_ops.submit(app.config, "registerIdentity", "forged-1", suite["identityRegistry"], target, forged, FRANCE)
    # someone else's factory identity is refused too
    with pytest.raises(NotFactoryIdentity):
        chain_ops.register_identities(app.config, "forged-2", suite["identityRegistry"], [target], [other], [FRANCE])
    assert db.chainJobs.count_documents({}) == 0, "nothing recorded"
    assert w3.eth.get_transaction_count(wallet.account.address) == nonce, "nothing sent"
    registry = contract(w3, "IdentityRegistry", suite["identityRegistry"])
    assert registry.functions.contains(target).call() is False


def test_the_factory_identity_of_the_wallet_is_accepted(app, db, wallet, platform, make_suite):
    w3 = wallet.w3
    suite = make_suite()
    target = Account.create().address
    identity = create_identity(w3, wallet.account, platform, target)
    assert require_factory_identity(w3, platform, target, identity.lower()) == identity
    job_id = chain_ops.submit(app.config, "registerIdentity", "genuine-1", suite["identityRegistry"], target,
                              identity, FRANCE)
    assert db.chainJobs.find_one({"_id": job_id}) is not None


def test_recovery_may_use_the_lost_wallets_identity_only(app, wallet, platform, make_suite):
    w3 = wallet.w3
    suite = make_suite()
    lost, new = Account.create().address, Account.create().address
    identity = create_identity(w3, wallet.account, platform, lost)
    stranger = create_identity(w3, wallet.account, platform, Account.create().address)
    with pytest.raises(NotFactoryIdentity):
        chain_ops.submit(app.config, "recoveryAddress", "rec-1", suite["token"], lost, new, stranger)
    assert chain_ops.submit(app.config, "recoveryAddress", "rec-2", suite["token"], lost, new, identity)
