"""Changing a deployed offering's compliance limits from the back office, on the real stack: a T-REX suite with the
platform's own modules on anvil, the change sent as chain jobs by an RQ worker, holders projected by chain-sync.
Limits read back from the chain; every refusal in words with what was typed kept; a change applied twice is sent
once; staff without `offerings` get 403."""

from __future__ import annotations

import pytest
from bson import ObjectId
from web3 import Web3

from app.chain import agent as ops
from app.chain import compliance as chain_compliance
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data import chain_jobs
from app.domain.compliance import limits
from app.tasks import queues
from tests.factories import list_offering, offering_doc
from tests.fixtures.chain import approved_investor
from tests.fixtures.processes import run_jobs
from tests.integration.compliance_limits.conftest import UNIT
from tests.integration.compliance_limits.conftest import change as _change
from tests.integration.compliance_limits.conftest import suite as _suite

DAY = 86_400


def _lockup(app, offering: dict) -> int:
    w3, platform, compliance = _suite(app, offering)
    return contract(w3, "LockupModule", platform["lockupModule"]).functions.lockupPeriod(compliance).call()


def test_staff_change_the_investor_cap_and_the_lockup_and_the_chain_has_them(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert 'data-testid="limit-investorCap">No limit' in page and 'data-testid="limit-lockup">No limit' in page
    assert "4.5 tokens" in page  # issued, in tokens with the token's 18 decimals
    assert f"/admin/offerings/{oid}/compliance-limits" in staff.get(f"/admin/offerings/{oid}").text
    assert "No lock-up" in staff.get(f"/offerings/{oid}").text  # the offering page is cached from here

    answer = _change(staff, oid, investorCap="5", lockup="30")
    assert answer.status_code == 303
    page = staff.get(answer.headers["Location"]).text
    assert "2 changes are on their way to the chain" in page and 'hx-trigger="every 1s"' in page
    assert "Sending to the chain" in page and "Board decision 12" in page
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"].get("maxInvestors") is None

    run_jobs(queues.CHAIN)
    w3, platform, compliance = _suite(app, offering)
    assert chain_compliance.investor_cap(w3, platform, compliance) == 5
    assert _lockup(app, offering) == 30 * DAY
    details = db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]
    assert details["maxInvestors"] == 5 and details["lockupSeconds"] == 30 * DAY
    assert "30 days after purchase" in staff.get(f"/offerings/{oid}").text  # the cached page followed
    fragment = staff.get(f"/admin/offerings/{oid}/compliance-limits/history", headers={"HX-Request": "true"})
    assert fragment.headers.get("HX-Refresh") == "true"  # nothing pending: the page reloads to show the chain
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert 'data-testid="limit-investorCap">5 investors' in page and 'data-testid="limit-lockup">30 days' in page
    assert "Maximum number of investors</strong>: No limit → 5 investors" in page
    assert "Lock-up</strong>: No limit → 30 days" in page and page.count("Confirmed on the chain") == 2
    assert staff.user["email"] in page or (staff.user.get("legalFullName") or "") in page
    entries = list(db.complianceLimitChanges.find({"offeringId": offering["_id"]}))
    assert {(e["limit"], e["oldValue"], e["newValue"], e["status"]) for e in entries} == {
        ("investorCap", "0", "5", "confirmed"), ("lockup", "0", str(30 * DAY), "confirmed")}
    assert all(e["byId"] == staff.user["_id"] and e["reason"] == "Board decision 12" for e in entries)


def test_an_18_decimal_max_balance_and_a_supply_cap_added_after_the_first_mint(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    public = staff.get(f"/offerings/{oid}").text  # the offering page is cached from here
    assert "2,000 tokens" in public
    assert _change(staff, oid, maxBalance="3.000000000000000001", supplyCap="1,000,000.5").status_code == 303
    run_jobs(queues.CHAIN)
    w3, platform, compliance = _suite(app, offering)
    assert contract(w3, "IdentityMaxBalanceModule", platform["maxBalanceModule"]).functions.maxBalance(
        compliance).call() == 3 * UNIT + 1
    supply = contract(w3, "SupplyCapModule", platform["supplyLimitModule"])
    assert contract(w3, "ModularCompliance", compliance).functions.isModuleBound(supply.address).call()
    assert supply.functions.supplyCap(compliance).call() == 1_000_000 * UNIT + UNIT // 2
    assert chain_jobs.get(db, f"compliance-limit:{oid}:supplyCap:1:bind")["status"] == "done"
    details = db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]
    assert details["maxTokenHolding"] == 3 and details["tokenSupply"] == 1_000_000
    assert "3 tokens" in staff.get(f"/offerings/{oid}").text  # the cached page followed
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert "3.000000000000000001 tokens" in page and "1,000,000.5 tokens" in page


