"""The issuer's offering wizard: its steps, their fields (seed names and paths) and validation. Pure.

Values are parsed from what a person types into what the platform stores: money as integer
minor units, rates as integer basis points, dates as UTC midnights, country lists as ISO
3166 alpha-2 codes. A step keeps every typed value when it has errors, so nothing is lost
on re-render. Order, resumption and completion are the shared engine's (app/domain/platform/wizard.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pycountry

from app.domain.marketplace.query import ASSET_TYPES, PROPERTY_TYPES
from app.domain.platform import numerals, text_rules
from app.domain.platform.wizard import Wizard
from app.formatting import country_code, country_name, country_names, money, percent, platform_currency

ENTITY_TYPES = ("company", "partnership", "trust", "fund", "spv")
CUSTOM_FIELD_TYPES = ("text", "number", "url")
NAMED_DOCUMENTS = (
    ("eSign", "Subscription agreement (to e-sign)"), ("pitchDeck", "Pitch deck"),
    ("confidentialInformationMemorendum", "Confidential information memorandum"),
    ("landRegistration", "Land registration"), ("titleDocs", "Title documents"), ("bankApproval", "Bank approval"),
    ("encumbranceCertificate", "Encumbrance certificate"), ("propertyTaxReceipt", "Property tax receipt"),
    ("articlesOfAssociation", "Articles of association"), ("operatingAgreement", "Operating agreement"),
    ("taxAssignmentLetter", "Tax assignment letter"), ("certificateOfRegistration", "Certificate of registration"),
    ("registerOfManagers", "Register of managers"),
)
REQUIRED_DOCUMENTS = ("eSign", "pitchDeck")
# Named documents anyone who may see the offering may download; every other one is confidential until whitelisting.
PUBLIC_DOCUMENTS = ("pitchDeck",)
IMAGES = (("icon", "Icon"), ("cover", "Cover image"), ("logo", "Logo"))
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{2,5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SUPPLY = 10**12  # whole tokens: the largest supply the amounts (app/data/amounts.py) and reservations are tested to
MAX_DECIMALS = 18    # ERC-20's usual maximum; base units beyond int64 are stored as decimal strings
MAX_RAISE_CENTS = 10**17  # supply x launch price: keeps the raise, an integer of cents, far inside int64
MAX_INVESTORS = 1_000_000  # investor caps (overall and per country): far above any private placement's
MAX_CAP_ROWS = 250  # a form posting more rows than there are countries is refused, not parsed
_CAP_KEY = re.compile(r"^(?P<name>[A-Za-z]+)-(?P<part>country|cap)-(?P<index>\d{1,3})$")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, url, select, int, money, percent, date, ticker, countries, emails, bool,
    # country_caps (rows of country and cap, posted as <name>-country-<i> and <name>-cap-<i>)
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    limit_note: str = ""  # why the maximum, said with it
    help: str = ""  # what the field means, shown under it


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    path: str  # where the values live in the offering ("" for top-level fields)
    fields: tuple[Field, ...] = ()
    repeat: bool = False  # team members, custom fields: each save adds one entry to a list


STEPS: tuple[Step, ...] = (
    Step("overview", "Overview", "overview", (
        Field("title", "Title"), Field("subTitle", "Subtitle", required=False),
        Field("description", "Description", "textarea"), Field("entityName", "Issuing entity"),
        Field("entityType", "Entity type", "select", choices=ENTITY_TYPES),
        Field("webUrl", "Website", "url", required=False), Field("lineOfBusiness", "Line of business"),
        Field("sourceOfFunds", "Source of funds"), Field("location", "Location (city, country)"),
        Field("companyDescription", "About the issuer", "textarea", required=False))),
    Step("property", "Property", "projectDetails", (
        Field("assetType", "Asset type", "select", choices=ASSET_TYPES),
        Field("propertyType", "Property type", "select", choices=PROPERTY_TYPES),
        Field("propertySubtype", "Property subtype", required=False),
        Field("yearBuilt", "Year built", "int", minimum=1700, maximum=date.today().year + 5),
        Field("lotSize", "Lot size (sq ft)", "int", minimum=1, maximum=10**9),
        Field("occupancy", "Occupancy (%)", "percent", maximum=100_00),
        Field("projectedYield", "Projected yield (% a year)", "percent", maximum=100_00),
        Field("launchValuation", "Valuation at launch", "money", minimum=1),
        Field("previousValuation", "Previous valuation", "money", required=False),
        Field("deRatio", "Debt to equity (%)", "percent", maximum=1000_00))),
    Step("token", "Token", "projectDetails", (
        Field("assetName", "Token name"), Field("tokenTicker", "Ticker (3-6 capitals or digits)", "ticker"),
        Field("tokenSupply", "Token supply", "int", minimum=1, maximum=MAX_SUPPLY,
              limit_note="the largest supply the platform supports",
              help="How many whole tokens exist. Supply x price per token is the most the offering can raise."),
        Field("tokenDecimals", "Decimals", "int", minimum=0, maximum=MAX_DECIMALS,
              limit_note="the most decimals a token can have here",
              help="How finely a token can be split: 0 means whole tokens only, 18 is the usual for ERC-20."),
        Field("lockupMonths", "Lock-up (months)", "int", minimum=0, maximum=120,
              help="How long after buying an investor must wait before transferring tokens; 0 for none."),
        Field("maxTokenHolding", "Most tokens one investor may hold", "int", minimum=1, maximum=MAX_SUPPLY,
              help="The holding limit enforced on chain: no investor's balance may go above it."),
        Field("navLaunchPrice", "Price per token at launch (NAV)", "money", minimum=1,
              help="The net asset value of one token when the offering opens."),
        Field("maxInvestors", "Maximum number of investors", "int", required=False, minimum=1,
              maximum=MAX_INVESTORS, limit_note="the largest investor cap the platform supports",
              help="The most investors who may hold the token at the same time, enforced on chain (private "
                   "placements often have one). Leave empty for no limit."),
        Field("maxInvestorsPerCountry", "Maximum investors per country", "country_caps", required=False,
              help="Optional: the most investors resident in one country, one row per country. Each country "
                   "must be one of the countries investors may live in (Raise step)."))),
    Step("raise", "Raise", "projectDetails", (
        Field("startDate", "Opens on", "date"), Field("endDate", "Closes on", "date"),
        Field("minInvestment", "Minimum investment", "money", minimum=1),
        Field("maxInvestment", "Maximum investment", "money", minimum=1),
        Field("fee", "Platform fee (%)", "percent", maximum=20_00),
        Field("authorizedCountries", "Countries investors may live in", "countries",
              help="Only investors resident in one of these countries can be whitelisted."),
        Field("isPrivate", "Private offering (members only)", "bool", required=False),
        Field("offeringMembers", "Member emails (comma separated, private offerings)", "emails", required=False))),
    Step("documents", "Documents", "documents"),
    Step("team", "Team", "team", (
        Field("name", "Name"), Field("title", "Role"), Field("summary", "Summary", "textarea", required=False),
        Field("email", "Email", required=False), Field("url", "Web page", "url", required=False),
        Field("linkedInUrl", "LinkedIn", "url", required=False), Field("twitterUrl", "X / Twitter", "url",
                                                                        required=False)), repeat=True),
    Step("custom", "Custom fields", "projectDetails.customFields", (
        Field("label", "Label"), Field("type", "Type", "select", choices=CUSTOM_FIELD_TYPES),
        Field("value", "Value")), repeat=True),
    Step("review", "Review and submit", ""),
)
WIZARD: Wizard[Step] = Wizard(STEPS)
STEP_KEYS = WIZARD.keys
OPTIONAL_STEPS = ("custom", "documents")  # documents are checked one by one at submission
TOP_LEVEL_FIELDS = ("fee",)  # seed: Offering additional fields, not projectDetails


def step(key: str) -> Step | None:
    return WIZARD.step(key)


def resume_step(offering: dict) -> Step:
    """Where the issuer comes back to: `currentStep` is the seed's 1-based position of that step."""
    return WIZARD.resume(int(offering.get("currentStep", 1)) - 1)


