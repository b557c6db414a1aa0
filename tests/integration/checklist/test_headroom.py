"""Compliance headroom on the real stack: an offering with an investor cap, a per-country cap, a supply cap, a
max balance and a lock-up, two holders minted through the platform's mint jobs (holdings synced by chain-sync),
one of them with a KYC ending within 90 days: the issuer reads seats left, supply left, room under the maximum,
the month the lock-up releases, and who needs re-KYC; a stranger gets 404."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from app.chain.agent import unpause
from app.chain.suite import deploy_token_suite
from app.data import chain_contracts
from app.domain.compliance import headroom
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import wait_for
from tests.integration.issuer_dashboard.test_locked_column import DAY, UNIT, _holder, _mint_orders, _offering

FRANCE, GERMANY = 250, 276


def test_the_issuer_reads_the_headroom(app, db, wallet, platform, chain_workers):
    issuer = make_user("issuer")
    suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"hr-{secrets.token_hex(6)}",
                               name="Headroom Halls", symbol="HRH", decimals=18, owner=wallet.account.address,
                               agents=[wallet.account.address], authorized_countries=[FRANCE, GERMANY],
                               max_balance=50 * UNIT, supply_cap=1000 * UNIT, investor_cap=5,
                               country_investor_caps={FRANCE: 3}, lockup_seconds=40 * DAY)
    unpause(wallet.w3, wallet.account, suite["token"])
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    offering = _offering(db, suite, issuer, "Headroom Halls")
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.authorizedCountries": ["FR", "DE"]}})
    (alice, a), (bob, b) = (_holder(app, db, wallet, platform, suite) for _ in range(2))
    db.users.update_one({"_id": bob["_id"]}, {"$set": {"kycApprovedAt": "2025-02-01 00:00:00.000000"}})
    _mint_orders(app, db, offering, [(alice, a, 10), (bob, b, 30)])
    wait_for(lambda: all(db.holdings.find_one({"_id": f"{suite['token']}:{w}"}) for w in (a, b)),
             what="chain-sync's holdings of the two minted wallets")

    board = headroom.headroom(issuer, str(offering["_id"]), now=datetime(2026, 1, 1, tzinfo=UTC))
    chain = board["chain"]
    assert (chain["suite"].investors, chain["suite"].investor_cap) == (2, 5)
    assert chain["countries"] == [{"code": "FR", "investors": 2, "cap": 3}, {"code": "DE", "investors": 0, "cap": 0}]
    assert chain["supply_left"] == 960 * UNIT
    assert [(h["row"].wallet.lower(), h["room"]) for h in chain["largest"]] == [(b.lower(), 20 * UNIT),
                                                                                 (a.lower(), 40 * UNIT)]
    assert sum(amount for _month, amount in chain["calendar"]) == 40 * UNIT  # both mints, one release month
    assert [k["row"].wallet.lower() for k in board["kyc_ending"]] == [b.lower()]  # valid until 1 Feb 2026

    page = signed_in_client(app, issuer).get(f"/issuer/offerings/{offering['_id']}/headroom")
    assert page.status_code == 200 and "2 investors of at most 5 (3 seats left)" in page.text
    kyc_section = page.text.split('id="kyc-title"')[1]
    assert bob["email"] in kyc_section and alice["email"] not in kyc_section  # past 1 Feb 2026, whatever today is
    dashboard = signed_in_client(app, issuer).get(f"/issuer/offerings/{offering['_id']}/dashboard")
    assert f"/issuer/offerings/{offering['_id']}/headroom" in dashboard.text
    stranger = signed_in_client(app, make_user("issuer"))
    assert stranger.get(f"/issuer/offerings/{offering['_id']}/headroom").status_code == 404
