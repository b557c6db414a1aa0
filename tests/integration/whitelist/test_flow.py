"""The whole whitelisting journey against the real e-signature sandbox over HTTP and the chain path:
request -> sign in the sandbox -> Connect webhook -> esign job -> transfer agent -> admin -> identity registered on
anvil (chain job) -> chain monitor -> Kafka -> chain sync -> approved."""

from __future__ import annotations

import re

import pytest
import requests
from bson import ObjectId
from eth_account import Account

from app.chain.artifacts import contract
from app.chain.identity import get_identity
from app.chain.node import web3_client
from app.data import user_details, whitelists
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import approved_investor, eligible_investor
from tests.fixtures.processes import run_jobs, wait_for
from tests.integration.whitelist.conftest import form

SIGN_FORM = re.compile(r'action="([^"]+/sign)"')
DECLINE_FORM = re.compile(r'action="([^"]+/decline)"')


@pytest.fixture
def staff(app, offering, db):
    """The offering's transfer agent (a sub-admin with `offerings`, assigned) and a compliance admin."""
    agent = make_user("subadmin", permissions=["offerings"])
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    return {"agent": signed_in_client(app, agent), "admin": signed_in_client(app, make_user("admin"))}


def request_and_open_signing(app, investor_client, offering) -> tuple[str, str]:
    """Ask to invest; returns (signing page URL, its HTML) after following the redirect to the sandbox."""
    response = form(investor_client, f"/invest/{offering['_id']}/whitelist/")
    assert response.status_code == 303, response.text
    signing_url = response.headers["Location"]
    assert signing_url.startswith(app.config["ESIGN_API_URL"] + "/signing/")
    page = requests.get(signing_url, timeout=10)
    assert page.status_code == 200 and "Sign" in page.text and "<script" not in page.text
    return signing_url, page.text


def submit_in_sandbox(signing_url: str, page: str, pattern, **data) -> requests.Response:
    action = requests.compat.urljoin(signing_url, pattern.search(page).group(1))
    return requests.post(action, data=data, allow_redirects=False, timeout=10)


def test_request_sign_approve_and_register_on_chain(app, db, offering, staff, esign_sandbox, chain_workers,
                                                     platform):
    investor = eligible_investor()
    browser = signed_in_client(app, investor)
    page = browser.get(f"/offerings/{offering['_id']}").text
    assert "Request whitelisting" in page

    signing_url, signing_page = request_and_open_signing(app, browser, offering)
    whitelist = db.whitelists.find_one({"userId": investor["_id"]})
    assert whitelist["status"] == "pending_signature" and whitelist["envelopeId"]
    assert whitelist["address"] == investor["account"].address and whitelist["template_id"]

    back = submit_in_sandbox(signing_url, signing_page, SIGN_FORM)
    assert back.status_code == 303
    assert back.headers["Location"].endswith(f"/invest/{offering['_id']}/whitelist/?event=signing_complete")
    assert run_jobs("esign") == 1  # the Connect delivery reached the platform while the signer was redirected
    whitelist = db.whitelists.find_one({"_id": whitelist["_id"]})
    assert (whitelist["status"], whitelist["is_signed"]) == ("signed", True)
    assert "Signed, awaiting approval" in browser.get(f"/invest/{offering['_id']}/whitelist/").text

    wid = str(whitelist["_id"])
    early = form(staff["admin"], f"/admin/whitelist/{wid}/decision", {"decision": "approved"})
    assert "The transfer agent has to approve first." in staff["admin"].get(early.headers["Location"]).text
    assert form(staff["agent"], f"/admin/whitelist/{wid}/ta-decision", {"decision": "approved"}).status_code == 303
    assert form(staff["admin"], f"/admin/whitelist/{wid}/decision", {"decision": "approved"}).status_code == 303
    assert "Approved, registering on chain" in browser.get(f"/invest/{offering['_id']}/whitelist/").text
    assert not whitelists.is_approved(db, investor["_id"], offering["_id"])  # not before the chain says so

    run_jobs("chain")  # identity + KYC claim (the investor had none), then the registry's batchRegisterIdentity
    done = wait_for(lambda: db.whitelists.find_one({"_id": whitelist["_id"], "status": "approved"}),
                    what="chain-sync to record the registration")
    assert done["onChainRegistered"] is True and done["registrationJobId"] == f"batchRegisterIdentity:{wid}"
    w3 = web3_client.get(app.config)
    registry = contract(w3, "IdentityRegistry", offering["identityRegistry"])
    wallet = investor["account"].address
    assert registry.functions.isVerified(wallet).call() is True
    assert registry.functions.identity(wallet).call() == get_identity(w3, platform, wallet) == done["identity"]
    assert registry.functions.investorCountry(wallet).call() == 826
    assert whitelists.is_approved(db, investor["_id"], offering["_id"])
    assert "Your wallet" in browser.get(f"/invest/{offering['_id']}/whitelist/").text

    mails = [m["subject"] for m in db.outbox.find({"to": investor["email"]})]
    assert any("transfer agent approved" in s for s in mails) and any("whitelisting is approved" in s for s in mails)
    events = {e["event"] for e in db.auditLogs.find({"event": {"$regex": "^whitelist"}})}
    assert events == {"whitelist.requested", "whitelist.ta_approved", "whitelist.approved"}