def current_step_after(key: str, *, stay: bool = False) -> int:
    """The `currentStep` (1-based) that saving `key` reaches: the next step, or this one (`stay`)."""
    return WIZARD.position_after(key, stay=stay) + 1


def _minor(text: str) -> tuple[int | None, str | None]:
    """Minor units of the platform currency, typed the usual ways (numerals.parse_amount)."""
    return numerals.parse_amount(text, platform_currency())


def _bps(text: str) -> int | None:
    return numerals.parse_fixed(text, 2, max_digits=4)


def _countries(text: str) -> tuple[list[str] | None, str | None]:
    """ISO codes from the list's choices (codes) or typed names/codes, comma separated."""
    typed = [c.strip() for c in text.split(",") if c.strip()]
    codes = [country_code(c) for c in typed]
    unknown = [t for t, code in zip(typed, codes, strict=True) if code is None]
    if unknown:
        return None, f"Not a country we know: {', '.join(unknown)}. Choose countries from the list."
    return sorted(set(codes)), None


def _emails(text: str) -> tuple[list[str] | None, str | None]:
    emails = [e.strip().lower() for e in text.replace("\n", ",").split(",") if e.strip()]
    bad = [e for e in emails if not _EMAIL.match(e)]
    return (None, f"Not an email address: {', '.join(bad)}.") if bad else (sorted(set(emails)), None)


