"""Deploying an approved offering's token through the real chain path, and listing it from the synced event:
admin click -> chain job (RQ worker) -> anvil -> chain monitor -> Kafka -> chain sync -> the offering and the
marketplace."""


import pycountry
import pytest
from bson import ObjectId
from eth_account import Account
from rq import SimpleWorker

from app import cache
from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.suite import deploy_token_suite
from app.domain.platform.chain import current_platform
from app.extensions import redis_client
from app.tasks import queues
from tests.fixtures.accounts import login, make_user, post
from tests.fixtures.processes import wait_for
from tests.integration.offerings.conftest import fill_wizard


def run_chain_jobs() -> None:
    SimpleWorker([queues.queue(queues.CHAIN)], connection=redis_client.get()).work(burst=True)


@pytest.fixture
def approved(admin_client, issuer_client, platform) -> str:
    offering_id = fill_wizard(issuer_client)
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    post(admin_client, f"/admin/offerings/{offering_id}/decision", {"decision": "approve"})
    return offering_id


def test_deploy_button_to_listed_offering_through_the_synced_event(app, admin_client, client, db, approved,
                                                                   chain_workers):
    assert post(admin_client, f"/admin/offerings/{approved}/deploy").status_code == 303
    page = admin_client.get(f"/admin/offerings/{approved}").text
    assert "Deploying the token suite" in page and 'hx-trigger="every 1s"' in page
    assert f'hx-get="/admin/offerings/{approved}/deployment"' in page
    assert db.offerings.find_one({"_id": ObjectId(approved)}).get("tokenAddress") is None

    run_chain_jobs()  # the worker sends the deployment; only chain-sync may record its result
    doc = wait_for(lambda: db.offerings.find_one({"_id": ObjectId(approved), "isTokenDeploy": True}),
                   what="the synced TREXSuiteDeployed event to list the offering")
    assert doc["status"] == "live" and doc["identityRegistry"] and doc["deployedDate"]
    fragment = admin_client.get(f"/admin/offerings/{approved}/deployment").text
    assert doc["tokenAddress"] in fragment and "every 1s" not in fragment

    w3 = web3_client.get(app.config)
    token = contract(w3, "Token", doc["tokenAddress"])
    assert token.functions.name().call() == "Harbour Lofts Token"
    assert token.functions.symbol().call() == "HBL1" and token.functions.decimals().call() == 0
    assert token.functions.paused().call() is True
    assert token.functions.identityRegistry().call() == doc["identityRegistry"]
    compliance = contract(w3, "ModularCompliance", token.functions.compliance().call())
    modules = compliance.functions.getModules().call()
    assert len(modules) == 5
    country_module = contract(w3, "CountryAllowListModule", modules[0])
    france, us = int(pycountry.countries.get(alpha_2="FR").numeric), 840
    assert country_module.functions.isCountryAllowed(compliance.address, france).call() is True
    assert country_module.functions.isCountryAllowed(compliance.address, us).call() is False
    lockup = contract(w3, "LockupModule", modules[4])
    assert lockup.functions.lockupPeriod(compliance.address).call() == 12 * 2_629_746  # the offering's 12 months

    assert "Harbour Lofts" in client.get("/offerings?q=harbour").text


def test_a_second_click_never_deploys_twice(admin_client, db, approved):
    post(admin_client, f"/admin/offerings/{approved}/deploy")
    again = post(admin_client, f"/admin/offerings/{approved}/deploy")
    assert "Only approved offerings can be deployed" in admin_client.get(again.headers["Location"]).text
    assert db.chainJobs.count_documents({"offeringId": approved}) == 1


def test_deploying_an_unapproved_offering_is_refused(admin_client, issuer_client, db, platform):
    offering_id = fill_wizard(issuer_client)
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    response = post(admin_client, f"/admin/offerings/{offering_id}/deploy")
    assert "Only approved offerings can be deployed; this one is submitted." in admin_client.get(
        response.headers["Location"]).text
    assert db.chainJobs.count_documents({}) == 0


