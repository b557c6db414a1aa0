"""Pure rules of held wallets and transfer requests: who may have a held wallet, where holdings may move,
four eyes on decisions, the remark a rejection needs, the request's seed fields."""

from __future__ import annotations

import pytest
from bson import ObjectId

from app.domain.custody import rules as custody
from app.domain.transfers import rules


def test_a_held_wallet_needs_an_active_verified_account():
    assert custody.creation_refusal({"isKyc": True}) is None
    assert "identity is verified" in custody.creation_refusal({"isKyc": False})
    assert "not active" in custody.creation_refusal({"isKyc": True, "isActive": False})
    assert "not active" in custody.creation_refusal({"isKyc": True, "isDeleted": True})


def test_holdings_move_only_to_wallets_the_investor_proved():
    wallets = [{"address": "0xHeld", "isVerify": True, "custody": "platform"},
               {"address": "0xOwn", "isVerify": True}, {"address": "0xUnproved", "isVerify": False}]
    assert custody.own_wallets(wallets) == ["0xOwn"]


def test_the_maker_and_the_holder_never_decide():
    maker, holder, staff = ObjectId(), ObjectId(), ObjectId()
    request = {"status": rules.PENDING, "createdBy": maker, "userId": holder}
    assert rules.is_maker(maker, request) and rules.is_maker(holder, request)
    assert not rules.is_maker(staff, request)


@pytest.mark.parametrize("status", [rules.APPROVED, rules.COMPLETED, rules.REJECTED, rules.FAILED])
def test_a_decided_request_is_not_decided_again(status):
    assert "already decided" in rules.state_refusal({"status": status})
    assert rules.state_refusal({"status": rules.PENDING}) is None


def test_a_rejection_needs_a_reason_and_remarks_are_bounded():
    with pytest.raises(ValueError, match="Say why"):
        rules.clean_remark("   ", required=True)
    assert rules.clean_remark("  fine \n by me ", required=False) == "fine by me"
    with pytest.raises(ValueError, match="under 500"):
        rules.clean_remark("x" * 501, required=False)


def test_the_request_carries_the_seeds_fields():
    user = {"_id": ObjectId(), "legalFullName": "Ada Lovelace", "email": "ada@example.com"}
    offering = {"_id": ObjectId(), "overview": {"title": "Harbour Flats"}, "tokenAddress": "0xToken",
                "projectDetails": {"tokenTicker": "HBF", "tokenDecimals": 18}}
    doc = rules.custody_exit_doc(user, offering, "0xHeld", "0xOwn", 5 * 10 ** 18)
    seed = {"userId", "offeringId", "securityName", "registeredName", "reason", "status", "isForceTransfer",
            "registeredEmailId", "walletAddress", "newRegisteredName", "newRegisteredEmailId", "newWalletAddress",
            "tokenQuantity", "remark"}
    assert seed <= set(doc)
    assert (doc["securityName"], doc["status"], doc["isForceTransfer"], doc["tokenQuantity"]) == (
        "Harbour Flats (HBF)", "pending", True, 5 * 10 ** 18)
    assert (doc["walletAddress"], doc["newWalletAddress"], doc["createdBy"]) == ("0xHeld", "0xOwn", user["_id"])