def _ranged(field: Field, number: int, shown: str) -> tuple[int | None, str | None]:
    if field.minimum is not None and number < field.minimum:
        return None, f"Must be at least {shown_bound(field, field.minimum)}."
    if field.maximum is not None and number > field.maximum:
        note = f" ({field.limit_note})" if field.limit_note else ""
        return None, f"Must be at most {shown_bound(field, field.maximum)}{note}."
    return number, None


def shown_bound(field: Field, bound: int) -> str:
    """A field's limit as people read it: "1,000" (int), "$0.01" (money, app/formatting.money), "100" (percent)."""
    if field.kind == "int":
        return f"{bound:,}"
    return money(bound) if field.kind == "money" else percent(bound).removesuffix("%")


def _parse_text(field: Field, text: str):
    """Kinds kept as text (after a check); None when `field` is not one of them."""
    kind = field.kind
    if kind in ("text", "textarea"):
        return text, None
    if kind == "url":
        return (text, None) if text.startswith(("https://", "http://")) else (None, "Start with https://.")
    if kind == "select":
        return (text, None) if text in field.choices else (None, "Choose one of the options.")
    if kind == "ticker":
        text = text.upper()
        return (text, None) if _TICKER.match(text) else (None, "Use 3 to 6 capital letters or digits, e.g. HBL1.")
    return None


def _parse_date(text: str):
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC), None
    except ValueError:
        return None, "Enter a date as YYYY-MM-DD."


NUMBER_PARSERS = {"int": (numerals.parse_int, numerals.WHOLE_FORMAT),
                  "percent": (_bps, "Enter a percentage such as 6.5.")}
OTHER_PARSERS = {"bool": lambda t: (t in ("on", "true", "1", "yes"), None), "countries": _countries,
                 "emails": _emails, "date": _parse_date}


