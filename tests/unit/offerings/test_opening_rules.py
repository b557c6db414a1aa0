"""When a token opens after its sale, and why it cannot open now (pure rules, the clock passed in)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.offerings.opening_rules import Facts, due, parse_settings, refusal, stage

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
READY = Facts(status="closed", token="0xT", paused=True, awaiting_mint=0, job_status=None)


def facts(**changes):
    return Facts(**{**READY.__dict__, **changes})


def test_settings_when_the_raise_closes_or_by_hand_need_no_date():
    assert parse_settings("close", "", NOW) == ({"projectDetails.tokenOpening": "close",
                                                 "projectDetails.tokenOpensAt": None}, {})
    assert parse_settings("", "2030-06-01T10:00", NOW)[0]["projectDetails.tokenOpening"] == ""


def test_a_date_in_the_future_is_stored_as_utc():
    changes, errors = parse_settings("date", "2030-06-01T10:00", NOW)
    assert not errors and changes["projectDetails.tokenOpensAt"] == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("mode", "when", "field", "words"), [
    ("date", "", "tokenOpensAt", "Give the date"),
    ("date", "2030-04-30T10:00", "tokenOpensAt", "after now (1 May 2030, 09:00 UTC)"),
    ("date", "2030-05-01T09:00", "tokenOpensAt", "after now"),
    ("date", "31/12/2030", "tokenOpensAt", "2027-01-31 14:00"),
    ("date", "٢٠٣٠-٠٦-٠١T10:00" * 10, "tokenOpensAt", "2027-01-31 14:00"),
    ("date", "99999-01-01T00:00", "tokenOpensAt", "2027-01-31 14:00"),
    ("tomorrow", "", "tokenOpening", "Choose when"),
])
def test_bad_settings_say_what_to_fix(mode, when, field, words):
    changes, errors = parse_settings(mode, when, NOW)
    assert changes == {} and words in errors[field]


def test_refusals_in_plain_words():
    assert refusal(READY) is None
    assert "not deployed" in refusal(facts(token=None, status="live"))
    assert "still being deployed" in refusal(facts(token=None, status="deploying"))
    assert "already open" in refusal(facts(paused=False))
    assert "being opened already" in refusal(facts(job_status="sent"))
    assert "paused again" in refusal(facts(opened_before=True, job_status="done"))
    assert refusal(facts(awaiting_mint=1)).startswith("1 order is paid but not minted yet")
    assert refusal(facts(awaiting_mint=3)).startswith("3 orders are paid but not minted yet")
    assert refusal(facts(job_status="failed")) is None  # a failed job can be tried again


def test_stages_the_page_follows():
    assert stage(READY) == "closed" and stage(facts(status="live")) == "raise_open"
    assert stage(facts(job_status="pending")) == "opening"
    assert stage(facts(job_status="done")) == "opening"  # until chain-sync folded the Unpaused event
    assert stage(facts(job_status="done", paused=False)) == "open"
    assert stage(facts(job_status="failed")) == "failed"
    assert stage(facts(token=None, status="deploying")) == "deploying"


def test_due_at_the_date_or_once_the_raise_closed():
    at_date = {"status": "live", "projectDetails": {"tokenOpening": "date", "tokenOpensAt": NOW}}
    assert due(at_date, NOW) and not due(at_date, NOW - timedelta(seconds=1))
    at_close = {"status": "live", "projectDetails": {"tokenOpening": "close", "endDate": NOW.replace(tzinfo=None)}}
    assert not due(at_close, NOW) and due(at_close, NOW + timedelta(seconds=1))
    assert due({"status": "closed", "projectDetails": {"tokenOpening": "close"}}, NOW)
    assert not due({"status": "closed", "projectDetails": {}}, NOW)  # no setting: staff open it by hand
