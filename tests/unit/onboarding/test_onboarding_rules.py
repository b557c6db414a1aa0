"""The wizard's steps and per-step validation, without any server."""

from datetime import date

import pytest

from app.domain.onboarding import rules

TODAY = date(2026, 11, 25)
PERSONAL = rules.step_named(rules.INDIVIDUAL, "personal")
GOOD = {"dob": "1990-04-01", "birthPlace": "Bristol", "nationality": "gb", "nationalIdNumber": "AB1234567",
        "identificationDocument": "passport", "documentExpiration": "2031-01-01", "occupation": "Engineer"}


def test_both_paths_end_with_the_review_step_and_keep_the_seed_paths():
    individual = [s.key for s in rules.steps_of(rules.INDIVIDUAL)]
    institution = {s.key: s.path for s in rules.steps_of(rules.INSTITUTION)}
    assert individual == ["personal", "address", "documents", "review"]
    assert institution["company"] == "institutions.companyInformation"
    assert institution["contact"] == "primaryContactInfo.personalInformation"
    assert institution["owners"] == "beneficialOwners" and institution["management"] == "managementInfo"
    assert list(institution)[-1] == "review"


def test_progress_is_a_percentage_of_the_steps():
    assert rules.progress(rules.INDIVIDUAL, 0) == 0
    assert rules.progress(rules.INDIVIDUAL, 2) == 50
    assert rules.progress(rules.INSTITUTION, 7) == 100


def test_valid_values_pass_and_countries_are_upper_cased():
    values, errors = rules.validate(PERSONAL, GOOD, TODAY)
    assert errors == {} and values["nationality"] == "GB"


@pytest.mark.parametrize("field, value, message", [
    ("dob", "", "This is required."),
    ("dob", "01/04/1990", "Enter a date as YYYY-MM-DD."),
    ("dob", "1990-02-30", "Enter a real date."),
    ("dob", "2027-01-01", "This date must be in the past."),
    ("documentExpiration", "2026-11-25", "The document has expired."),
    ("nationality", "Britain", "Enter a 2-letter country code such as GB."),
    ("identificationDocument", "library card", "Choose one of the options."),
    ("occupation", "x" * 201, "Keep this under 200 characters."),
])
def test_each_problem_is_named_next_to_its_field_and_the_typed_value_is_kept(field, value, message):
    values, errors = rules.validate(PERSONAL, {**GOOD, field: value}, TODAY)
    assert errors == {field: message}
    assert values[field] == (value.upper() if field == "nationality" else value)


def test_non_text_values_are_treated_as_missing():
    values, errors = rules.validate(PERSONAL, {**GOOD, "occupation": {"$ne": None}}, TODAY)
    assert errors == {"occupation": "This is required."} and values["occupation"] == ""