def parse_value(field: Field, text: str):
    """(stored value, error) for one typed value; an empty optional field stores None."""
    if not text:
        return (False if field.kind == "bool" else None), ("This is required." if field.required else None)
    multiline = field.kind in ("textarea", "emails")
    refused = text_rules.problem(text, multiline=multiline, max_chars=5000 if multiline else 500)
    if refused:
        return None, refused
    as_text = _parse_text(field, text)
    if as_text is not None:
        return as_text
    if field.kind in OTHER_PARSERS:
        return OTHER_PARSERS[field.kind](text)
    if field.kind == "money":
        number, message = _minor(text)
        return (None, message) if number is None else _ranged(field, number, text)
    parse, message = NUMBER_PARSERS[field.kind]
    number = parse(text)
    return (None, message) if number is None else _ranged(field, number, text)


def cap_rows(form: dict, name: str) -> list[dict]:
    """The per-country rows a form posted (`<name>-country-<i>`, `<name>-cap-<i>`), in row order, as typed."""
    rows: dict[int, dict] = {}
    for key, raw in form.items():
        found = _CAP_KEY.match(key)
        if found and found["name"] == name:
            text = raw.strip() if isinstance(raw, str) else ""
            rows.setdefault(int(found["index"]), {"country": "", "cap": ""})[found["part"]] = text
    return [rows[i] for i in sorted(rows)]


def parse_country_caps(rows: list[dict]) -> tuple[dict | None, str | None]:
    """{ISO alpha-2: cap} from the typed rows (empty rows skipped); None when no row is filled."""
    if len(rows) > MAX_CAP_ROWS:
        return None, f"At most {MAX_CAP_ROWS} countries can have a cap."
    caps: dict[str, int] = {}
    for row in rows:
        country, cap = row.get("country", ""), row.get("cap", "")
        if not country and not cap:
            continue
        code = country_code(country)
        if not country:
            return None, f"Choose the country for the cap of {cap}."
        if code is None:
            return None, f"Not a country we know: {country}. Choose countries from the list."
        number = numerals.parse_int(cap) if cap else None
        if not cap:
            return None, f"Enter the most investors from {country_name(code)}."
        if number is None:
            return None, f"{country_name(code)}: {numerals.WHOLE_FORMAT}"
        if not 1 <= number <= MAX_INVESTORS:
            return None, f"{country_name(code)}: a cap must be between 1 and {MAX_INVESTORS:,}."
        if code in caps:
            return None, f"{country_name(code)} is listed twice: give each country one cap."
        caps[code] = number
    return caps or None, None


def uncovered_caps(caps: dict | None, authorized: list[str] | None) -> list[str]:
    """Countries with a cap that are not among the authorised ones (their investors could never be there)."""
    return sorted(code for code in caps or {} if code not in (authorized or []))


def validate_step(st: Step, form: dict, today: date, saved: dict | None = None) -> tuple[dict, dict, dict]:
    """(stored values, typed values, errors) for one step's fields, plus the step's cross-field rules.

    `saved` is the offering's projectDetails as stored (rules across steps: caps against authorised countries)."""
    stored, typed, errors = {}, {}, {}
    for field in st.fields:
        if field.kind == "country_caps":
            typed[field.name] = cap_rows(form, field.name)
            stored[field.name], problem = parse_country_caps(typed[field.name])
            if problem:
                errors[field.name] = problem
            continue
        raw = form.get(field.name)
        text = raw.strip() if isinstance(raw, str) else ""
        typed[field.name] = text
        stored[field.name], problem = parse_value(field, text)
        if problem:
            errors[field.name] = problem
    errors.update(_cross_checks(st.key, stored, errors, today, saved or {}))
    return stored, typed, errors


def _not_authorised(codes: list[str]) -> str:
    return (f"{country_names(codes)} {'is' if len(codes) == 1 else 'are'} not among the countries investors may "
            "live in (Raise step): add {} there or remove {} cap.".format(
                *(("it", "its") if len(codes) == 1 else ("them", "their"))))


