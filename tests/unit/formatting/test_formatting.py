"""The one formatting module: money in the platform currency, rates, dates with their zone, countries by
name, and a human label for every status the platform stores (never the stored word)."""

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.data import bank_entries, chain_jobs, orders
from app.domain.accounts.permissions import USER_TYPES
from app.domain.offerings.review import QUEUE_STATUSES
from app.domain.onboarding import kyc_rules
from app.domain.whitelisting import rules as whitelist_rules
from app.formatting import (
    country_choices,
    country_code,
    country_name,
    country_names,
    day,
    document_type,
    file_size,
    labels,
    money,
    percent,
    register_template_filters,
    status_label,
    when,
    yes_no,
)


@pytest.mark.parametrize(("minor", "text"), [
    (50750, "$507.50"), (100, "$1"), (0, "$0"), (None, "$0"), (5, "$0.05"), (-5, "-$0.05"),
    (480000000, "$4,800,000"), (123456789, "$1,234,567.89"),
])
def test_money_in_usd(minor, text):
    assert money(minor) == text


def test_money_follows_the_platform_currency_setting():
    app = Flask(__name__)
    app.config["PLATFORM_CURRENCY"] = "EUR"
    with app.app_context():
        assert money(50750) == "€507.50"
    assert money(50750, "GBP") == "£507.50"
    assert money(507, "JPY") == "¥507"  # no minor unit: the amount is whole yen


@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_money_is_exact_for_any_amount(minor):
    text = money(minor)
    whole, _, cents = text.replace("$", "").replace(",", "").replace("-", "").partition(".")
    assert int(whole) * 100 + int(cents or 0) == abs(minor)
    assert cents == "" or len(cents) == 2
    assert text.startswith("-") == (minor < 0)


@pytest.mark.parametrize(("bps", "text"), [(725, "7.25%"), (700, "7%"), (5, "0.05%"), (750, "7.5%"), (0, "0%")])
def test_percent_from_basis_points(bps, text):
    assert percent(bps) == text


def test_dates_state_their_zone():
    moment = datetime(2026, 12, 7, 4, 5)  # MongoDB's naive UTC
    assert when(moment) == "7 Dec 2026, 04:05 UTC"
    assert when(moment.replace(tzinfo=UTC), "Europe/Paris") == "7 Dec 2026, 05:05 Europe/Paris"
    assert when(moment, "Not/AZone") == "7 Dec 2026, 04:05 UTC"
    assert day(date(2026, 1, 31)) == day("2026-01-31") == "31 Jan 2026"
    assert when(None) == day("") == ""
    assert when("not a date") == "not a date"


def test_countries_by_name():
    assert country_name("DE") == "Germany"
    assert country_names(["DE", "FR", "GB"]) == "Germany, France, United Kingdom"
    assert country_name("BO") == "Bolivia"  # the name people use, not the ISO long form
    assert country_code("germany") == country_code("de") == "DE"
    assert country_code("Narnia") is None and country_code("") is None
    choices = country_choices()
    assert ("GB", "United Kingdom") in choices and "EU" not in dict(choices)
    assert [name for _code, name in choices] == sorted(name for _code, name in choices)


@pytest.mark.parametrize(("kind", "values"), [
    ("order", orders.STATUSES), ("kyc", kyc_rules.KYC_STATUSES), ("sumsub", kyc_rules.SUMSUB_STATUSES),
    ("whitelist", whitelist_rules.STATUSES), ("offering", (*QUEUE_STATUSES, "draft", "deploy_failed", "closed")),
    ("chain_job", (chain_jobs.PENDING, chain_jobs.SENT, chain_jobs.DONE, chain_jobs.FAILED)),
    ("bank_entry", bank_entries.STATUSES), ("user_type", USER_TYPES),
])
def test_every_status_has_a_human_label(kind, values):
    for value in values:
        assert value in labels.KINDS[kind], f"{kind} status {value!r} has no label"
        label = status_label(value, kind)
        assert label and "_" not in label and label[0].isupper()


def test_labels_read_like_people_talk():
    assert status_label("payment_review", "order") == "Payment being checked"
    assert status_label("someNewState", "order") == "Some new state"  # unknown: readable, not raw
    assert document_type("driversLicense") == "Driving licence"  # the words of the KYC form's own choice
    assert yes_no(True) == "Yes" and yes_no(False) == "No" and yes_no(None) == "Not given"
    assert file_size(532) == "532 bytes" and file_size(250880) == "245 KB" and file_size(3407872) == "3.2 MB"


def test_filters_in_templates():
    app = Flask(__name__)
    register_template_filters(app)
    with app.app_context():
        page = app.jinja_env.from_string(
            "{{ 50750|money }} {{ 725|percent }} {{ codes|countries }} {{ 'minted'|status('order') }} "
            "{{ flag|yes_no }} {{ at|when }}").render(codes=["DE"], flag=False, at=datetime(2026, 12, 7, 4, 5))
    assert page == "$507.50 7.25% Germany Minted No 7 Dec 2026, 04:05 UTC"


def test_audit_events_read_as_words():
    assert labels.event_label("kyc.approved") == "KYC approved"
    assert labels.event_label("security.login.failed") == "Security login failed"
    assert labels.event_label("offering.changes_requested") == "Offering changes requested"
    assert labels.event_label(None) == ""
