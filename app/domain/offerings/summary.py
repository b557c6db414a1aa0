"""The offering wizard read back to the issuer: which steps are done, the document and image rows with
what they hold, the review step's sections in human terms, and the values prefilled from the issuer
application. Pure: computed from the offering (and the issuer's details) only.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.offerings.rules import (
    IMAGES,
    NAMED_DOCUMENTS,
    OPTIONAL_STEPS,
    PUBLIC_DOCUMENTS,
    REQUIRED_DOCUMENTS,
    STEPS,
    TOP_LEVEL_FIELDS,
    Field,
    Step,
)
from app.formatting import country_name, country_names, day, file_size, money, or_not_given, percent, yes_no

ENTITY_LABELS = {"spv": "Special purpose vehicle (SPV)"}
UNITS = {"lockupMonths": ("month", "months"), "tokenDecimals": ("decimal", "decimals"),
         "maxInvestors": ("investor", "investors")}
NO_LIMIT = ("maxInvestors", "maxInvestorsPerCountry")  # empty means no cap on chain


@dataclass(frozen=True)
class FileRow:
    """One upload slot as the wizard shows it."""

    slot: str
    label: str
    required: bool
    public: bool
    stored: str | None  # the generated stored name, None when nothing is uploaded
    file_name: str  # the name the issuer's file had, for people (never used as a path)
    size: str
    is_image: bool


def documents_done(offering: dict) -> bool:
    """The documents step is done when every required document is there (images do not count)."""
    documents = offering.get("documents") or {}
    return all(documents.get(key) for key in REQUIRED_DOCUMENTS)


def step_done(offering: dict, key: str) -> bool:
    """A step's tick: documents by the required files themselves, review never, others once saved."""
    if key == "documents":
        return documents_done(offering)
    if key == "review":
        return False
    return key in (offering.get("completedSteps") or [])


def step_states(offering: dict, current: str) -> list[dict]:
    """For the wizard's stepper: each step's key, title, and "done", "current" or "next"."""
    return [{"key": st.key, "title": st.title,
             "state": "current" if st.key == current else ("done" if step_done(offering, st.key) else "next")}
            for st in STEPS]


def _row(slot: str, label: str, stored: str | None, info: dict | None, *, required: bool, public: bool) -> FileRow:
    info = info or {}
    return FileRow(slot, label, required, public, stored or None,
                   info.get("name") or (stored or ""), file_size(info.get("size")) if info.get("size") else "",
                   bool(stored) and not str(stored).endswith(".pdf"))


def image_rows(offering: dict) -> list[FileRow]:
    overview, info = offering.get("overview") or {}, offering.get("fileInfo") or {}
    return [_row(slot, label, overview.get(slot), info.get(slot), required=slot == "cover", public=True)
            for slot, label in IMAGES]


def document_rows(offering: dict) -> list[FileRow]:
    documents, info = offering.get("documents") or {}, offering.get("fileInfo") or {}
    return [_row(slot, label, documents.get(slot), info.get(slot), required=slot in REQUIRED_DOCUMENTS,
                 public=slot in PUBLIC_DOCUMENTS) for slot, label in NAMED_DOCUMENTS]


def custom_rows(offering: dict) -> list[FileRow]:
    """The issuer's other documents: always optional and confidential."""
    entries = (offering.get("documents") or {}).get("customDocs") or []
    return [_row(f"custom-{index}", entry.get("docsLabel") or "Document", entry.get("value"),
                 {"name": entry.get("fileName"), "size": entry.get("size")}, required=False, public=False)
            for index, entry in enumerate(entries)]


def human_value(field: Field, value) -> str:
    """A stored value as people read it: "$4,800,000", "7.25%", "Germany, France", "Yes", "31 Jan 2027"."""
    if field.kind == "bool":
        return yes_no(bool(value))
    if value is None or value == "" or value == [] or value == {}:
        return "No limit" if field.name in NO_LIMIT else "Not given"
    if field.kind == "country_caps":
        return "; ".join(f"{country_name(code)}: at most {cap:,} investor{'' if cap == 1 else 's'}"
                         for code, cap in sorted(value.items(), key=lambda pair: country_name(pair[0])))
    if field.name in UNITS:
        one, many = UNITS[field.name]
        return f"{value:,} {one if value == 1 else many}"
    shown = {"money": money, "percent": percent, "date": day, "countries": country_names,
             "emails": ", ".join, "int": "{:,}".format}.get(field.kind)
    if shown:
        return shown(value)
    if field.kind == "select":
        return ENTITY_LABELS.get(value) or str(value).replace("-", " ").replace("_", " ").capitalize()
    return str(value)


def _values(offering: dict, st: Step) -> dict:
    source = (offering.get(st.path.split(".")[0]) or {}) if st.path else offering
    return {f.name: offering.get(f.name) if f.name in TOP_LEVEL_FIELDS else source.get(f.name) for f in st.fields}


def _step_rows(offering: dict, st: Step) -> list[tuple[str, str]]:
    if st.key == "documents":
        rows = [(row.label, row.file_name or ("Missing (required)" if row.required else "Not uploaded"))
                for row in image_rows(offering) + document_rows(offering)]
        return rows + [(row.label, row.file_name) for row in custom_rows(offering)]
    if st.key == "team":
        return [(member.get("name") or "Member", member.get("title") or "") for member in offering.get("team") or []]
    if st.key == "custom":
        entries = (offering.get("projectDetails") or {}).get("customFields") or []
        return [(entry.get("label") or "Field", str(or_not_given(entry.get("value")))) for entry in entries]
    values = _values(offering, st)
    return [(f.label, human_value(f, values.get(f.name))) for f in st.fields]


def review_sections(offering: dict) -> list[dict]:
    """The review step: every step's values in human terms, with whether it is complete."""
    return [{"key": st.key, "title": st.title, "rows": _step_rows(offering, st),
             "done": step_done(offering, st.key) or (st.key in OPTIONAL_STEPS and st.key != "documents")}
            for st in STEPS if st.key != "review"]


def prefill(details: dict | None) -> dict:
    """Overview values taken from the approved issuer application and company address (stored form), so
    the wizard does not ask again for what the application collected."""
    details = details or {}
    application = details.get("issuerApplication") or (details.get("institutions") or {}).get(
        "companyInformation") or {}
    address = (details.get("institutions") or {}).get("address") or details.get("address") or {}
    location = ", ".join(part for part in (address.get("city"), country_name(address.get("country"))) if part)
    values = {"entityName": application.get("name"), "entityType": application.get("entityType"),
              "webUrl": application.get("webSite"), "lineOfBusiness": application.get("business"),
              "sourceOfFunds": application.get("sourceOfFunds"), "location": location or None}
    return {key: value for key, value in values.items() if value}
