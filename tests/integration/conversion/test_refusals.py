"""Each conversion refusal a person can meet, in words, with nothing recorded or sent: not enabled, lock-up not
ended, another issuer's offering, more than the unfrozen unlocked balance, bad quantities, a paused token, a frozen
wallet, more ERC-20 than held, converting back to a wallet the registry no longer verifies."""

from __future__ import annotations

from eth_account import Account

from app.chain import agent as ops
from app.chain.artifacts import contract
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.chain import FRANCE, agent_suite, registered_identity
from tests.integration.conversion.conftest import UNIT, wait_balance
from tests.integration.conversion.test_conversion import convert, enable, job_done


def refusal(answer) -> str:
    assert answer.status_code == 422, answer.status_code
    return answer.get_data(as_text=True)


def test_refused_before_enabling_before_the_lockup_ends_and_for_another_issuer(app, db, platform, offering, holder,
                                                                               issuer_client, issuer, wallet,
                                                                               monitor, sync):
    alice = holder(10)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 10 * UNIT)
    page = alice["client"].get(f"/portfolio/convert/{offering['_id']}").get_data(as_text=True)
    assert "not enabled for this offering" in page
    answer, _ = convert(alice["client"], offering, alice["wallet"], "1", key="0" * 32)  # a form kept from before
    assert "not enabled for this offering" in refusal(answer)

    locked = agent_suite(wallet, platform, prefix="cvl", name="Locked Mill", symbol="LML", countries=[FRANCE],
                         decimals=18)
    doc = list_offering(db, offering_doc(title="Locked Mill", createdBy=issuer["_id"], tokenAddress=locked["token"],
                                         identityRegistry=locked["identityRegistry"],
                                         details={"tokenDecimals": 18, "lockupMonths": 12}))
    buyer = Account.create().address
    registered_identity(wallet, platform, locked["identityRegistry"], buyer, FRANCE,
                        Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"]))
    ops.mint(wallet.w3, wallet.account, locked["token"], buyer, UNIT)  # its lock-up of 12 months starts now
    answer = post(issuer_client, f"/issuer/conversion/{doc['_id']}")
    assert "The lock-up has not ended: conversion can be enabled from" in refusal(answer)

    stranger = signed_in_client(app, make_user("issuer"))
    assert post(stranger, f"/issuer/conversion/{offering['_id']}").status_code == 404
    assert stranger.get(f"/issuer/conversion/{offering['_id']}").status_code == 404
    assert db.chainJobs.count_documents({"op": {"$in": ["convert", "deployErc20"]}}) == 0, "nothing recorded"


def test_refusals_once_enabled_record_nothing(app, db, offering, issuer_client, holder, token, wallet, monitor, sync,
                                             worker):
    alice = holder(100)
    erc20 = enable(db, issuer_client, offering)["erc20Address"]
    ops.freeze_partial_tokens(wallet.w3, wallet.account, offering["tokenAddress"], alice["wallet"], 30 * UNIT)
    for quantity, words in (("70.000000000000000001", "more than you can convert now"),
                            ("1.0000000000000000001", "This token has 18 decimals"),
                            ("-1", "Enter a positive number of tokens."), ("１٢", "Enter a number of tokens"),
                            ("0", "Enter more than zero tokens."), ("9" * 100, "This number is too long")):
        answer, _ = convert(alice["client"], offering, alice["wallet"], quantity)
        text = refusal(answer)
        assert words in text, (quantity, text)
        assert f'value="{quantity}"' in text or len(quantity) > 90, "what was typed is kept"

    ops.pause(wallet.w3, wallet.account, offering["tokenAddress"])
    answer, _ = convert(alice["client"], offering, alice["wallet"], "1")
    assert "The token is paused, so nothing converts until it is unpaused" in refusal(answer)
    ops.unpause(wallet.w3, wallet.account, offering["tokenAddress"])
    ops.set_address_frozen(wallet.w3, wallet.account, offering["tokenAddress"], alice["wallet"], True)
    answer, _ = convert(alice["client"], offering, alice["wallet"], "1")
    assert "Your wallet is frozen for this token" in refusal(answer)
    ops.set_address_frozen(wallet.w3, wallet.account, offering["tokenAddress"], alice["wallet"], False)
    assert db.chainJobs.count_documents({"op": "convert"}) == 0

    answer, _ = convert(alice["client"], offering, alice["wallet"], "70")
    assert job_done(db, answer.headers["Location"])["status"] == "done"
    answer, _ = convert(alice["client"], offering, alice["wallet"], "70.5", direction="toSecurity")
    assert "more ERC-20 tokens than your wallet holds" in refusal(answer)
    ops.delete_identity(wallet.w3, wallet.account, offering["identityRegistry"], alice["wallet"])
    answer, _ = convert(alice["client"], offering, alice["wallet"], "1", direction="toSecurity")
    assert "Your wallet is not verified and registered for this offering" in refusal(answer)
    assert db.chainJobs.count_documents({"op": "convert"}) == 1, "only the accepted conversion was recorded"
    assert contract(wallet.w3, "ConvertibleERC20", erc20).functions.balanceOf(alice["wallet"]).call() == 70 * UNIT
    assert token.functions.getFrozenTokens(alice["wallet"]).call() == 30 * UNIT, "frozen tokens were not touched"
