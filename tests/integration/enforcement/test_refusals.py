"""Every case is checked before anything is recorded or queued, and a refused form comes back (422, 413 for a
document above the limit) with the message next to its field and what was typed kept."""

from __future__ import annotations

from html import unescape

import pytest
from eth_account import Account

from app.chain import agent as ops
from app.data.user_details import add_verified_wallet
from tests.factories import list_offering, offering_doc
from tests.fixtures.processes import run_jobs
from tests.integration.enforcement.conftest import case_id_of, decide, make_case, staff
from tests.integration.enforcement.test_decisions import GB


@pytest.fixture
def refused(app, db, book):
    """Post a case that must be refused; assert the status, the message and that nothing was recorded."""
    maker = staff(app)

    def check(kind: str, message: str, *, status: int = 422, offering=None, **fields) -> str:
        before = db.agentActions.count_documents({})
        response = make_case(maker, offering or book["offering"], kind, **fields)
        page = unescape(response.text)
        assert response.status_code == status, page
        assert message in page, page
        assert db.agentActions.count_documents({}) == before
        return page
    check.maker = maker
    return check


def test_amounts_and_wallets_the_token_would_refuse(db, book, refused):
    a, b = book["a"]["account"].address, book["b"]["account"].address
    stranger = Account.create().address
    refused("burn", "The holder has only 5 tokens; enter at most that.", wallet=b, amount="5.000000000000000001")
    refused("forced_transfer", "The holder has only 10 tokens", wallet=a, to_wallet=b, amount="11")
    refused("burn", "Enter more than zero tokens.", wallet=b, amount="0")
    refused("burn", "in digits", wallet=b, amount="-1")
    refused("burn", "at most 18 digits after the point", wallet=b, amount="1.0000000000000000001")
    refused("burn", "larger than any token supply", wallet=b, amount="9" * 100)
    refused("freeze_address", f"No holder or registered wallet {stranger} on this token", wallet=stranger)
    refused("freeze_address", "Enter a wallet address", wallet="0x12345")
    refused("unfreeze_partial", "Only 0 tokens of this holder are frozen", wallet=a, amount="1")
    refused("unfreeze_address", "This wallet is not frozen.", wallet=a)
    refused("unpause", "The token is not paused.")
    refused("forced_transfer", "The receiving wallet is the holder's own wallet", wallet=a, to_wallet=a, amount="1")
    refused("forced_transfer", "not verified and registered for this token", wallet=a, to_wallet=stranger,
            amount="1")
    refused("recovery", "The investor has not proven this new wallet", wallet=a, new_wallet=stranger)
    proven = Account.create().address
    add_verified_wallet(db, book["a"]["_id"], proven, "metamask")
    hot = book["hot"]
    ops.register_identity(hot.w3, hot.account, book["offering"]["identityRegistry"], proven, book["a"]["identity"],
                          GB)
    refused("recovery", "already registered for this token", wallet=a, new_wallet=proven)


def test_states_the_token_is_already_in(app, db, book, refused):
    a = book["a"]["account"].address
    for kind, fields in (("freeze_address", {"wallet": a}), ("pause", {})):
        cid = case_id_of(make_case(refused.maker, book["offering"], kind, **fields))
        assert decide(refused.maker, cid, "approve").status_code == 303
    run_jobs("chain")
    refused("freeze_address", "This wallet is already frozen.", wallet=a)
    refused("pause", "The token is already paused.")
    refused("freeze_partial", "tokens not frozen yet", wallet=a, amount="10.5")


def test_the_form_itself(app, db, book, refused):
    b = book["b"]["account"].address
    page = refused("burn", "Write the reason for this action", reason="   ", wallet=b, amount="1.5")
    assert 'value="1.5"' in page and f'value="{b}"' in page  # what was typed is kept
    page = refused("burn", "Attach at least one evidence document", evidence=None, wallet=b, amount="1",
                   reason="Court order ünïcode ✓")
    assert "Court order ünïcode ✓" in page
    refused("burn", "Only PDF, PNG, JPEG or WebP", evidence=b"just text", wallet=b, amount="1")
    refused("nonsense", "Choose what to do.")
    refused("burn", "whole number of hours", wallet=b, amount="1", time_lock_hours="1.5")
    app.config["UPLOAD_MAX_BYTES"] = 64
    refused("burn", "larger than the limit of 64 bytes", status=413, wallet=b, amount="1")
    undeployed = list_offering(db, offering_doc())
    refused("pause", "token is not deployed yet", offering=undeployed)
