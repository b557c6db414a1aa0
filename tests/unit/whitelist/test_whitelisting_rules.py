"""Whitelisting rules without a server: eligibility, Connect events and their order, stages, decisions."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.whitelisting import rules

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WALLET = "0x" + "a" * 40


def offering(**details):
    project = {"authorizedCountries": ["GB", "FR"], "startDate": NOW - timedelta(days=1),
               "endDate": NOW + timedelta(days=30), "tokenSupply": 100, **details}
    return {"status": "live", "isActive": True, "identityRegistry": "0x" + "1" * 40, "projectDetails": project}


INVESTOR = {"isKyc": True, "kycStatus": "approved", "residenceCountry": "GB"}


def test_an_approved_investor_with_a_wallet_in_an_authorised_country_may_ask():
    assert rules.request_refusal(INVESTOR, [WALLET], offering(), NOW) is None
    assert rules.request_refusal(INVESTOR, [WALLET], offering(authorizedCountries=[]), NOW) is None
    member = {**INVESTOR, "email": "member@example.com"}
    assert rules.request_refusal(member, [WALLET], offering(isPrivate=True, offeringMembers=[member["email"]]),
                                 NOW) is None


@pytest.mark.parametrize(("user", "wallets", "doc", "message"), [
    ({**INVESTOR, "isKyc": False, "kycStatus": "pending"}, [WALLET], offering(), "Complete identity verification"),
    (INVESTOR, [], offering(), "Connect and verify a wallet first"),
    ({**INVESTOR, "residenceCountry": "US"}, [WALLET], offering(), "not available to residents of your country"),
    ({**INVESTOR, "residenceCountry": None}, [WALLET], offering(), "do not know your country of residence"),
    (INVESTOR, [WALLET], {**offering(), "status": "approved"}, "not open for investment"),
    (INVESTOR, [WALLET], offering(endDate=NOW - timedelta(days=1)), "not open for investment"),
    (INVESTOR, [WALLET], {**offering(), "identityRegistry": None}, "not open for investment"),
    (INVESTOR, [WALLET], None, "not open for investment"),
    (INVESTOR, [WALLET], offering(isPrivate=True, offeringMembers=["someone@example.com"]), "not open for investment"),
])
def test_each_refusal_says_why(user, wallets, doc, message):
    assert message in rules.request_refusal(user, wallets, doc, NOW)


def connect(event="envelope-completed", status="completed", at="2026-11-25T10:00:00.1234567Z", **summary):
    return {"event": event, "generatedDateTime": at,
            "data": {"envelopeId": "env-1", "envelopeSummary": {"status": status, **summary}}}


def test_connect_events_set_the_seed_fields():
    completed = rules.parse_event(connect())
    assert completed.values["status"] == "signed" and completed.values["is_signed"] is True
    assert completed.at == datetime(2026, 11, 25, 10, 0, 0, 123000, tzinfo=UTC)  # BSON keeps milliseconds
    declined = rules.parse_event(connect("envelope-declined", "declined", declinedReason="Wrong amount"))
    assert (declined.values["status"], declined.values["declineReason"]) == ("declined", "Wrong amount")
    voided = rules.parse_event(connect("envelope-voided", "voided", voidedReason="Envelope has expired"))
    assert (voided.values["status"], voided.values["is_expired"]) == ("expired", True)
    assert rules.parse_event(connect("envelope-created", "created")).values == {}


def test_a_retry_of_the_same_message_has_the_same_delivery_id_and_a_later_one_is_newer():
    first, retry = rules.parse_event(connect()), rules.parse_event({**connect(), "retryCount": 3})
    later = rules.parse_event(connect(at="2026-11-25T10:00:01Z"))
    assert first.delivery_id == retry.delivery_id != later.delivery_id
    assert later.at > first.at


@pytest.mark.parametrize("payload", [
    connect(at="yesterday"), connect(at=""),
    {"event": "envelope-completed", "generatedDateTime": "2026-11-25T10:00:00Z"},
    {"data": {"envelopeId": "env-1"}, "generatedDateTime": "2026-11-25T10:00:00Z"},
])
def test_malformed_events_are_refused(payload):
    with pytest.raises(rules.BadEvent):
        rules.parse_event(payload)


def test_the_investor_sees_approved_only_once_registered_on_chain():
    signed = {"status": "signed", "taStatus": "approved"}
    assert rules.stage_of(signed).key == "awaiting_approval"
    assert rules.stage_of({**signed, "adminStatus": "approved"}).key == "registering"
    assert rules.stage_of({**signed, "status": "approved", "adminStatus": "approved"}).key == "approved"
    assert rules.stage_of({"status": "rejected", "whiteListReason": "Source of funds unclear"}).text == \
        "Source of funds unclear"
    assert [rules.stage_of(w).key for w in (None, {"status": "pending_signature"}, {"status": "declined"},
                                            {"status": "expired"})] == ["none", "awaiting_signature", "declined",
                                                                        "expired"]


def test_the_transfer_agent_decides_a_signed_request_once():
    signed = {"status": "signed", "taStatus": "pending"}
    assert rules.ta_refusal(signed, "approved", "") is None
    assert "reason" in rules.ta_refusal(signed, "rejected", "")
    assert "signed request" in rules.ta_refusal({**signed, "status": "pending_signature"}, "approved", "")
    assert "already decided" in rules.ta_refusal({**signed, "taStatus": "approved"}, "approved", "")


def test_final_approval_needs_the_signature_and_the_agents_approval():
    ready = {"status": "signed", "taStatus": "approved"}
    assert rules.final_refusal(ready, "approved", "") is None
    assert "transfer agent" in rules.final_refusal({**ready, "taStatus": "pending"}, "approved", "")
    assert "signed subscription" in rules.final_refusal({"status": "pending_signature"}, "approved", "")
    assert rules.final_refusal({"status": "pending_signature"}, "rejected", "No longer eligible") is None
    assert "reason" in rules.final_refusal(ready, "rejected", "")
    assert "already been decided" in rules.final_refusal({**ready, "adminStatus": "approved"}, "rejected", "x")
    assert "Choose" in rules.final_refusal(ready, "maybe", "")
