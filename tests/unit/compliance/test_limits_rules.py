"""The pure rules of changing compliance limits (app.domain.compliance.limits_rules): parsing what staff type into
base units, investors and seconds exactly over the whole uint256 range, and the refusals by the token's state."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import limits_rules as rules

DAY = rules.SECONDS_PER_DAY


def facts(**changes) -> rules.Facts:
    base = {"decimals": 18, "total_supply": 45 * 10**17, "investors": 2,
            "current": {"supplyCap": 0, "maxBalance": 0, "investorCap": 0, "lockup": 0},
            "bound": {"supplyCap": False, "maxBalance": True, "investorCap": True, "lockup": True},
            "identity_balances": [3 * 10**18, 15 * 10**17]}
    return rules.Facts(**{**base, **changes})


@given(st.integers(min_value=0, max_value=rules.UINT256 - 1), st.integers(min_value=0, max_value=30))
def test_any_amount_shown_in_tokens_parses_back_to_the_same_base_units(amount, decimals):
    assert rules.parse_amount(rules.units(amount, decimals), decimals) == amount


@given(st.integers(min_value=rules.UINT256, max_value=10**90))
def test_amounts_beyond_uint256_are_refused(amount):
    with pytest.raises(ValueError, match="larger than any token supply"):
        rules.parse_amount(str(amount), 0)


@given(st.integers(min_value=0, max_value=rules.MAX_LOCKUP_DAYS))
def test_lockup_days_become_seconds(days):
    values, errors, _ = rules.parse({"lockup": f"{days:,}", "reason": "why"}, 0)
    assert errors == {} and values == {"lockup": days * DAY}


def test_blank_fields_keep_their_limit_and_zero_means_no_limit():
    values, errors, reason = rules.parse({"supplyCap": " ", "investorCap": "0", "reason": " board \n vote "}, 18)
    assert values == {"investorCap": 0} and errors == {} and reason == "board vote"


@pytest.mark.parametrize(("key", "text", "said"), [
    ("maxBalance", "-1", "cannot be negative"), ("maxBalance", "1e3", "in digits"),
    ("maxBalance", "0.0000000000000000001", "at most 18 digits"), ("investorCap", "2.5", "whole number"),
    ("investorCap", "1000001", "at most 1,000,000"), ("lockup", "36501", "at most 36,500 days"),
    ("investorCap", "9" * 40, "at most 1,000,000"),
])
def test_bad_input_is_refused_with_what_to_type(key, text, said):
    _, errors, _ = rules.parse({key: text, "reason": "why"}, 18)
    assert said in errors[key]


@given(st.integers(min_value=1, max_value=10**30))
def test_a_max_balance_is_refused_exactly_when_a_holder_holds_more(value):
    changed, errors = rules.changes({"maxBalance": value}, facts())
    above = sum(held > value for held in facts().identity_balances)
    assert ("maxBalance" in errors) == (above > 0) and ("maxBalance" in changed) == (above == 0)
    if above:
        assert errors["maxBalance"].startswith(f"{above} holder")


def test_caps_below_the_state_are_refused_and_the_present_value_is_no_change():
    _, errors = rules.changes({"supplyCap": 4 * 10**18, "investorCap": 1}, facts())
    assert errors == {"supplyCap": "A supply cap of 4 tokens is below the 4.5 tokens already issued.",
                      "investorCap": "A cap of 1 investor is below the 2 investors who hold tokens now."}
    changed, errors = rules.changes({"investorCap": 0, "supplyCap": 45 * 10**17}, facts())
    assert changed == {"supplyCap": 45 * 10**17} and errors == {}


def test_a_holder_counting_rule_missing_from_a_token_with_supply_cannot_be_added():
    missing = facts(bound={"supplyCap": False, "maxBalance": True, "investorCap": True, "lockup": False})
    _, errors = rules.changes({"lockup": DAY, "supplyCap": 10**24}, missing)
    assert "before the first tokens are issued" in errors["lockup"] and "supplyCap" not in errors


def test_values_in_words():
    assert rules.shown(rules.BY_KEY["lockup"], 30 * DAY, 0) == "30 days"
    assert rules.shown(rules.BY_KEY["lockup"], 6 * 2_629_746, 0) == "182.62 days"
    assert rules.shown(rules.BY_KEY["maxBalance"], 10**18, 18) == "1 token"
    assert rules.shown(rules.BY_KEY["investorCap"], 0, 0) == "No limit"


def test_country_caps_follow_the_offerings_countries_and_stay_under_the_overall_cap():
    limits = rules.limits_of(["GB", "FR", "XX"])
    assert [limit.key for limit in limits[4:]] == ["countryCap-GB", "countryCap-FR", "countries"]
    assert limits[5].label == "Maximum investors in France" and limits[5].country == 250
    state = facts(current={"supplyCap": 0, "maxBalance": 0, "investorCap": 10, "lockup": 0, "countryCap-FR": 0},
                  bound={"supplyCap": False, "maxBalance": True, "investorCap": True, "lockup": True,
                         "countryCap-FR": True}, country_investors={"countryCap-FR": 3})
    _, errors = rules.changes({"countryCap-FR": 2}, state)
    assert errors == {"countryCap-FR": "A cap of 2 investors in France is below the 3 investors there who hold "
                                       "tokens now."}
    _, errors = rules.changes({"countryCap-FR": 11}, state)
    assert errors == {"countryCap-FR": "A country's cap cannot be above the maximum number of investors (10)."}
    changed, errors = rules.changes({"countryCap-FR": 11, "investorCap": 12}, state)
    assert changed == {"countryCap-FR": 11, "investorCap": 12} and errors == {}
    france_capped = rules.Facts(**{**vars(state), "current": {**state.current, "countryCap-FR": 8}})
    _, errors = rules.changes({"investorCap": 5}, france_capped)
    assert errors == {"investorCap": "France has a cap above 5 investors: lower it in the same change."}


@given(st.sets(st.sampled_from(["GB", "FR", "DE", "US", "JP", "BR", "ZA", "AU"]), min_size=1))
def test_a_country_list_typed_by_code_is_the_mask_of_its_numeric_codes_and_reads_back_by_name(codes):
    mask = rules.parse_countries(", ".join(sorted(codes)))
    assert sorted(rules.alpha_2(code) for code in rules.mask_countries(mask)) == sorted(codes)
    assert rules.parse_countries(rules.shown(rules.COUNTRIES, mask, 0)) == mask  # names parse back too


def test_country_list_refusals_and_no_rule():
    _, errors, _ = rules.parse({"countries": "France, Atlantis", "reason": "why"}, 0, rules.limits_of(["FR"]))
    assert errors["countries"].startswith("Not a country we know: Atlantis.")
    _, errors, _ = rules.parse({"countries": " , ;", "reason": "why"}, 0, rules.limits_of([]))
    assert errors["countries"] == "Name at least one country."
    assert rules.shown(rules.COUNTRIES, 0, 0) == "All countries"


def test_pasted_junk_in_the_country_list_is_refused_briefly():
    _, errors, _ = rules.parse({"countries": "x" * 20_000, "reason": "why"}, 0, rules.limits_of([]))
    assert errors["countries"].startswith("That is longer than any list of countries")
    _, errors, _ = rules.parse({"countries": ", ".join(f"Land {n}" for n in range(9)), "reason": "why"}, 0,
                              rules.limits_of([]))
    assert errors["countries"].startswith("Not a country we know: Land 0, Land 1, Land 2, Land 3, Land 4 and 4 more.")
