"""Offering tests: an issuer, reviewers, and a helper that walks the wizard through the real pages."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.accounts import make_user, post

TODAY = date.today()
STEP_FORMS = {
    "overview": {"title": "Harbour Lofts", "subTitle": "Waterfront flats", "description": "Forty flats.",
                 "entityName": "Harbour SPV Ltd", "entityType": "spv", "webUrl": "https://harbour.example",
                 "lineOfBusiness": "Residential rental", "sourceOfFunds": "Equity", "location": "Bristol, UK"},
    "property": {"assetType": "residential", "propertyType": "apartment", "yearBuilt": "1998", "lotSize": "12,000",
                 "occupancy": "95", "projectedYield": "6.5", "launchValuation": "1000000", "deRatio": "40"},
    "token": {"assetName": "Harbour Lofts Token", "tokenTicker": "hbl1", "tokenSupply": "10000",
              "tokenDecimals": "0", "lockupMonths": "12", "maxTokenHolding": "2000", "navLaunchPrice": "100"},
    "raise": {"startDate": (TODAY - timedelta(days=1)).isoformat(), "endDate": (TODAY + timedelta(days=60)).isoformat(),
              "minInvestment": "1000", "maxInvestment": "100000", "fee": "1.5", "authorizedCountries": "gb, FR"},
    "team": {"name": "Ada Lovelace", "title": "Director", "email": "ada@harbour.example"},
}


@pytest.fixture
def issuer(app):
    return make_user("issuer")


@pytest.fixture
def admin(app):
    return make_user("admin")


@pytest.fixture
def issuer_client(auth, issuer):
    return auth(user=issuer)


@pytest.fixture
def admin_client(auth, admin):
    return auth(user=admin)


def upload(client, offering_id: str, slot: str, data: bytes, name: str = "file.pdf", label: str = ""):
    return post(client, f"/issuer/offerings/{offering_id}/files/{slot}",
                {"file": (io.BytesIO(data), name), "label": label}, content_type="multipart/form-data")


def create_offering(client) -> str:
    response = post(client, "/issuer/offerings")
    assert response.status_code == 303, response.text
    return response.headers["Location"].split("/offerings/")[1].split("/")[0]


def fill_wizard(client, overrides: dict | None = None) -> str:
    """Create an offering and complete every step through the pages; returns its id (not yet submitted)."""
    offering_id = create_offering(client)
    for key, form in STEP_FORMS.items():
        form = {**form, **(overrides or {}).get(key, {})}
        response = post(client, f"/issuer/offerings/{offering_id}/steps/{key}", form)
        assert response.status_code == 303, (key, response.text[:2000])
    for slot, data, name in (("cover", png_bytes(), "cover.png"), ("eSign", PDF_BYTES, "sub.pdf"),
                             ("pitchDeck", PDF_BYTES, "deck.pdf")):
        assert upload(client, offering_id, slot, data, name).status_code == 303
    return offering_id
