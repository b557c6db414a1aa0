"""Each refusal is explained on the send page before anything is signed, from the chain's state now: an
unregistered recipient, a recipient from a country the offering does not allow, a paused token, tokens still
locked up, a frozen part of the holding, more than the holding, oneself, and more decimals than the token has.
The form keeps what was typed; no sign button is offered."""

from __future__ import annotations

import re

from eth_account import Account

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.compliance import set_lockup_period
from tests.fixtures.accounts import signed_in_client
from tests.fixtures.processes import free_port, wait_for
from tests.integration.holder_transfers.conftest import mint


def _held(client, offering) -> str | None:
    found = re.search(r'data-testid="held">([^<]+)</span>', client.get(f"/portfolio/send/{offering['_id']}").text)
    return found.group(1) if found else None


def _check(client, offering, recipient: str, quantity: str):
    return client.get(f"/portfolio/send/{offering['_id']}", query_string={"recipient": recipient, "quantity": quantity})


def _refused(page, rule: str, words: str) -> None:
    assert page.status_code == 200 and "This transfer would be refused" in page.text, page.text
    assert f'data-rule="{rule}" data-passed="no"' in page.text
    assert words in page.text
    assert "send-with-wallet" not in page.text


def test_each_refusal_is_explained_before_signing(app, db, offering, chain_workers, pair, agent):
    sender, recipient = pair
    w3, token, to = agent.w3, offering["tokenAddress"], recipient["account"].address
    mint(agent, offering, sender["account"].address, 10)
    alice = signed_in_client(app, sender)
    wait_for(lambda: _held(alice, offering) == "10", what="the minted holding")
    assert "Ready to sign" in _check(alice, offering, to, "10").text

    _refused(_check(alice, offering, Account.create().address, "1"), "registered", "is not registered for this token")
    _refused(_check(alice, offering, sender["account"].address, "1"), "self", "cannot send tokens to yourself")
    _refused(_check(alice, offering, to, "11"), "balance", "do not hold that many")

    ops.freeze_partial_tokens(w3, agent.account, token, sender["account"].address, 8)
    _refused(_check(alice, offering, to, "5"), "balance", "do not hold that many unfrozen tokens")
    assert "Ready to sign" in _check(alice, offering, to, "2").text
    ops.unfreeze_partial_tokens(w3, agent.account, token, sender["account"].address, 8)

    ops.pause(w3, agent.account, token)
    _refused(_check(alice, offering, to, "1"), "paused", "The token is paused")
    ops.unpause(w3, agent.account, token)

    registry = contract(w3, "Token", token).functions.identityRegistry().call()
    ops.update_country(w3, agent.account, registry, to, 840)  # the offering allows GB and FR only
    _refused(_check(alice, offering, to, "1"), "country", "country is not allowed")

    typed = _check(alice, offering, to.lower(), "2.5")
    assert typed.status_code == 422 and "whole tokens only" in typed.text
    assert 'value="2.5"' in typed.text and f'value="{to.lower()}"' in typed.text  # what was typed is kept
    for quantity, words in (("0", "above zero"), ("-4", "above zero"), ("lots", "such as 25"), ("9" * 90, "too large")):
        page = _check(alice, offering, to, quantity)
        assert page.status_code == 422 and words in page.text
    assert "That is not a wallet address" in _check(alice, offering, "bob@example.com", "1").text


def test_a_wallet_held_by_libertum_gets_no_sign_button(app, db, offering, chain_workers, pair, agent, monkeypatch):
    sender, recipient = pair
    mint(agent, offering, sender["account"].address, 3)
    alice = signed_in_client(app, sender)
    wait_for(lambda: _held(alice, offering) == "3", what="the minted holding")
    wallets = db.userdetails.find_one({"userId": sender["_id"]})["wallets"]  # FerretDB v1: no positional `$`
    db.userdetails.update_one({"userId": sender["_id"]}, {"$set": {"wallets": [
        {**w, "custody": "platform"} if w["address"] == sender["account"].address else w for w in wallets]}})
    page = _check(alice, offering, recipient["account"].address, "1")
    assert "The token would accept this transfer" in page.text and "send-with-wallet" not in page.text
    assert "held for you by Libertum" in page.text

    monkeypatch.setitem(app.config, "ETH_RPC_URL", f"http://127.0.0.1:{free_port()}")  # the node away
    page = _check(alice, offering, recipient["account"].address, "1")
    assert page.status_code == 200 and "cannot be read right now" in page.text and "send-with-wallet" not in page.text


def test_locked_up_tokens_are_refused_before_signing(app, db, platform, offering, chain_workers, pair, agent):
    sender, recipient = pair
    compliance = contract(agent.w3, "Token", offering["tokenAddress"]).functions.compliance().call()
    set_lockup_period(agent.w3, agent.account, platform, compliance, 30 * 86_400)
    mint(agent, offering, sender["account"].address, 6)
    alice = signed_in_client(app, sender)
    wait_for(lambda: _held(alice, offering) == "6", what="the minted holding")
    _refused(_check(alice, offering, recipient["account"].address, "1"), "lockup", "still locked up")
