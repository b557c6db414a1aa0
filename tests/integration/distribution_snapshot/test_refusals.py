"""Declarations and decisions that must be refused, each with a message the person can act on and what they typed
kept; staff without the dividends permission meet 403, other issuers 404."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from bson import ObjectId

from app.data import distributions
from tests.factories import PDF_BYTES, list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client

from .conftest import declaration, declare, moment


def test_bad_dates_amounts_and_waterfall_are_refused_with_what_was_typed_kept(db, held_offering, issuer):
    form = declaration(recordDate=moment(-timedelta(hours=1)), paymentDate=moment(-timedelta(days=2)), amount="0",
                       grossRent="£1,000", distributable="650")
    answer = declare(issuer["client"], held_offering["_id"], form)
    assert answer.status_code == 422
    page = answer.text
    assert "after the declaration date (now), not in the past" in page
    assert "on or after the record date" in page
    assert "total to distribute must be more than zero" in page
    assert "Gross rent: Amounts here are in US dollars (USD)" in page
    assert 'value="£1,000"' in page and f'value="{form["recordDate"]}"' in page and 'value="650"' in page
    assert db.distributions.count_documents({}) == 0


def test_a_breakdown_that_does_not_add_up_to_the_total_is_refused(db, held_offering, issuer):
    answer = declare(issuer["client"], held_offering["_id"], declaration(distributable="700.00"))
    assert answer.status_code == 422 and "gross rent minus vacancy" in answer.text
    answer = declare(issuer["client"], held_offering["_id"], declaration(
        amount="700", grossRent="1,000.01", distributable="700.01"))
    assert answer.status_code == 422 and "Distributable must equal the total amount to distribute." in answer.text


def test_a_per_token_amount_states_its_total_at_the_current_supply(db, held_offering, issuer):
    answer = declare(issuer["client"], held_offering["_id"], declaration(amountKind="perToken", amount="2"))
    assert answer.status_code == 422 and "total at today&#39;s supply, $74" in answer.text  # 37 tokens x $2


def test_a_stablecoin_total_above_the_treasury_balance_is_refused_before_approval(db, held_offering, issuer):
    huge = "9,999,999,999,999"
    answer = declare(issuer["client"], held_offering["_id"], declaration(
        paymentMethod="stablecoin", amount=huge, grossRent=huge, vacancy="0", operatingCosts="0", managementFee="0",
        reserveTopUp="0", distributable=huge))
    assert answer.status_code == 422 and "The treasury holds" in answer.text and "fund it first" in answer.text


@pytest.mark.parametrize("amount", ["９９", "1" * 40, "1e9", "-5", "12.345", "\u202e100"])
def test_odd_amounts_are_refused_not_a_500(held_offering, issuer, amount):
    answer = declare(issuer["client"], held_offering["_id"], declaration(amount=amount))
    assert answer.status_code == 422


def test_offering_not_deployed_is_refused_and_another_issuers_offering_is_not_found(app, db, issuer):
    draft = list_offering(db, offering_doc(status="approved", createdBy=issuer["_id"], isTokenDeploy=False))
    answer = declare(issuer["client"], draft["_id"], declaration())
    assert answer.status_code == 422 and "token is not deployed yet" in answer.text
    other = signed_in_client(app, make_user("issuer"))
    assert other.get(f"/issuer/offerings/{draft['_id']}/distributions").status_code == 404
    assert declare(other, draft["_id"], declaration()).status_code == 404
    assert other.get(f"/issuer/offerings/{ObjectId()}/distributions/new").status_code == 404


def test_a_document_above_the_limit_answers_413_and_a_script_is_refused(app, db, held_offering, issuer):
    app.config["UPLOAD_MAX_BYTES"] = 2_000
    big = PDF_BYTES[:-6] + b" " * 3_000 + b"%%EOF\n"
    answer = declare(issuer["client"], held_offering["_id"], declaration(), document=big)
    assert answer.status_code == 413 and "larger than the limit" in answer.text
    answer = declare(issuer["client"], held_offering["_id"], declaration(), document=b"<html><script>x</script>")
    assert answer.status_code == 422 and "Only PDF, PNG, JPEG or WebP" in answer.text
    assert db.distributions.count_documents({}) == 0


def test_approval_after_the_record_date_is_refused_and_rejection_asks_first(db, held_offering, issuer, staff_client):
    answer = declare(issuer["client"], held_offering["_id"], declaration(recordDate=moment(timedelta(seconds=2))))
    distribution_id = answer.headers["Location"].rsplit("/", 1)[1]
    time.sleep(3)
    refused = post(staff_client, f"/admin/distributions/{distribution_id}/approve", follow_redirects=True)
    assert "The record date has passed" in refused.text
    reject = f"/admin/distributions/{distribution_id}/reject"
    asked = post(staff_client, reject, {"remark": "Declare it again with a later record date"})
    assert asked.status_code == 200 and "Reject this distribution?" in asked.text
    assert distributions.by_id(db, ObjectId(distribution_id))["status"] == "declared"
    no_reason = post(staff_client, reject, {"remark": " ", "confirm": "yes"}, follow_redirects=True)
    assert "Give the reason" in no_reason.text
    post(staff_client, reject, {"remark": "Declare it again with a later record date", "confirm": "yes"})
    found = distributions.by_id(db, ObjectId(distribution_id))
    assert found["status"] == "rejected" and found["rejectedReason"].startswith("Declare it again")
    assert db.mailKeys.find_one({"_id": f"distribution-rejected:{distribution_id}"})
    assert "Rejected" in issuer["client"].get(f"/issuer/offerings/{held_offering['_id']}/distributions").text


@pytest.mark.parametrize("path", ["/admin/distributions/", "/admin/distributions/withholding",
                                  f"/admin/distributions/{ObjectId()}"])
def test_staff_without_the_dividends_permission_get_403(app, auth, path):
    assert auth("subadmin", permissions=["kyc"]).get(path).status_code == 403
    assert auth("investor").get(path).status_code == 403
    assert auth("subadmin", permissions=["dividends"]).get(path).status_code in (200, 404)


def test_withholding_rates_refused_keep_what_was_typed(auth):
    staff = auth("subadmin", permissions=["dividends"])
    answer = post(staff, "/admin/distributions/withholding", {"country": "FR", "rate": "150"})
    assert answer.status_code == 422 and "cannot be above 100%" in answer.text and 'value="150"' in answer.text
    answer = post(staff, "/admin/distributions/withholding", {"country": "XX", "rate": "10"})
    assert answer.status_code == 422 and "Choose a country" in answer.text


@pytest.mark.parametrize("segment", ["zzz", "%E2%80%AE" * 30, "6" * 24, "x" * 5000, "%00"])
def test_hostile_ids_answer_404_not_500(auth, segment):
    staff = auth("subadmin", permissions=["dividends"])
    issuer = auth("issuer")
    assert staff.get(f"/admin/distributions/{segment}").status_code == 404
    assert post(staff, f"/admin/distributions/{segment}/approve").status_code in (303, 404)
    assert issuer.get(f"/issuer/distributions/{segment}").status_code == 404
    assert issuer.get(f"/issuer/offerings/{segment}/distributions").status_code == 404
    assert issuer.get(f"/distributions/{segment}/document").status_code == 404
