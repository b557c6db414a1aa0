"""The token step's investor caps: optional, whole numbers >= 1, countries by name or code stored as ISO codes,
each capped country among the authorised ones (whichever of the Token and Raise steps is saved last), read back
in human terms."""

from datetime import date

from app.domain.offerings import rules, summary

TODAY = date(2026, 12, 7)
TOKEN = {"assetName": "Harbour Lofts Token", "tokenTicker": "HBL1", "tokenSupply": "10000", "tokenDecimals": "0",
         "lockupMonths": "0", "maxTokenHolding": "2000", "navLaunchPrice": "100"}


def token(saved: dict | None = None, **typed):
    return rules.validate_step(rules.step("token"), {**TOKEN, **typed}, TODAY, saved)


def rows(*pairs) -> dict:
    form = {}
    for i, (country, cap) in enumerate(pairs):
        form[f"maxInvestorsPerCountry-country-{i}"], form[f"maxInvestorsPerCountry-cap-{i}"] = country, cap
    return form


def test_no_caps_is_no_limit():
    stored, _, errors = token(**rows(("", ""), ("", "")))
    assert errors == {} and stored["maxInvestors"] is None and stored["maxInvestorsPerCountry"] is None


def test_caps_are_stored_as_whole_numbers_and_iso_codes():
    stored, typed, errors = token({"authorizedCountries": ["DE", "FR"]}, maxInvestors="1,500",
                                  **rows(("FR", "2"), ("", ""), ("Germany", "10")))
    assert errors == {}
    assert stored["maxInvestors"] == 1500 and stored["maxInvestorsPerCountry"] == {"FR": 2, "DE": 10}
    assert typed["maxInvestorsPerCountry"][2] == {"country": "Germany", "cap": "10"}  # kept as typed


def test_bad_caps_are_refused_with_what_to_do():
    cases = [({"maxInvestors": "0"}, "maxInvestors", "at least 1"),
             ({"maxInvestors": "2.5"}, "maxInvestors", "whole number"),
             ({"maxInvestors": "1,000,001"}, "maxInvestors", "largest investor cap"),
             (rows(("FR", "0")), "maxInvestorsPerCountry", "France: a cap must be between 1 and 1,000,000"),
             (rows(("FR", "")), "maxInvestorsPerCountry", "Enter the most investors from France"),
             (rows(("", "3")), "maxInvestorsPerCountry", "Choose the country for the cap of 3"),
             (rows(("Atlantis", "3")), "maxInvestorsPerCountry", "Not a country we know: Atlantis"),
             (rows(("FR", "two")), "maxInvestorsPerCountry", "France: Enter a whole number"),
             (rows(("FR", "2"), ("France", "3")), "maxInvestorsPerCountry", "France is listed twice"),
             ({"maxInvestors": "5", **rows(("FR", "6"))}, "maxInvestorsPerCountry",
              "France: a country's cap cannot be above the maximum number of investors (5)")]
    for typed, field, message in cases:
        _, _, errors = token(**typed)
        assert message in errors.get(field, ""), (typed, errors)


def test_a_cap_for_a_country_not_authorised_is_refused_on_either_step():
    _, _, errors = token({"authorizedCountries": ["GB", "FR"]}, **rows(("DE", "3")))
    assert errors["maxInvestorsPerCountry"] == ("Germany is not among the countries investors may live in "
                                                "(Raise step): add it there or remove its cap.")
    raise_form = {"startDate": "2026-12-01", "endDate": "2027-02-01", "minInvestment": "1000",
                  "maxInvestment": "100000", "fee": "1.5", "authorizedCountries": "GB"}
    _, _, errors = rules.validate_step(rules.step("raise"), raise_form, TODAY, {"maxInvestorsPerCountry": {"FR": 2}})
    assert "Investor caps are set for France on the Token step" in errors["authorizedCountries"]
    problems = rules.submission_problems({"projectDetails": {"authorizedCountries": ["GB"],
                                                             "maxInvestorsPerCountry": {"FR": 2}}})
    assert any("France is not among the countries investors may live in" in p for p in problems)


def test_too_many_rows_are_refused_not_parsed():
    _, _, errors = token(**rows(*[("FR", "1")] * (rules.MAX_CAP_ROWS + 1)))
    assert "At most 250 countries" in errors["maxInvestorsPerCountry"]


def test_the_review_reads_the_caps_in_human_terms():
    offering = {"projectDetails": {"maxInvestors": 2, "maxInvestorsPerCountry": {"FR": 1, "DE": 12}}}
    rows_ = dict(next(s for s in summary.review_sections(offering) if s["key"] == "token")["rows"])
    assert rows_["Maximum number of investors"] == "2 investors"
    assert rows_["Maximum investors per country"] == "France: at most 1 investor; Germany: at most 12 investors"
    empty = dict(next(s for s in summary.review_sections({}) if s["key"] == "token")["rows"])
    assert empty["Maximum number of investors"] == "No limit" == empty["Maximum investors per country"]
