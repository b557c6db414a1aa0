"""The checklist agrees with the chain: on randomised movements (transfers between wallets in every standing, and
mints) through a suite with all the platform's modules, the checklist's chain verdict equals what the token does
(an eth_call of transfer/mint), its module rules equal compliance.canTransfer and its registry rules equal
identityRegistry.isVerified. Allowed movements are then sent, so the counters move between cases.
The seed is printed on failure; CHECKLIST_SEED replays one."""

from __future__ import annotations

import os
import random
import secrets

import pytest
from eth_account import Account
from web3.exceptions import ContractLogicError

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.identity import create_identity
from app.chain.suite import deploy_token_suite
from app.chain.tx import function_call, send_call
from app.chain.wallet import hot_wallet
from app.domain.compliance import checklist
from app.domain.compliance.facts import Reader
from tests.fixtures.chain import registered_identity

FRANCE, GERMANY, USA = 250, 276, 840
CASES = 36
MODULE_RULES = {"country", "holding_cap", "investor_cap", "lockup", "supply"}
REGISTRY_RULES = {"registered", "claim"}


def _funded(w3) -> Account:
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    return account


def _pool(app, w3, agent, platform, suite) -> list:
    """Wallets in every standing: verified in three countries (one not allowed), two wallets of one identity,
    registered without a claim, not registered at all."""
    signer = Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"])
    pool = []
    for country in (FRANCE, FRANCE, GERMANY, GERMANY, GERMANY, USA):
        account = _funded(w3)
        registered_identity(agent, platform, suite["identityRegistry"], account.address, country, signer)
        pool.append(account)
    twin = _funded(w3)  # a second wallet of pool[0]'s identity: holdings count together
    identity = contract(w3, "IdentityRegistry", suite["identityRegistry"]).functions.identity(pool[0].address).call()
    ops.register_identity(w3, agent.account, suite["identityRegistry"], twin.address, identity, FRANCE)
    unclaimed = _funded(w3)
    ops.register_identity(w3, agent.account, suite["identityRegistry"], unclaimed.address,
                          create_identity(w3, agent.account, platform, unclaimed.address), GERMANY)
    return [*pool, twin, unclaimed, _funded(w3)]


def _chain_accepts(fn, sender: str) -> bool:
    try:
        fn.call({"from": sender})
        return True
    except ContractLogicError:
        return False


@pytest.fixture
def seed():
    return int(os.environ.get("CHECKLIST_SEED") or secrets.randbits(32))


def test_the_checklist_matches_the_chain_on_randomised_movements(app, platform, seed):
    rng = random.Random(seed)
    agent = hot_wallet(app.config)
    w3 = agent.w3
    suite = deploy_token_suite(w3, agent.account, platform, salt=f"chk-{secrets.token_hex(6)}", name="Checklist Flats",
                               symbol="CHK", decimals=0, owner=agent.account.address, agents=[agent.account.address],
                               authorized_countries=[FRANCE, GERMANY], max_balance=100, supply_cap=400,
                               investor_cap=4, country_investor_caps={GERMANY: 2}, lockup_seconds=0)
    ops.unpause(w3, agent.account, suite["token"])
    pool = _pool(app, w3, agent, platform, suite)
    token = contract(w3, "Token", suite["token"])
    compliance = contract(w3, "ModularCompliance", suite["modularCompliance"])
    registry = contract(w3, "IdentityRegistry", suite["identityRegistry"])
    ops.mint(w3, agent.account, suite["token"], pool[0].address, 60)
    ops.mint(w3, agent.account, suite["token"], pool[2].address, 50)
    ops.freeze_partial_tokens(w3, agent.account, suite["token"], pool[2].address, 20)
    ops.set_address_frozen(w3, agent.account, suite["token"], pool[5].address, True)
    seen = {"allowed": 0, "refused": 0}
    for case in range(CASES):
        if case == CASES // 2:
            ops.pause(w3, agent.account, suite["token"])
        if case == CASES // 2 + 4:
            ops.unpause(w3, agent.account, suite["token"])
        reader = Reader(w3, platform, suite["token"])
        to = rng.choice(pool)
        minting = rng.random() < 0.3
        sender = None if minting else rng.choice([a for a in pool if token.functions.balanceOf(a.address).call()]
                                                  or pool[:1])
        held = 0 if minting else token.functions.balanceOf(sender.address).call()
        amount = rng.choice([0, 1, 5, 30, 45, 99, 150, held, held + 1, max(held - 1, 0)])
        target = reader.party(to.address)
        if minting:
            rules = checklist.mint(reader.suite({target.country}), target, amount)
            chain = _chain_accepts(token.functions.mint(to.address, amount), agent.account.address)
            origin = "0x0000000000000000000000000000000000000000"
        else:
            source = reader.party(sender.address)
            rules = checklist.transfer(reader.suite({source.country, target.country}), source, target, amount)
            chain = _chain_accepts(token.functions.transfer(to.address, amount), sender.address)
            origin = sender.address
        where = f"seed {seed}, case {case}: {'mint' if minting else 'transfer'} {amount} to pool[{pool.index(to)}]"
        failing = [r.key for r in checklist.failing(rules)]
        assert checklist.chain_allows(rules) == chain, f"{where}: checklist fails {failing}, chain says {chain}"
        modules_ok = all(r.passed for r in rules if r.key in MODULE_RULES)
        assert compliance.functions.canTransfer(origin, to.address, amount).call() == modules_ok, f"{where}: {failing}"
        assert registry.functions.isVerified(to.address).call() == all(
            r.passed for r in rules if r.key in REGISTRY_RULES), f"{where}: {failing}"
        seen["allowed" if chain else "refused"] += 1
        if chain and amount:
            if minting:
                ops.mint(w3, agent.account, suite["token"], to.address, amount)
            else:
                send_call(w3, sender, function_call(token, "transfer", to.address, amount))
    assert seen["allowed"] >= 3 and seen["refused"] >= 3, f"seed {seed}: too few of each verdict {seen}"
