"""Every custom error of the platform's compliance modules reaches a page as a sentence, never as a selector."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from app.chain.artifacts import abi
from app.chain.codec import canonical_type, signature
from app.chain.revert import IN_WORDS, default_decoder

MODULES = ("CountryAllowListModule", "IdentityMaxBalanceModule", "SupplyCapModule", "InvestorCapModule",
           "LockupModule")
ERRORS = sorted({(entry["name"], signature(entry)): entry for name in MODULES for entry in abi(name)
                 if entry["type"] == "error"}.values(), key=lambda e: e["name"])
SAMPLE = {"address": "0x" + "ab" * 20, "uint256": 7, "uint16": 250}


def _revert_data(entry: dict) -> bytes:
    types = [canonical_type(p) for p in entry["inputs"]]
    return keccak(text=signature(entry))[:4] + encode(types, [SAMPLE[t] for t in types])


@pytest.mark.parametrize("entry", ERRORS, ids=lambda e: e["name"])
def test_each_module_error_is_said_in_words(entry):
    assert entry["name"] in IN_WORDS, f"add {entry['name']} to app/chain/revert.py IN_WORDS"
    reason = default_decoder().describe(_revert_data(entry))
    assert reason.name == entry["name"]
    assert not reason.reason.startswith(entry["name"] + "(")
    assert reason.reason.endswith(".")


def test_examples():
    def said(name: str, **args) -> str:
        entry = next(e for e in ERRORS if e["name"] == name)
        types = [canonical_type(p) for p in entry["inputs"]]
        values = [args[p["name"]] for p in entry["inputs"]]
        return default_decoder().describe(keccak(text=signature(entry))[:4] + encode(types, values)).reason

    assert said("InvestorCapBelowCount", cap=2, investors=3) == \
        "An investor cap of 2 is below the 3 investors who already hold tokens."
    assert said("NotIsoCountry", country=999) == "999 is not an ISO 3166 numeric country code."
    assert said("CountryInvestorCapExceeded", country=276, investors=3, cap=2) == \
        "This would make 3 investors in Germany (276), above that country's cap of 2."
    assert "would lock again tokens already sold" in said("RetroactiveLockup", currentPeriod=86400,
                                                           requestedPeriod=30 * 86400, lastLockedMint=1)