def test_a_failed_deployment_shows_the_reason_and_retries_safely(app, admin_client, db, approved, chain_workers):
    w3 = web3_client.get(app.config)
    hot_wallet = Account.from_key(app.config["DEPLOYER_PRIVATE_KEY"])
    # Someone deployed a suite under this offering's salt behind the platform's back: the job's call reverts.
    deploy_token_suite(w3, hot_wallet, current_platform(app.config), salt=approved, name="Squatter", symbol="SQT",
                       decimals=0, owner=hot_wallet.address, agents=[hot_wallet.address], authorized_countries=[],
                       max_balance=0, supply_cap=0)
    post(admin_client, f"/admin/offerings/{approved}/deploy")
    run_chain_jobs()
    before = db.offerings.find_one({"_id": ObjectId(approved)})
    fragment = admin_client.get(f"/admin/offerings/{approved}/deployment").text
    assert "Deployment failed:" in fragment and "token already deployed" in fragment
    assert db.offerings.find_one({"_id": ObjectId(approved)}) == before, "reading the progress writes nothing"
    page = admin_client.get(f"/admin/offerings/{approved}").text
    assert "Retry deployment" in page

    post(admin_client, f"/admin/offerings/{approved}/deploy")
    assert db.chainJobs.count_documents({"offeringId": approved}) == 2
    assert db.offerings.find_one({"_id": ObjectId(approved)})["deployAttempts"] == 2


def test_listed_offerings_show_their_cover_and_nothing_else_is_served(app, admin_client, client, db, approved,
                                                                      chain_workers):
    post(admin_client, f"/admin/offerings/{approved}/deploy")
    run_chain_jobs()
    wait_for(lambda: db.offerings.find_one({"_id": ObjectId(approved), "isTokenDeploy": True}), what="listing")
    card = client.get("/offerings?q=harbour").text
    assert f'src="/offerings/{approved}/images/cover"' in card
    image = client.get(f"/offerings/{approved}/images/cover")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG") and "sandbox" in image.headers["Content-Security-Policy"]
    assert client.get(f"/offerings/{approved}/images/logo").status_code == 404
    assert client.get(f"/offerings/{approved}/images/eSign").status_code == 404


def test_images_of_unlisted_offerings_are_not_served(client, approved):
    assert client.get(f"/offerings/{approved}/images/cover").status_code == 404


def test_documents_public_to_visitors_confidential_after_whitelisting(app, admin_client, client, db, approved,
                                                                      chain_workers, issuer):
    db.offerings.update_one({"_id": ObjectId(approved)}, {"$set": {"status": "live", "isTokenDeploy": True}})
    cache.offering_changed(approved)
    page = client.get(f"/offerings/{approved}").text
    assert f'href="/offerings/{approved}/documents/pitchDeck"' in page
    assert "Subscription agreement" not in page and "1 confidential document" in page
    deck = client.get(f"/offerings/{approved}/documents/pitchDeck")
    assert deck.status_code == 200 and deck.data.startswith(b"%PDF") and "attachment" in deck.headers[
        "Content-Disposition"]
    assert client.get(f"/offerings/{approved}/documents/eSign").status_code == 404

    investor = make_user("investor")
    browser = app.test_client()
    login(browser, investor)
    assert browser.get(f"/offerings/{approved}/documents/eSign").status_code == 404
    db.whitelists.insert_one({"userId": investor["_id"], "offeringId": ObjectId(approved), "status": "approved"})
    assert browser.get(f"/offerings/{approved}/documents/eSign").status_code == 200
    assert f'href="/offerings/{approved}/documents/eSign"' in browser.get(f"/offerings/{approved}").text


def test_country_restricted_offerings_say_so_to_investors_elsewhere(app, db, approved):
    db.offerings.update_one({"_id": ObjectId(approved)}, {"$set": {"status": "live", "isTokenDeploy": True}})
    cache.offering_changed(approved)
    elsewhere, at_home = make_user("investor"), make_user("investor")
    for user, country in ((elsewhere, "US"), (at_home, "GB")):
        db.users.update_one({"_id": user["_id"]}, {"$set": {"residenceCountry": country}})
    for user, shown in ((elsewhere, True), (at_home, False)):
        browser = app.test_client()
        login(browser, user)
        note = "not available in your country of residence" in browser.get(f"/offerings/{approved}").text
        card = "Not available in your country" in browser.get("/offerings?q=harbour").text
        assert note is shown and card is shown
