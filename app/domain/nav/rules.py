"""Pure rules of NAV updates: reading a proposal's form, and the NAV in force at a moment (no server needed).

NAV is integer cents per whole token, like `navLaunchPrice`. Effective dates are calendar days (UTC): a NAV
is in force from the start of its effective day until the next NAV's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.domain.platform import numerals, text_rules
from app.formatting import percent

METHODS = {
    "income_capitalisation": "Income capitalisation",
    "comparables": "Comparable sales",
    "cost": "Cost approach",
    "dcf": "Discounted cash flow",
    "other": "Other",
}
MAX_NAV_DIGITS = 13  # whole currency units per token; the same bound as every money field
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Proposal:
    """A proposal's typed values, checked."""

    nav: int  # cents per whole token
    effective: date
    valuer: str
    method: str
    method_other: str


def parse_day(text: object) -> date | None:
    """'2026-11-30' -> date; None for anything else (other scripts' digits, impossible days)."""
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _nav_problem(text: str, currency: str) -> tuple[int | None, str | None]:
    cents, message = numerals.parse_amount(text, currency, max_digits=MAX_NAV_DIGITS)
    if message and text.strip().startswith("-"):
        return None, "The NAV must be more than zero."
    if message:
        return None, message
    if cents == 0:
        return None, "The NAV must be more than zero."
    return cents, None


def _date_problem(effective: date | None, today: date, launch: date | None, previous: date | None) -> str | None:
    if effective is None:
        return "Enter the effective date as a calendar date, such as 2026-11-30."
    if effective > today:
        return "The effective date cannot be in the future: a valuation is in force from a day that has come."
    if launch is not None and effective < launch:
        return f"The effective date cannot be before the offering's launch ({launch.isoformat()})."
    if previous is not None and effective <= previous:
        return f"The effective date must come after the current NAV's ({previous.isoformat()})."
    return None


def _text_problems(valuer: str, method: str, other: str) -> dict[str, str]:
    errors = {}
    if not valuer:
        errors["valuer"] = "Name the valuer (the firm or person who signed the report)."
    elif problem := text_rules.problem(valuer):
        errors["valuer"] = problem
    if method not in METHODS:
        errors["method"] = "Choose the valuation method."
    elif method == "other" and not other:
        errors["method_other"] = "Describe the method used."
    elif method == "other" and (problem := text_rules.problem(other)):
        errors["method_other"] = problem
    return errors


def read_proposal(form: dict, *, today: date, launch: date | None, previous: date | None,
                  currency: str = "USD") -> tuple[Proposal | None, dict[str, str]]:
    """(the proposal, {}) or (None, {field: message}) from the typed form; every field is checked at once."""
    text = {key: str(form.get(key) or "").strip() for key in ("nav", "effective_date", "valuer", "method",
                                                               "method_other")}
    nav, nav_error = _nav_problem(text["nav"], currency)
    effective = parse_day(text["effective_date"])
    errors = _text_problems(text["valuer"], text["method"], text["method_other"])
    if nav_error:
        errors["nav"] = nav_error
    if date_error := _date_problem(effective, today, launch, previous):
        errors["effective_date"] = date_error
    if errors:
        return None, errors
    return Proposal(nav, effective, text["valuer"], text["method"],
                    text["method_other"] if text["method"] == "other" else ""), {}


def method_label(method: str, other: str = "") -> str:
    return other if method == "other" and other else METHODS.get(method, method)


def day_start(day: date) -> datetime:
    """The moment a NAV effective on `day` comes into force (UTC midnight)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def nav_at(history: list[dict], launch: int, moment: datetime) -> int:
    """The NAV in force at `moment`: the approved entry with the latest `date` at or before it (entries
    `{"date": datetime, "nav": cents}`, in any order), else the launch NAV."""
    moment = _aware(moment)
    in_force = [(_aware(entry["date"]), index, int(entry["nav"])) for index, entry in enumerate(history)
                if isinstance(entry.get("date"), datetime) and entry.get("nav") is not None
                and _aware(entry["date"]) <= moment]
    return max(in_force)[2] if in_force else int(launch)  # the same date twice: the later entry wins


def change_bps(previous: int, new: int) -> int | None:
    """The change from `previous` to `new` in basis points, truncated toward zero; None without a previous."""
    if previous <= 0:
        return None
    magnitude = abs(new - previous) * 10_000 // previous
    return magnitude if new >= previous else -magnitude


def change_text(bps: int | None) -> str:
    """Basis points with an explicit sign, as the pages and mails show a NAV change: "+12.5%", "-0.75%"."""
    if bps is None:
        return "n/a"
    return ("+" if bps > 0 else "-" if bps < 0 else "") + percent(abs(bps))
