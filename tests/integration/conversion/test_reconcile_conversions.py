"""`flask chain reconcile` after conversions both ways, a holder's transfer, an agent's burn and a freeze: zero drift
(holdings, frozen amounts, both supplies, security + ERC-20 supply = minted - burned), then the drifts it names
once chain-sync's ERC-20 projection is tampered with."""

from __future__ import annotations

import subprocess

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.tx import function_call, send_call
from app.domain.conversion import supply_check
from app.domain.platform.reconcile import reconcile
from tests.fixtures.processes import ROOT, flask_argv, wait_for
from tests.integration.conversion.conftest import UNIT, wait_balance
from tests.integration.conversion.test_conversion import convert, enable, job_done


def run_reconcile(services) -> subprocess.CompletedProcess:
    return subprocess.run(flask_argv("chain", "reconcile"), cwd=ROOT, env={**services}, capture_output=True, text=True,
                          timeout=120)


def test_zero_drift_after_conversions_a_transfer_a_burn_and_a_freeze(app, db, offering, issuer_client, holder, token,
                                                                     wallet, monitor, sync, worker, services):
    alice, bob = holder(100), holder(20)
    erc20_address = enable(db, issuer_client, offering)["erc20Address"]
    erc20 = contract(wallet.w3, "ConvertibleERC20", erc20_address)
    for quantity, direction in (("30", "toErc20"), ("12.25", "toSecurity")):
        answer, _ = convert(alice["client"], offering, alice["wallet"], quantity, direction)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert job_done(db, answer.headers["Location"])["status"] == "done"
    # a holder's own transfer (alice signs it, with gas from anvil), an agent's burn and a partial freeze
    wallet.w3.provider.make_request("anvil_setBalance", [alice["wallet"], hex(10**18)])
    send_call(wallet.w3, alice["account"], function_call(token, "transfer", bob["wallet"], 5 * UNIT))
    ops.burn(wallet.w3, wallet.account, offering["tokenAddress"], bob["wallet"], 2 * UNIT)
    ops.freeze_partial_tokens(wallet.w3, wallet.account, offering["tokenAddress"], bob["wallet"], 3 * UNIT)
    # and the ERC-20 moves freely: alice sends some to a wallet no registry knows
    stranger = holder(0, registered=False)
    send_call(wallet.w3, alice["account"], function_call(erc20, "transfer", stranger["wallet"], UNIT))

    wait_balance(db, offering["tokenAddress"], bob["wallet"], 23 * UNIT)
    wait_balance(db, erc20_address, stranger["wallet"], UNIT)
    assert supply_check.issued_minus_burned(wallet.w3, offering["tokenAddress"], erc20_address,
                                            wallet.w3.eth.block_number) == 118 * UNIT
    assert token.functions.totalSupply().call() + erc20.functions.totalSupply().call() == 118 * UNIT
    head = wallet.w3.eth.block_number
    try:
        wait_for(lambda: not reconcile(app.config, head)[1], 60, "chain-sync caught up (no drift)")
    except AssertionError:
        print([str(d) for d in reconcile(app.config, head)[1]])
        raise
    clean = run_reconcile(services)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 difference(s)" in clean.stdout

    db.holdings.update_one({"_id": f"{erc20_address}:{alice['wallet']}"}, {"$set": {"balance": "1"}})
    db.chainTokens.update_one({"_id": erc20_address}, {"$set": {"totalSupply": "7"}})
    tampered = run_reconcile(services)
    assert tampered.returncode == 1
    lines = tampered.stdout.splitlines()
    assert any(alice["wallet"] in line and "ERC-20 balance: MongoDB 1 " in line for line in lines), tampered.stdout
    assert any("ERC-20 totalSupply: MongoDB 7 " in line for line in lines), tampered.stdout
    assert any("security + ERC-20 supply against minted - burned: MongoDB" in line for line in lines), tampered.stdout
    assert "3 difference(s)" in tampered.stdout
