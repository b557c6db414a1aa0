"""Investor caps set by the issuer on the wizard's token step, through the real pages: refused for a country the
offering does not authorise, shown on the review step and the admin review in human terms, and deployed on anvil
into the investor cap module (read back through app.chain.compliance)."""

import pycountry
import pytest
from bson import ObjectId
from rq import SimpleWorker

from app.chain import compliance as chain_compliance
from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.domain.platform.chain import current_platform
from app.extensions import redis_client
from app.tasks import queues
from tests.fixtures.accounts import post
from tests.fixtures.processes import wait_for
from tests.integration.offerings.conftest import STEP_FORMS, fill_wizard

CAPS = {"maxInvestors": "2", "maxInvestorsPerCountry-country-0": "FR", "maxInvestorsPerCountry-cap-0": "1"}


def _token_step(client, offering_id: str, typed: dict):
    return post(client, f"/issuer/offerings/{offering_id}/steps/token", {**STEP_FORMS["token"], **typed})


def test_a_cap_for_a_country_not_authorised_is_refused_and_nothing_saved(issuer_client, db):
    offering_id = fill_wizard(issuer_client)  # authorised: GB and FR
    refused = _token_step(issuer_client, offering_id, {"maxInvestorsPerCountry-country-0": "DE",
                                                       "maxInvestorsPerCountry-cap-0": "3"})
    assert refused.status_code == 422
    assert "Germany is not among the countries investors may live in (Raise step)" in refused.text
    assert '<option value="DE" selected>Germany</option>' in refused.text  # the typed row comes back
    assert db.offerings.find_one({"_id": ObjectId(offering_id)})["projectDetails"]["maxInvestorsPerCountry"] is None

    assert _token_step(issuer_client, offering_id, CAPS).status_code == 303
    raise_form = {**STEP_FORMS["raise"], "authorizedCountries": "GB"}  # dropping France keeps its cap: refused
    refused = post(issuer_client, f"/issuer/offerings/{offering_id}/steps/raise", raise_form)
    assert refused.status_code == 422 and "Investor caps are set for France on the Token step" in refused.text


def test_caps_read_back_on_the_form_the_review_and_the_admin_review(issuer_client, admin_client, db):
    offering_id = fill_wizard(issuer_client, {"token": CAPS})
    details = db.offerings.find_one({"_id": ObjectId(offering_id)})["projectDetails"]
    assert details["maxInvestors"] == 2 and details["maxInvestorsPerCountry"] == {"FR": 1}
    form = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/token").text
    assert '<option value="FR" selected>France</option>' in form and 'value="1"' in form
    review = issuer_client.get(f"/issuer/offerings/{offering_id}/steps/review").text
    assert "2 investors" in review and "France: at most 1 investor" in review
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    admin = admin_client.get(f"/admin/offerings/{offering_id}").text
    assert "Maximum number of investors" in admin and "France: at most 1 investor" in admin


@pytest.fixture
def deployed(admin_client, issuer_client, db, chain_workers) -> dict:
    offering_id = fill_wizard(issuer_client, {"token": CAPS})
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    post(admin_client, f"/admin/offerings/{offering_id}/decision", {"decision": "approve"})
    assert post(admin_client, f"/admin/offerings/{offering_id}/deploy").status_code == 303
    SimpleWorker([queues.queue(queues.CHAIN)], connection=redis_client.get()).work(burst=True)
    return wait_for(lambda: db.offerings.find_one({"_id": ObjectId(offering_id), "isTokenDeploy": True}),
                    what="the synced TREXSuiteDeployed event")


def test_the_wizards_caps_are_deployed_into_the_investor_cap_module(app, deployed):
    w3 = web3_client.get(app.config)
    platform = current_platform(app.config)
    compliance = contract(w3, "Token", deployed["tokenAddress"]).functions.compliance().call()
    france = int(pycountry.countries.get(alpha_2="FR").numeric)
    assert chain_compliance.investor_cap(w3, platform, compliance) == 2
    assert chain_compliance.investor_cap(w3, platform, compliance, france) == 1
    assert chain_compliance.investor_cap(w3, platform, compliance, 826) == 0  # the United Kingdom: no cap