REFUSALS = [
    ({"supplyCap": "4"}, "supplyCap", "A supply cap of 4 tokens is below the 4.5 tokens already issued."),
    ({"investorCap": "1"}, "investorCap", "A cap of 1 investor is below the 2 investors who hold tokens now."),
    ({"maxBalance": "1"}, "maxBalance", "2 holders hold more than 1 token now (the largest 3 tokens)"),
    ({"maxBalance": "2"}, "maxBalance", "1 holder holds more than 2 tokens now (the largest 3 tokens)"),
    ({"investorCap": "-3"}, "investorCap", "The number of investors cannot be negative"),
    ({"lockup": "99999999"}, "lockup", "The lock-up can be at most 36,500 days (100 years)."),
    ({"supplyCap": "9" * 90}, "supplyCap", "That number is larger than any token supply."),
    ({"maxBalance": "1.0000000000000000001"}, "maxBalance", "This token has 18 decimals"),
    ({"maxBalance": "lots"}, "maxBalance", "Enter a number of tokens in digits"),
    ({"lockup": "2 weeks"}, "lockup", "Enter the lock-up as a whole number in digits"),
    ({"investorCap": "٣"}, "investorCap", "as a whole number in digits"),
    ({"investorCap": "5", "reason": "  "}, "reason", "Say why the limits change"),
    ({}, "form", "Nothing to change"),
]


def test_each_refusal_is_said_next_to_its_field_and_keeps_what_was_typed(db, staff, held):
    oid = held["oid"]
    for typed, field, said in REFUSALS:  # one suite for all: deploying one per case would cost a minute
        answer = _change(staff, oid, **typed)
        assert answer.status_code == 422, typed
        assert said in answer.text, (typed, said)
        if field not in ("form", "reason"):
            assert f'id="{field}-error"' in answer.text and f'value="{typed[field]}"' in answer.text, typed
    assert db.complianceLimitChanges.count_documents({"offeringId": held["offering"]["_id"]}) == 0


def test_a_lockup_lengthened_over_sold_tokens_is_refused_in_the_modules_words(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    assert _change(staff, oid, lockup="1").status_code == 303
    run_jobs(queues.CHAIN)
    wallet = hot_wallet(app.config)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], held["holders"][0]["account"].address, UNIT)
    answer = _change(staff, oid, lockup="400")
    assert answer.status_code == 422 and "would lock again tokens already sold" in answer.text
    assert 'value="400"' in answer.text and _lockup(app, offering) == DAY


def test_an_offering_not_deployed_says_so_in_words(db, staff):
    doc = list_offering(db, offering_doc(status="approved", isTokenDeploy=False, title="Paper Mill"))
    page = staff.get(f"/admin/offerings/{doc['_id']}/compliance-limits")
    assert page.status_code == 200 and "token is not deployed yet" in page.text and "Change limits" not in page.text
    refused = _change(staff, str(doc["_id"]), investorCap="5")
    assert refused.status_code == 422 and "token is not deployed yet" in refused.text


def test_a_change_applied_twice_and_clicked_twice_is_sent_once(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    assert _change(staff, oid, investorCap="7").status_code == 303
    again = _change(staff, oid, investorCap="8")  # a second click while the first is on its way
    assert again.status_code == 422 and "on its way to the chain already" in again.text
    key = f"compliance-limit:{oid}:investorCap:1"
    queues.queue(queues.CHAIN).empty()  # its job lost (Redis flushed): `flask chain requeue` enqueues it again
    assert limits.requeue_pending(app.config) == [key]
    assert limits.apply(app.config, key) == "confirmed"
    assert limits.apply(app.config, key) == "confirmed"
    run_jobs(queues.CHAIN)  # the requeued job too: a third run
    assert limits.requeue_pending(app.config) == []
    assert len(chain_jobs.get(db, key)["txs"]) == 1
    w3, platform, compliance = _suite(app, offering)
    module = contract(w3, "InvestorCapModule", platform["investorCapModule"])
    events = module.events.InvestorCapSet().get_logs(from_block=0, argument_filters={
        "compliance": Web3.to_checksum_address(compliance)})
    assert [event["args"]["cap"] for event in events] == [0, 7]  # deployment's, then ours once
    assert db.complianceLimitChanges.count_documents({"offeringId": ObjectId(oid)}) == 1


@pytest.mark.parametrize("role", [("subadmin", ["transfers"]), ("issuer", None), ("investor", None)])
def test_without_the_offerings_permission_the_page_and_the_change_are_403(db, auth, role):
    client = auth(role[0], permissions=role[1])
    oid = str(list_offering(db, offering_doc(tokenAddress="0x" + "1" * 40))["_id"])
    assert client.get(f"/admin/offerings/{oid}/compliance-limits").status_code == 403
    assert _change(client, oid, investorCap="9").status_code == 403
    assert db.complianceLimitChanges.count_documents({}) == 0


def test_a_countrys_investor_cap_is_refused_below_its_holders_and_above_the_overall_cap_then_set(app, db, staff,
                                                                                                  held):
    oid, offering = held["oid"], held["offering"]
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert 'data-testid="limit-countryCap-GB">No limit' in page and "(2 holding there now)" in page
    refused = _change(staff, oid, **{"countryCap-GB": "1"})
    assert refused.status_code == 422
    assert "A cap of 1 investor in United Kingdom is below the 2 investors there who hold tokens now." in refused.text
    refused = _change(staff, oid, investorCap="2", **{"countryCap-GB": "3"})
    assert refused.status_code == 422
    assert "A country&#39;s cap cannot be above the maximum number of investors (2)." in refused.text

    assert _change(staff, oid, investorCap="4", **{"countryCap-GB": "2"}).status_code == 303
    run_jobs(queues.CHAIN)
    w3, platform, compliance = _suite(app, offering)
    assert chain_compliance.investor_cap(w3, platform, compliance, 826) == 2
    assert chain_compliance.investor_cap(w3, platform, compliance) == 4
    details = db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]
    assert details["maxInvestorsPerCountry"] == {"GB": 2} and details["maxInvestors"] == 4
    assert "Maximum investors in United Kingdom</strong>: No limit → 2 investors" in staff.get(
        f"/admin/offerings/{oid}/compliance-limits").text
    lowered = _change(staff, oid, investorCap="1")  # below the United Kingdom's cap of 2 (and the 2 holders)
    assert lowered.status_code == 422 and "investors who hold tokens now" in lowered.text


