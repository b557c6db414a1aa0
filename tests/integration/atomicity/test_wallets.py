"""Accounts proving one wallet at the same moment: the wallet is linked to one of them.

The "already linked to another account" check is a read before the write; without the wallet's
lock several accounts passed it at once and each got the wallet."""

from __future__ import annotations

from bson import ObjectId
from eth_account import Account
from eth_account.messages import encode_defunct

from app.data import kyc_webhooks, user_details
from app.domain.onboarding import siwe, wallets
from app.domain.onboarding.kyc import apply_event
from tests.fixtures.accounts import make_user
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


def test_a_wallet_proven_while_a_kyc_retry_unlocks_the_application_keeps_both(app, db):
    """Two writers of one `userdetails` document: the investor's wallet proof and the provider's "retry"
    unlocking the application. Without the document's lock on both sides one write undid the other."""
    for round_number in range(ROUNDS):
        with app.app_context():
            person = make_user("investor")
        user_id = ObjectId(person["_id"])
        user_details.ensure(db, user_id)
        user_details.lock(db, user_id)
        retry = {"applicantId": f"app-{user_id}", "externalUserId": str(user_id), "type": "applicantReviewed",
                 "createdAtMs": f"2026-11-25 10:00:{round_number:02d}.000", "reviewStatus": "completed",
                 "reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "RETRY", "moderationComment": "blurry"}}
        assert kyc_webhooks.record(db, f"retry-{user_id}", retry, retry["createdAtMs"])
        wallet = Account.create()
        with app.app_context():
            message, signature = signed(person, wallet)
        results = race(app, [lambda p=person, m=message, s=signature: wallets.prove_wallet(p, m, s, **SITE),
                             lambda e=f"retry-{user_id}": apply_event(e)])
        assert results == [wallet.address, kyc_webhooks.APPLIED], results
        details = user_details.get(db, user_id)
        assert wallet.address in user_details.verified_wallets(db, user_id), "the proven wallet stays"
        assert not details.get("isFinalSubmission"), "the application is open to resubmit"
