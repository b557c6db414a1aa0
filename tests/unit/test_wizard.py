"""The one wizard engine (app/domain/platform/wizard.py) and the two wizards it serves."""
from dataclasses import dataclass

import pytest

from app.domain.offerings import rules as offering_rules
from app.domain.onboarding import rules as kyc_rules
from app.domain.platform.wizard import Wizard


@dataclass(frozen=True)
class Step:
    key: str


WIZARD = Wizard(tuple(Step(k) for k in ("one", "two", "list", "review")))


def test_order_next_and_previous():
    assert WIZARD.keys == ("one", "two", "list", "review")
    assert WIZARD.step("two") == Step("two") and WIZARD.step("nope") is None
    assert WIZARD.next("one").key == "two" and WIZARD.next("review") is None
    assert WIZARD.previous("two").key == "one" and WIZARD.previous("one") is None
    with pytest.raises(ValueError):
        WIZARD.index("nope")


def test_a_person_resumes_at_the_first_step_not_saved_and_never_goes_back():
    assert [WIZARD.resume(n).key for n in range(6)] == ["one", "two", "list", "review", "review", "review"]
    assert WIZARD.saved_after("one", 0) == 1 and WIZARD.saved_after("one", 3) == 3
    assert WIZARD.saved_after("list", 2, stay=True) == 2 and WIZARD.saved_after("list", 2) == 3
    assert not WIZARD.all_saved(2) and WIZARD.all_saved(3)


def test_progress_and_what_is_missing():
    assert [WIZARD.progress(n) for n in range(5)] == [0, 25, 50, 75, 100]
    assert [s.key for s in WIZARD.missing(["two"], optional=["list"])] == ["one"]
    assert WIZARD.missing(["one", "two", "list"]) == ()


def test_both_wizards_are_served_by_the_engine():
    kyc = kyc_rules.wizard(kyc_rules.INSTITUTION)
    assert kyc.steps == kyc_rules.steps_of(kyc_rules.INSTITUTION) and kyc.steps[-1].key == "review"
    assert kyc_rules.wizard("unknown") is kyc_rules.wizard(kyc_rules.INDIVIDUAL)
    assert kyc_rules.index_of(kyc_rules.INDIVIDUAL, "address") == 1
    assert kyc_rules.progress(kyc_rules.INDIVIDUAL, 2) == 50
    assert offering_rules.WIZARD.keys == offering_rules.STEP_KEYS and offering_rules.step("team").repeat
    assert offering_rules.resume_step({"currentStep": 1}).key == "overview"
    assert offering_rules.resume_step({}).key == "overview"
    assert offering_rules.resume_step({"currentStep": 99}).key == "review"
