"""A holder sends tokens to another investor from the portfolio, on the real stack: the form checks the transfer
against the chain before anything is signed, the sender's own key signs the token's transfer, chain-monitor and
chain-sync apply it, and both portfolios, both transaction lists and the recipient's mailbox show it."""

from __future__ import annotations

import re

from eth_account import Account

from app.chain.artifacts import contract
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import wait_for
from tests.integration.holder_transfers.conftest import mint, record, sign_transfer


def _balance(client) -> str | None:
    found = re.search(r'data-testid="balance">([^<]+)</span>', client.get("/portfolio/").text)
    return found.group(1) if found else None


def test_a_holder_sends_tokens_and_both_portfolios_show_it(app, db, offering, chain_workers, pair, agent):
    sender, recipient = pair
    token, w3 = offering["tokenAddress"], agent.w3
    mint(agent, offering, sender["account"].address, 10)
    alice, bob = signed_in_client(app, sender), signed_in_client(app, recipient)
    wait_for(lambda: _balance(alice) == "10", what="the minted holding in the sender's portfolio")
    assert f'href="/portfolio/send/{offering["_id"]}"' in alice.get("/portfolio/").text

    typed = {"recipient": f"  {recipient['account'].address.lower()} ", "quantity": "3"}
    page = alice.get(f"/portfolio/send/{offering['_id']}", query_string=typed)
    assert page.status_code == 200 and "Ready to sign" in page.text, page.text
    assert f'data-to="{recipient["account"].address}"' in page.text and 'data-amount="3"' in page.text

    tx_hash = sign_transfer(w3, sender["account"], token, recipient["account"].address, 3)
    fields = {"tx_hash": tx_hash, "sender": sender["account"].address, "recipient": recipient["account"].address,
              "amount_units": "3"}
    answer = record(alice, offering, fields)
    assert answer.status_code == 200, answer.text
    status_url = answer.json["status_url"]
    wait_for(lambda: 'data-status="done"' in alice.get(status_url).text, what="the transfer applied by chain-sync")
    assert record(alice, offering, fields).json["status"] == "done"  # a second tab or a retry: the same record

    assert contract(w3, "Token", token).functions.balanceOf(recipient["account"].address).call() == 3
    wait_for(lambda: _balance(alice) == "7" and _balance(bob) == "3", what="both portfolios")
    sent, received = alice.get("/portfolio/transactions").text, bob.get("/portfolio/transactions").text
    assert tx_hash in sent and "Sent" in sent and tx_hash in received and "Received" in received
    recipient_view = bob.get(status_url)
    assert recipient_view.status_code == 200 and sender["account"].address in recipient_view.text
    assert signed_in_client(app, make_user("investor")).get(status_url).status_code == 404
    staff = signed_in_client(app, make_user("admin")).get("/admin/transactions/observed",
                                                          query_string={"event": "Transfer"})
    assert tx_hash in staff.text  # the staff's record of observed transactions, not sent by the platform

    doc = db.holderTransfers.find_one({"_id": tx_hash})
    assert doc["status"] == "done" and doc["amount"] == "3" and doc["toUserId"] == recipient["_id"]
    wait_for(lambda: db.outbox.count_documents({"to": recipient["email"], "subject": {"$regex": "You received"}}) == 1,
             what="the recipient's mail")
    mail = db.outbox.find_one({"to": recipient["email"], "subject": {"$regex": "You received"}})
    assert tx_hash in mail["body"] and "3 HTF" in mail["body"]
    assert db.outbox.count_documents({"to": sender["email"], "subject": {"$regex": "You received"}}) == 0


def test_a_reverted_transfer_shows_as_failed_with_the_tokens_reason(app, db, offering, chain_workers, pair, agent):
    sender, recipient = pair
    mint(agent, offering, sender["account"].address, 4)
    alice = signed_in_client(app, sender)
    wait_for(lambda: _balance(alice) == "4", what="the minted holding")
    # signed for more than the holding, with an explicit gas limit so the wallet sends it anyway
    call = contract(agent.w3, "Token", offering["tokenAddress"]).functions.transfer(recipient["account"].address, 9)
    tx = call.build_transaction({"from": sender["account"].address, "gas": 300_000, "chainId": agent.w3.eth.chain_id,
                                 "nonce": agent.w3.eth.get_transaction_count(sender["account"].address)})
    tx_hash = agent.w3.eth.send_raw_transaction(sender["account"].sign_transaction(tx).raw_transaction).to_0x_hex()
    answer = record(alice, offering, {"tx_hash": tx_hash, "sender": sender["account"].address,
                                      "recipient": recipient["account"].address, "amount_units": "9"})
    wait_for(lambda: 'data-status="failed"' in alice.get(answer.json["status_url"]).text, what="the failed state")
    assert "No tokens moved" in alice.get(answer.json["status_url"]).text


def test_the_record_refuses_what_is_not_a_transfer_of_this_holder(app, db, offering, chain_workers, pair, agent):
    sender, recipient = pair
    mint_hash = mint(agent, offering, sender["account"].address, 2)
    alice = signed_in_client(app, sender)
    wait_for(lambda: _balance(alice) == "2", what="the minted holding")
    fields = {"tx_hash": "0x" + "ab" * 32, "sender": sender["account"].address,
              "recipient": recipient["account"].address, "amount_units": "1"}
    assert record(alice, offering, {**fields, "tx_hash": "nope"}).status_code == 422
    assert record(alice, offering, {**fields, "sender": Account.create().address}).status_code == 422
    assert record(alice, offering, {**fields, "recipient": "0x12"}).status_code == 422
    # a real transaction that is not this holder's transfer (the agent's mint) cannot take the hash's record
    squat = record(alice, offering, {**fields, "tx_hash": mint_hash})
    assert squat.status_code == 422 and "not a transfer of this token from your wallet" in squat.json["error"]
    assert db.holderTransfers.count_documents({"_id": mint_hash}) == 0
    # someone holding nothing of the offering has no send page and cannot record
    stranger = signed_in_client(app, recipient)
    assert stranger.get(f"/portfolio/send/{offering['_id']}").status_code == 404
    assert record(stranger, offering, fields).status_code == 404
