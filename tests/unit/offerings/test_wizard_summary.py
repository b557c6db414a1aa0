"""The wizard read back to the issuer (offerings/summary.py) and the public page's call to invest
(marketplace/listing.next_step) and NAV series (offerings/page.nav_series). Pure: no server."""

from datetime import UTC, datetime

import pytest

from app.domain.marketplace.listing import Visitor, next_step
from app.domain.offerings import summary
from app.domain.offerings.page import nav_series

OFFERING = {
    "completedSteps": ["overview", "property", "token", "raise", "documents"],
    "overview": {"title": "Harbour Lofts", "entityType": "spv", "cover": "a" * 32 + ".png"},
    "fileInfo": {"cover": {"name": "harbour.png", "size": 250880}, "eSign": {"name": "sub.pdf", "size": 900}},
    "projectDetails": {"minInvestment": 1_000_00, "projectedYield": 650, "authorizedCountries": ["DE", "GB"],
                       "isPrivate": False, "previousValuation": None, "lockupMonths": 12,
                       "startDate": datetime(2027, 1, 31, tzinfo=UTC)},
    "fee": 150,
    "documents": {"eSign": "b" * 32 + ".pdf", "customDocs": []},
    "team": [{"name": "Ada Lovelace", "title": "Director"}],
}


def test_documents_are_ticked_by_the_required_documents_not_by_an_image():
    assert summary.step_done(OFFERING, "documents") is False  # the pitch deck is missing
    done = {**OFFERING, "documents": {"eSign": "x.pdf", "pitchDeck": "y.pdf"}}
    assert summary.step_done(done, "documents") is True
    icon_only = {"completedSteps": ["documents"], "overview": {"icon": "i.png"}, "documents": {}}
    assert summary.step_done(icon_only, "documents") is False


def test_the_stepper_marks_done_current_and_next():
    states = {s["key"]: s["state"] for s in summary.step_states(OFFERING, "team")}
    assert states["overview"] == "done" and states["team"] == "current"
    assert states["documents"] == "next" and states["review"] == "next"


def test_document_rows_say_required_public_and_what_is_there():
    rows = {row.slot: row for row in summary.document_rows(OFFERING)}
    assert rows["eSign"].required and not rows["eSign"].public and rows["eSign"].file_name == "sub.pdf"
    assert rows["pitchDeck"].required and rows["pitchDeck"].public and rows["pitchDeck"].stored is None
    assert not rows["titleDocs"].required and rows["eSign"].size == "900 bytes"
    cover = next(row for row in summary.image_rows(OFFERING) if row.slot == "cover")
    assert cover.is_image and cover.file_name == "harbour.png" and cover.size == "245 KB"


def test_the_review_lists_everything_in_human_terms():
    sections = {s["key"]: dict(s["rows"]) for s in summary.review_sections(OFFERING)}
    raise_ = sections["raise"]
    assert raise_["Minimum investment"] == "$1,000"
    assert raise_["Countries investors may live in"] == "Germany, United Kingdom"
    assert raise_["Private offering (members only)"] == "No"
    assert raise_["Platform fee (%)"] == "1.5%" and raise_["Opens on"] == "31 Jan 2027"
    assert sections["property"]["Projected yield (% a year)"] == "6.5%"
    assert sections["property"]["Previous valuation"] == "Not given"
    assert sections["overview"]["Entity type"] == "Special purpose vehicle (SPV)"
    assert sections["documents"]["Pitch deck"] == "Missing (required)"
    assert sections["team"] == {"Ada Lovelace": "Director"}
    shown = " ".join(str(v) for rows in sections.values() for v in rows.values())
    assert "None" not in shown and "False" not in shown and "['" not in shown


def test_the_overview_is_prefilled_from_the_issuer_application():
    details = {"issuerApplication": {"name": "Harbour SPV Ltd", "entityType": "company", "webSite": "https://h.example",
                                     "business": "Rentals", "sourceOfFunds": "Equity"},
               "institutions": {"address": {"city": "Bristol", "country": "GB"}}}
    assert summary.prefill(details) == {"entityName": "Harbour SPV Ltd", "entityType": "company",
                                        "webUrl": "https://h.example", "lineOfBusiness": "Rentals",
                                        "sourceOfFunds": "Equity", "location": "Bristol, United Kingdom"}
    assert summary.prefill(None) == {}


EVERYTHING = Visitor(signed_in=True, investor=True, kyc_approved=True, has_wallet=True, whitelist_stage="approved")


@pytest.mark.parametrize(("state", "visitor", "action"), [
    ("open", Visitor(), "sign_in"),
    ("closed", Visitor(), "closed"),
    ("open", Visitor(signed_in=True), "investors_only"),
    ("open", Visitor(signed_in=True, investor=True), "finish_kyc"),
    ("open", Visitor(signed_in=True, investor=True, kyc_approved=True), "connect_wallet"),
    ("open", Visitor(signed_in=True, investor=True, kyc_approved=True, has_wallet=True, whitelist_stage="none"),
     "get_whitelisted"),
    ("open", Visitor(signed_in=True, investor=True, kyc_approved=True, has_wallet=True,
                     whitelist_stage="awaiting_signature"), "follow_whitelisting"),
    ("open", Visitor(signed_in=True, investor=True, kyc_approved=True, has_wallet=True, whitelist_stage="expired"),
     "get_whitelisted"),
    ("open", Visitor(signed_in=True, investor=True, country_allowed=False), "unavailable"),
    ("upcoming", EVERYTHING, "not_open_yet"),
    ("open", EVERYTHING, "invest"),
    ("open", Visitor(signed_in=True, investor=True, whitelist_stage="approved"), "invest"),  # the form re-checks
    ("closed", EVERYTHING, "closed"),
])
def test_the_call_to_invest_names_the_next_step(state, visitor, action):
    step = next_step(state, visitor)
    assert step.action == action and step.text.endswith(".")


def test_the_nav_series_uses_what_exists():
    now = datetime(2027, 6, 1, tzinfo=UTC)
    start = datetime(2027, 1, 1)
    launch_only = {"projectDetails": {"navLaunchPrice": 100_00, "startDate": start}}
    assert nav_series(launch_only, now) == [(start.replace(tzinfo=UTC), 100_00)]
    updated = {"projectDetails": {"navLaunchPrice": 100_00, "latestNav": 104_50, "startDate": start}}
    assert nav_series(updated, now) == [(start.replace(tzinfo=UTC), 100_00), (now, 104_50)]
    history = {"navHistory": [{"date": datetime(2027, 3, 1), "nav": 101_00}, {"date": start, "nav": 100_00}],
               "projectDetails": {"navLaunchPrice": 1}}
    assert [nav for _at, nav in nav_series(history, now)] == [100_00, 101_00]