def _cap_checks(key: str, v: dict, saved: dict) -> dict:
    """Investor caps: a country's cap within the overall one, and only for authorised countries (whichever
    of the Token and Raise steps is saved last sees the other's values)."""
    if key == "raise" and v.get("authorizedCountries"):
        missing = uncovered_caps(saved.get("maxInvestorsPerCountry"), v["authorizedCountries"])
        return {"authorizedCountries": f"Investor caps are set for {country_names(missing)} on the Token step: "
                                       "keep them in this list or remove their caps there."} if missing else {}
    if key != "token":
        return {}
    caps, overall = v.get("maxInvestorsPerCountry") or {}, v.get("maxInvestors")
    above = sorted(code for code, cap in caps.items() if overall and cap > overall)
    if above:
        return {"maxInvestorsPerCountry": f"{country_names(above)}: a country's cap cannot be above the maximum "
                                          f"number of investors ({overall:,})."}
    missing = uncovered_caps(caps, saved.get("authorizedCountries")) if saved.get("authorizedCountries") else []
    return {"maxInvestorsPerCountry": _not_authorised(missing)} if missing else {}


def _cross_checks(key: str, v: dict, errors: dict, today: date, saved: dict) -> dict:
    """Rules between fields of one step (and the saved steps), checked only where the fields parsed."""
    found = _cap_checks(key, v, saved)
    if key == "raise":
        start, end = v.get("startDate"), v.get("endDate")
        if start and end and end <= start:
            found["endDate"] = "The closing date must come after the opening date."
        if end and "endDate" not in found and end.date() <= today:
            found["endDate"] = "The closing date must be in the future."
        low, high = v.get("minInvestment"), v.get("maxInvestment")
        if low and high and low > high:
            found["maxInvestment"] = "The maximum must be at least the minimum."
        if v.get("isPrivate") and not v.get("offeringMembers") and "offeringMembers" not in errors:
            found["offeringMembers"] = "A private offering needs at least one member."
    if key == "token":
        supply, most = v.get("tokenSupply"), v.get("maxTokenHolding")
        if supply and most and most > supply:
            found["maxTokenHolding"] = "An investor cannot hold more than the whole supply."
        price = v.get("navLaunchPrice")
        if supply and price and supply * price > MAX_RAISE_CENTS:
            found["navLaunchPrice"] = (f"The whole supply at this price comes to more than "
                                       f"{money(MAX_RAISE_CENTS)}, the largest raise the platform counts.")
    return found


def submission_problems(offering: dict) -> list[str]:
    """What still stops the final submission: missing steps, documents, and rules across steps."""
    problems = []
    done = set(offering.get("completedSteps") or [])
    for st in WIZARD.missing(done, OPTIONAL_STEPS):
        problems.append(f"Complete the “{st.title}” step.")
    documents = offering.get("documents") or {}
    for key, label in NAMED_DOCUMENTS:
        if key in REQUIRED_DOCUMENTS and not documents.get(key):
            problems.append(f"Upload the {label.lower()}.")
    if not (offering.get("overview") or {}).get("cover"):
        problems.append("Upload a cover image.")
    details = offering.get("projectDetails") or {}
    nav, low, high = details.get("navLaunchPrice"), details.get("minInvestment"), details.get("maxInvestment")
    if nav and low and low < nav:
        problems.append("The minimum investment must buy at least one token at the launch price.")
    if nav and high and details.get("maxTokenHolding") and high > details["maxTokenHolding"] * nav:
        problems.append("The maximum investment exceeds what the most tokens one investor may hold are worth.")
    missing = uncovered_caps(details.get("maxInvestorsPerCountry"), details.get("authorizedCountries"))
    if missing:
        problems.append(f"Investor caps per country: {_not_authorised(missing)}")
    return problems


def numeric_countries(codes: list[str]) -> list[int]:
    """ISO 3166 numeric codes, as the CountryAllow compliance module and identity registries use them."""
    return [int(pycountry.countries.get(alpha_2=code).numeric) for code in codes]
