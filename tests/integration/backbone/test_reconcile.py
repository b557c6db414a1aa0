"""`flask chain reconcile`: silent after a random sequence of operations, loud after tampering."""

from __future__ import annotations

import random
import subprocess
import time

from app.chain import agent as ops
from app.chain.revert import ChainRevert
from app.domain.platform.reconcile import reconcile
from tests.fixtures.processes import ROOT, flask_argv

STEPS = 40


def random_operations(rng: random.Random, w3, agent, token, holders: list[str]) -> int:
    """Apply STEPS random agent operations; the contract refuses some (that is part of the mix)."""
    refused = 0
    for _ in range(STEPS):
        holder, other = rng.sample(holders, 2)
        action = rng.choice(["mint", "mint", "burn", "freeze", "unfreeze", "force", "wallet", "pause"])
        try:
            if action == "mint":
                ops.mint(w3, agent, token, holder, rng.randint(1, 500))
            elif action == "burn":
                ops.burn(w3, agent, token, holder, rng.randint(1, 100))
            elif action == "freeze":
                ops.freeze_partial_tokens(w3, agent, token, holder, rng.randint(1, 50))
            elif action == "unfreeze":
                ops.unfreeze_partial_tokens(w3, agent, token, holder, rng.randint(1, 50))
            elif action == "force":
                ops.forced_transfer(w3, agent, token, holder, other, rng.randint(1, 80))
            elif action == "wallet":
                ops.set_address_frozen(w3, agent, token, holder, rng.random() < 0.5)
            else:
                (ops.pause if rng.random() < 0.5 else ops.unpause)(w3, agent, token)
        except ChainRevert:
            refused += 1
    return refused


def run_reconcile(services) -> subprocess.CompletedProcess:
    return subprocess.run(flask_argv("chain", "reconcile"), cwd=ROOT, env={**services}, capture_output=True,
                          text=True, timeout=60)


def test_reconcile_finds_no_drift_then_the_tampered_holding(app, db, monitor, sync, suite, verified, wallet,
                                                            services):
    holders = [verified() for _ in range(4)]
    refused = random_operations(random.Random(11), wallet.w3, wallet.account, suite["token"], holders)
    assert refused < STEPS
    head = wallet.w3.eth.block_number
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and reconcile(app.config, head)[1]:
        time.sleep(0.3)  # chain-sync catching up
    clean = run_reconcile(services)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 difference(s)" in clean.stdout

    victim = holders[0]
    db.holdings.update_one({"_id": f"{suite['token']}:{victim}"}, {"$set": {"balance": "999999", "frozen": "1"}})
    db.chainTokens.update_one({"_id": suite["token"]}, {"$set": {"totalSupply": "1"}})
    tampered = run_reconcile(services)
    assert tampered.returncode == 1
    lines = tampered.stdout.splitlines()
    assert any(victim in line and "balance: MongoDB 999999" in line for line in lines)
    assert any(victim in line and "frozen: MongoDB 1" in line for line in lines)
    assert any("totalSupply: MongoDB 1 " in line for line in lines)
    assert "3 difference(s)" in tampered.stdout
