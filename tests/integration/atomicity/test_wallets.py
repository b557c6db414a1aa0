"""Accounts proving one wallet at the same moment: the wallet is linked to one of them.

The "already linked to another account" check is a read before the write; without the wallet's
lock several accounts passed it at once and each got the wallet."""

from __future__ import annotations

from bson import ObjectId
from eth_account import Account
from eth_account.messages import encode_defunct

from app.data import user_details
from app.domain import siwe, wallets
from tests.integration.accounts.conftest import make_user
from tests.integration.atomicity.conftest import race

ACCOUNTS, ROUNDS = 5, 4
SITE = {"domain": "localhost", "uri": "http://localhost/onboarding/wallets"}


def signed(user: dict, account) -> tuple[str, str]:
    message = wallets.message_for(user, account.address, **SITE)
    return message, "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def test_one_wallet_proven_by_several_accounts_at_once_is_linked_once(app, db):
    with app.app_context():
        people = [make_user("investor") for _ in range(ACCOUNTS)]
        for person in people:
            user_details.ensure(db, ObjectId(person["_id"]))
    for _ in range(ROUNDS):
        wallet = Account.create()
        with app.app_context():
            proofs = [(person, *signed(person, wallet)) for person in people]
        results = race(app, [lambda p=p, m=m, s=s: wallets.prove_wallet(p, m, s, **SITE) for p, m, s in proofs])
        assert results.count(wallet.address) == 1, results
        assert all(isinstance(r, siwe.SiweError) for r in results if r != wallet.address)
        holders = [p for p in people if wallet.address in user_details.verified_wallets(db, ObjectId(p["_id"]))]
        assert len(holders) == 1
