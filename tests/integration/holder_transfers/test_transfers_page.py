"""The investor's transfers page (/account/transfers/) lists the transfers signed from the portfolio's Send page
that they sent or that go to one of their wallets, with links to each status page: a recipient sees an incoming
transfer while it is still pending, before anyone gives them the link."""

from __future__ import annotations

import re

from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import wait_for
from tests.integration.holder_transfers.conftest import mint, record, sign_transfer

UNSEEN = "0x" + "ab" * 32  # a hash the node does not know yet: kept pending, as when a wallet has not broadcast it


def _listed(client) -> list[tuple[str, str, str]]:
    """(status link, text, status) of each listed wallet transfer."""
    page = client.get("/account/transfers/").text
    rows = re.findall(r'data-testid="wallet-transfer"><a href="([^"]+)">(.*?)</a>\s*— <span '
                      r'data-testid="wallet-transfer-status">([^<]+)</span>', page, re.S)
    return [(href, " ".join(re.sub(r"<[^>]+>", "", text).split()), status) for href, text, status in rows]


def test_the_recipient_sees_an_incoming_pending_transfer_and_the_sent_one_lands(app, db, offering, chain_workers,
                                                                                 pair, agent):
    sender, recipient = pair
    to = recipient["account"].address
    mint(agent, offering, sender["account"].address, 10)
    alice, bob = signed_in_client(app, sender), signed_in_client(app, recipient)
    wait_for(lambda: alice.get(f"/portfolio/send/{offering['_id']}").status_code == 200, what="the synced holding")
    fields = {"sender": sender["account"].address, "recipient": to, "amount_units": "4"}
    assert record(alice, offering, {**fields, "tx_hash": UNSEEN}).status_code == 200

    [(href, text, status)] = _listed(bob)
    assert (href, status) == (f"/portfolio/send/tx/{UNSEEN}", "Pending on chain")
    assert text.startswith("Incoming: 4 HTF") and sender["account"].address in text
    assert bob.get(href).status_code == 200  # the link opens for the recipient
    [(_, mine, _)] = _listed(alice)
    assert mine.startswith("Sent: 4 HTF") and to in mine
    assert _listed(signed_in_client(app, make_user("investor"))) == []  # nobody else's

    tx_hash = sign_transfer(agent.w3, sender["account"], offering["tokenAddress"], to, 3)
    assert record(alice, offering, {**fields, "amount_units": "3", "tx_hash": tx_hash}).status_code == 200
    wait_for(lambda: (f"/portfolio/send/tx/{tx_hash}", "Done") in [(h, s) for h, _, s in _listed(bob)],
             what="the landed transfer listed as done for the recipient")
    assert len(_listed(bob)) == 2