def test_decline_then_request_again_with_a_new_envelope(app, db, offering, esign_sandbox):
    investor = eligible_investor()
    browser = signed_in_client(app, investor)
    signing_url, page = request_and_open_signing(app, browser, offering)
    first = db.whitelists.find_one({"userId": investor["_id"]})
    back = submit_in_sandbox(signing_url, page, DECLINE_FORM, reason="Wrong amount")
    assert back.status_code == 303 and back.headers["Location"].endswith("event=decline")
    run_jobs("esign")
    declined = db.whitelists.find_one({"_id": first["_id"]})
    assert (declined["status"], declined["declineReason"]) == ("declined", "Wrong amount")
    assert "Request again" in browser.get(f"/invest/{offering['_id']}/whitelist/").text

    request_and_open_signing(app, browser, offering)
    again = db.whitelists.find_one({"_id": first["_id"]})
    assert again["status"] == "pending_signature" and again["envelopeId"] != first["envelopeId"]
    assert db.whitelists.count_documents({"userId": investor["_id"]}) == 1


def test_an_expired_envelope_shows_as_expired_and_may_be_requested_again(app, db, offering, esign_sandbox):
    investor = eligible_investor()
    browser = signed_in_client(app, investor)
    request_and_open_signing(app, browser, offering)
    envelope = db.whitelists.find_one({"userId": investor["_id"]})["envelopeId"]
    expired = requests.post(f"{esign_sandbox}/envelopes/{envelope}/expire", timeout=10)
    assert expired.status_code == 200 and "envelope-voided" in expired.text
    run_jobs("esign")
    doc = db.whitelists.find_one({"userId": investor["_id"]})
    assert (doc["status"], doc["is_expired"]) == ("expired", True)
    page = browser.get(f"/invest/{offering['_id']}/whitelist/").text
    assert "Expired" in page and "Request again" in page


def test_a_double_request_returns_the_existing_one(app, db, offering, esign_sandbox):
    investor = eligible_investor()
    browser = signed_in_client(app, investor)
    first = form(browser, f"/invest/{offering['_id']}/whitelist/")
    second = form(browser, f"/invest/{offering['_id']}/whitelist/")
    assert first.status_code == second.status_code == 303
    docs = list(db.whitelists.find({"userId": investor["_id"]}))
    assert len(docs) == 1 and docs[0]["envelopeId"]
    assert db.auditLogs.count_documents({"event": "whitelist.requested"}) == 1


def test_the_helper_makes_an_approved_registered_investor(app, db, offering, platform):
    investor = approved_investor(app, platform, offering)
    registry = contract(web3_client.get(app.config), "IdentityRegistry", offering["identityRegistry"])
    assert registry.functions.isVerified(investor["account"].address).call() is True
    assert whitelists.is_approved(db, investor["_id"], offering["_id"])
    page = signed_in_client(app, investor).get(f"/offerings/{offering['_id']}").text
    assert 'data-testid="whitelist-entry-stage">Approved<' in page
    assert db.whitelists.find_one({"_id": ObjectId(investor["whitelist_id"])})["onChainRegistered"] is True


def test_an_investor_with_several_wallets_chooses_the_one_to_whitelist(app, db, offering, esign_sandbox):
    investor = eligible_investor()
    second = Account.create().address
    user_details.add_verified_wallet(db, investor["_id"], second, "metamask")
    browser = signed_in_client(app, investor)
    page = browser.get(f"/invest/{offering['_id']}/whitelist/").text
    assert f'<option value="{second}">' in page
    assert form(browser, f"/invest/{offering['_id']}/whitelist/", {"address": second}).status_code == 303
    assert db.whitelists.find_one({"userId": investor["_id"]})["address"] == second
