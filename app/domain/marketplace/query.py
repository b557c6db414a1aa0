"""The marketplace's search parameters: parsed strictly from the query string, echoed back into links.

Bad values never raise: they are dropped and reported, so a mistyped bookmark still shows results.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from app.domain.platform import numerals

ASSET_TYPES = ("residential", "commercial", "industrial", "hospitality", "land", "mixed-use")
PROPERTY_TYPES = ("apartment", "house", "office", "retail", "warehouse", "hotel", "student-housing", "plot")
STATES = ("open", "upcoming", "closed")
SORTS = {"newest": "Newest first", "yield": "Highest projected yield", "min-investment": "Lowest minimum investment",
         "closing": "Closing soonest"}
PAGE_SIZE = 12
MAX_PAGE = 1000
_TEXT = re.compile(r"[^\w\s,.'-]", re.UNICODE)


@dataclass(frozen=True)
class MarketQuery:
    q: str = ""
    asset_type: str = ""
    property_type: str = ""
    location: str = ""
    state: str = ""
    min_yield_bps: int | None = None
    max_yield_bps: int | None = None
    max_min_investment: int | None = None  # minor units: "I can invest at most this much"
    sort: str = "newest"
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    def args(self, **changes) -> dict[str, str]:
        """Query-string arguments for this search with `changes` applied (defaults omitted), in the form's units."""
        values = {**asdict(self), **changes}
        values.pop("problems")
        defaults = asdict(MarketQuery())
        shown = {k: v for k, v in values.items() if v not in (None, "") and v != defaults[k]}
        rename = {"min_yield_bps": ("min_yield", bps_text), "max_yield_bps": ("max_yield", bps_text),
                  "max_min_investment": ("max_min_investment", minor_text)}
        return {rename[k][0] if k in rename else k: rename[k][1](v) if k in rename else str(v)
                for k, v in shown.items()}

    def url_query(self, **changes) -> str:
        return urlencode(self.args(**changes))


def _clean_text(value: str, limit: int = 80) -> str:
    return _TEXT.sub("", value).strip()[:limit]


def _choice(value: str, allowed, label: str, problems: list[str]) -> str:
    value = value.strip().lower()
    if value and value not in allowed:
        problems.append(f"Unknown {label} “{value}” was ignored.")
        return ""
    return value


def _percent_to_bps(value: str, label: str, problems: list[str]) -> int | None:
    """A percentage such as "7.5" as integer basis points (750), without going through a float."""
    value = value.strip()
    if not value:
        return None
    bps = numerals.parse_fixed(value, 2, max_digits=3)
    if bps is None:
        problems.append(f"{label} must be a percentage like 7.5; “{value[:40]}” was ignored.")
    return bps


def _amount_to_minor(value: str, label: str, problems: list[str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    minor = numerals.parse_money(value, max_digits=12)
    if minor is None:
        problems.append(f"{label} must be an amount like 5,000; “{value[:40]}” was ignored.")
    return minor


def parse(args) -> MarketQuery:
    """Build a query from request args (any mapping of str -> str)."""
    problems: list[str] = []
    page_text = str(args.get("page", "1")).strip()
    page = numerals.parse_int(page_text, max_digits=4) or 1
    page = page if page <= MAX_PAGE else 1
    sort = str(args.get("sort", "newest"))
    min_yield = _percent_to_bps(str(args.get("min_yield", "")), "Minimum yield", problems)
    max_yield = _percent_to_bps(str(args.get("max_yield", "")), "Maximum yield", problems)
    if min_yield is not None and max_yield is not None and min_yield > max_yield:
        problems.append("The minimum yield was above the maximum; they were swapped.")
        min_yield, max_yield = max_yield, min_yield
    return MarketQuery(
        q=_clean_text(str(args.get("q", ""))),
        asset_type=_choice(str(args.get("asset_type", "")), ASSET_TYPES, "asset type", problems),
        property_type=_choice(str(args.get("property_type", "")), PROPERTY_TYPES, "property type", problems),
        location=_clean_text(str(args.get("location", "")), 60),
        state=_choice(str(args.get("state", "")), STATES, "status", problems),
        min_yield_bps=min_yield, max_yield_bps=max_yield,
        max_min_investment=_amount_to_minor(str(args.get("max_min_investment", "")), "Minimum investment", problems),
        sort=sort if sort in SORTS else "newest", page=page, problems=tuple(problems))


def bps_text(bps: int) -> str:
    """750 -> "7.5": basis points as the percentage a person types."""
    whole, part = divmod(int(bps), 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)


def minor_text(minor: int) -> str:
    """500050 -> "5000.5": minor units as the amount a person types."""
    whole, part = divmod(int(minor), 100)
    return f"{whole}.{part:02d}".rstrip("0") if part else str(whole)