def test_a_change_the_chain_refuses_when_it_runs_is_failed_in_words_and_changes_nothing(app, db, platform, staff,
                                                                                         held):
    oid, offering = held["oid"], held["offering"]
    assert _change(staff, oid, investorCap="2").status_code == 303  # two holders: allowed when typed
    third = approved_investor(app, platform, offering)  # a third investor is minted before the job runs
    wallet = hot_wallet(app.config)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], third["account"].address, UNIT)
    run_jobs(queues.CHAIN)
    change = db.complianceLimitChanges.find_one({"_id": f"compliance-limit:{oid}:investorCap:1"})
    assert change["status"] == "failed"
    assert "An investor cap of 2 is below the 3 investors who already hold tokens." in change["error"]
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert "Not changed: " in page and "below the 3 investors who already hold tokens" in page
    assert 'data-testid="limit-investorCap">No limit' in page
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"].get("maxInvestors") is None
    assert _change(staff, oid, investorCap="3").status_code == 303  # typed again: a new change, not blocked
    run_jobs(queues.CHAIN)
    assert db.complianceLimitChanges.find_one({"_id": f"compliance-limit:{oid}:investorCap:2"})["status"] == "confirmed"
    w3, chain, compliance = _suite(app, offering)
    assert chain_compliance.investor_cap(w3, chain, compliance) == 3


def test_the_country_list_changes_on_chain_and_in_the_offering(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    w3, platform, compliance = _suite(app, offering)
    allowed = contract(w3, "CountryAllowListModule", platform["countryAllowModule"]).functions.isCountryAllowed
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert 'data-testid="limit-countries">United Kingdom<' in page
    refused = _change(staff, oid, countries="Narnia, FR")
    assert refused.status_code == 422 and "Not a country we know: Narnia." in refused.text
    assert 'value="Narnia, FR"' in refused.text

    assert _change(staff, oid, countries="United Kingdom, fr").status_code == 303
    run_jobs(queues.CHAIN)
    assert allowed(compliance, 250).call() and allowed(compliance, 826).call()
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]["authorizedCountries"] == ["GB", "FR"]
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert 'data-testid="limit-countries">France, United Kingdom<' in page
    assert 'data-testid="limit-countryCap-FR">No limit' in page  # France's cap can be set now

    assert _change(staff, oid, countries="Germany").status_code == 303  # one allowed, two removed: two transactions
    run_jobs(queues.CHAIN)
    key = f"compliance-limit:{oid}:countries:2"
    assert chain_jobs.get(db, key + ":allow")["status"] == "done" and chain_jobs.get(db, key)["status"] == "done"
    assert allowed(compliance, 276).call() and not allowed(compliance, 250).call()
    assert not allowed(compliance, 826).call()
    assert db.offerings.find_one({"_id": offering["_id"]})["projectDetails"]["authorizedCountries"] == ["DE"]
    page = staff.get(f"/admin/offerings/{oid}/compliance-limits").text
    assert "Countries investors may live in</strong>: France, United Kingdom → Germany" in page
