"""The KYC/KYB wizard's steps, their fields (seed names) and per-step validation. Pure: no server needed.

Each step declares where its values live in the `userdetails` document (seed: userDetails),
so the service saves a step with one conditional update and the review page reads the same
paths. Steps holding documents take files (checked by app.domain.platform.uploads); the final
`review` step only submits. Order, resumption and completion are the shared engine's
(app/domain/platform/wizard.py); `kycSteps` in userdetails is its count of leading steps saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.platform import text_rules
from app.domain.platform.wizard import Wizard

INDIVIDUAL, INSTITUTION = "individual", "institution"
ID_DOCUMENTS = (("passport", "Passport"), ("idCard", "National identity card"), ("driversLicense", "Driving licence"))
ENTITY_TYPES = (("company", "Company"), ("partnership", "Partnership"), ("trust", "Trust"), ("fund", "Fund"))
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 ]{6,15}$")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, date, past_date, future_date, country, email, phone, url, select, file
    required: bool = True
    choices: tuple = ()
    sensitive: bool = False


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    path: str  # where the values live in userdetails ("" for the review step)
    fields: tuple[Field, ...] = ()
    repeat: bool = False  # a list (beneficialOwners, managementInfo): each save adds one entry

    @property
    def has_files(self) -> bool:
        return any(f.kind == "file" for f in self.fields)


ADDRESS = (Field("address", "Address line 1"), Field("address2", "Address line 2", required=False),
           Field("city", "City"), Field("state", "State or region", required=False),
           Field("zipCode", "Postal code"), Field("country", "Country (2-letter code)", "country"))
PERSON = (Field("name", "Full name"), Field("dob", "Date of birth", "past_date"),
          Field("socialSecurityNumber", "Tax or social security number", sensitive=True),
          Field("citizenship", "Citizenship (2-letter code)", "country"))

STEPS: dict[str, tuple[Step, ...]] = {
    INDIVIDUAL: (
        Step("personal", "Personal information", "mainInformation", (
            Field("dob", "Date of birth", "past_date"), Field("birthPlace", "Place of birth"),
            Field("nationality", "Nationality (2-letter code)", "country"),
            Field("nationalIdNumber", "National identity number", sensitive=True),
            Field("identificationDocument", "Identity document", "select", choices=ID_DOCUMENTS),
            Field("documentExpiration", "Document expiry date", "future_date"),
            Field("occupation", "Occupation"))),
        Step("address", "Address", "address", ADDRESS),
        Step("documents", "Identity document", "documents", (
            Field("frontId", "Front of the document", "file"), Field("backId", "Back of the document", "file"))),
        Step("review", "Review and submit", ""),
    ),
    INSTITUTION: (
        Step("company", "Company information", "institutions.companyInformation", (
            Field("name", "Company name"), Field("entityType", "Entity type", "select", choices=ENTITY_TYPES),
            Field("webSite", "Website", "url", required=False), Field("business", "Line of business"),
            Field("sourceOfFunds", "Source of funds"))),
        Step("companyAddress", "Company address", "institutions.address", ADDRESS),
        Step("contact", "Primary contact", "primaryContactInfo.personalInformation", (
            Field("name", "Full name"), Field("jobTitle", "Job title"), Field("dob", "Date of birth", "past_date"),
            Field("socialSecurityNumber", "Tax or social security number", sensitive=True),
            Field("citizenship", "Citizenship (2-letter code)", "country"),
            Field("countryCode", "Country calling code"), Field("mobile", "Mobile number", "phone"),
            Field("email", "Email", "email"))),
        Step("owners", "Beneficial owners", "beneficialOwners", PERSON, repeat=True),
        Step("management", "Management", "managementInfo", (
            Field("name", "Full name"), Field("jobTitle", "Job title"), Field("dob", "Date of birth", "past_date"),
            Field("citizenship", "Citizenship (2-letter code)", "country"), Field("email", "Email", "email")),
            repeat=True),
        Step("companyDocuments", "Company documents", "documents", (
            Field("otherIdentification", "Certificate of incorporation", "file"),
            Field("frontId", "Primary contact's identity document (front)", "file"),
            Field("backId", "Primary contact's identity document (back)", "file", required=False))),
        Step("review", "Review and submit", ""),
    ),
}


WIZARDS: dict[str, Wizard[Step]] = {kind: Wizard(steps) for kind, steps in STEPS.items()}


def wizard(account_type: str) -> Wizard[Step]:
    """The path's wizard; an unknown or unchosen type gets the individual path."""
    return WIZARDS.get(account_type, WIZARDS[INDIVIDUAL])


def steps_of(account_type: str) -> tuple[Step, ...]:
    return wizard(account_type).steps


def step_named(account_type: str, key: str) -> Step | None:
    return wizard(account_type).step(key)


def index_of(account_type: str, key: str) -> int:
    return wizard(account_type).index(key)


def progress(account_type: str, done_steps: int) -> int:
    """Percentage for the progress bar (the review step counts as the last one)."""
    return wizard(account_type).progress(done_steps)


def _check_date(kind: str, value: str, today: date) -> str | None:
    if not _DATE.match(value):
        return "Enter a date as YYYY-MM-DD."
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "Enter a real date."
    if kind == "past_date" and day >= today:
        return "This date must be in the past."
    if kind == "future_date" and day <= today:
        return "The document has expired."
    return None


def _check(field: Field, value: str, today: date) -> str | None:
    if not value:
        return "This is required." if field.required else None
    refused = text_rules.problem(value, max_chars=200)  # one line, no control characters
    if refused:
        return refused
    if field.kind in ("date", "past_date", "future_date"):
        return _check_date(field.kind, value, today)
    checks = {"country": (_COUNTRY, "Enter a 2-letter country code such as GB."),
              "email": (_EMAIL, "Enter an email address."), "phone": (_PHONE, "Enter digits only.")}
    if field.kind in checks and not checks[field.kind][0].match(value):
        return checks[field.kind][1]
    if field.kind == "url" and not value.startswith(("https://", "http://")):
        return "Enter a web address starting with https://."
    if field.kind == "select" and value not in dict(field.choices):
        return "Choose one of the options."
    return None


def validate(step: Step, form: dict, today: date) -> tuple[dict, dict]:
    """(values, errors) for the text fields of `step`; values keep what was typed, errors per field."""
    values, errors = {}, {}
    for field in step.fields:
        if field.kind == "file":
            continue
        raw = form.get(field.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if field.kind == "country":
            value = value.upper()
        values[field.name] = value
        problem = _check(field, value, today)
        if problem:
            errors[field.name] = problem
    return values, errors
