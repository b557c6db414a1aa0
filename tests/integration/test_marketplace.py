"""The marketplace against the real database and cache: search, filters, visibility, paging, the offering page."""

import re

import pytest

from app import cache
from app.domain.marketplace.catalogue import Catalogue
from tests.factories import list_offering, offering_doc


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/offerings/[0-9a-f]{24}">([^<]+)</a></h3>', response.text)


@pytest.fixture
def catalogue(db):
    docs = {
        "lofts": offering_doc(title="Harbour Lofts", details={"projectedYield": 650, "minInvestment": 1_000_00}),
        "tower": offering_doc(title="Canary Office Tower", details={"assetType": "commercial",
                              "propertyType": "office", "projectedYield": 820, "minInvestment": 10_000_00},
                              overview={"title": "Canary Office Tower", "location": "London, United Kingdom"}),
        "villas": offering_doc(title="Riviera Villas", starts_in_days=7, details={"projectedYield": 500},
                               overview={"title": "Riviera Villas", "location": "Nice, France"}),
        "closed": offering_doc(title="Old Mill", ends_in_days=-3, details={"projectedYield": 300}),
        "private": offering_doc(title="Members Only Court", details={"isPrivate": True,
                                                                     "offeringMembers": ["vip@example.com"]}),
        "draft": offering_doc(title="Unreviewed Draft", status="submitted"),
    }
    for doc in docs.values():
        list_offering(db, doc)
    return docs


def test_visitors_see_listed_public_offerings_only(client, catalogue):
    shown = titles(client.get("/offerings"))
    assert set(shown) == {"Harbour Lofts", "Canary Office Tower", "Riviera Villas", "Old Mill"}


@pytest.mark.parametrize(("query", "expected"), [
    ("q=harbour", ["Harbour Lofts"]),
    ("q=LONDON", ["Canary Office Tower"]),
    ("asset_type=commercial", ["Canary Office Tower"]),
    ("property_type=office", ["Canary Office Tower"]),
    ("location=France", ["Riviera Villas"]),
    ("state=open&sort=yield", ["Canary Office Tower", "Harbour Lofts"]),
    ("state=upcoming", ["Riviera Villas"]),
    ("state=closed", ["Old Mill"]),
    ("min_yield=6&max_yield=7", ["Harbour Lofts"]),
    ("max_min_investment=5000&state=open", ["Harbour Lofts"]),
    ("q=nothing-matches", []),
])
def test_filters_search_and_sort(client, catalogue, query, expected):
    assert titles(client.get(f"/offerings?{query}")) == expected


def test_operator_injection_in_the_query_string_is_plain_text(client, catalogue):
    response = client.get('/offerings?q={"$ne":null}&asset_type[$ne]=x&sort=$natural')
    assert response.status_code == 200 and titles(response) == []


def test_bad_filter_values_are_explained_not_fatal(client, catalogue):
    response = client.get("/offerings?min_yield=high&asset_type=castle&page=zero")
    assert response.status_code == 200
    assert "Minimum yield must be a percentage like 7.5" in response.text
    assert "Unknown asset type" in response.text
    assert len(titles(response)) == 4


def test_htmx_requests_get_only_the_results_fragment(client, catalogue):
    response = client.get("/offerings?q=harbour", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text and titles(response) == ["Harbour Lofts"]


def test_pagination_keeps_the_filters_in_the_links(client, db):
    for n in range(30):
        list_offering(db, offering_doc(title=f"Block {n:02d}", details={"assetType": "industrial"}))
    first = client.get("/offerings?asset_type=industrial")
    assert len(titles(first)) == 12 and "Page 1 of 3" in first.text
    assert 'href="?asset_type=industrial&amp;page=2"' in first.text
    last = client.get("/offerings?asset_type=industrial&page=3")
    assert len(titles(last)) == 6 and 'rel="prev"' in last.text and 'rel="next"' not in last.text


def test_offering_page_shows_public_parts_and_hides_confidential_documents(client, catalogue):
    doc = catalogue["lofts"]
    response = client.get(f"/offerings/{doc['_id']}")
    assert response.status_code == 200
    assert "Harbour Lofts" in response.text and "Pitch deck" in response.text
    assert "Title documents" not in response.text
    assert "1 confidential document, shown once you are whitelisted" in response.text


@pytest.mark.parametrize("which", ["private", "draft"])
def test_unlisted_or_private_offerings_are_404_to_visitors(client, catalogue, which):
    assert client.get(f"/offerings/{catalogue[which]['_id']}").status_code == 404


@pytest.mark.parametrize("bad_id", ["nope", "0" * 24, "../../etc/passwd"])
def test_unknown_offering_ids_are_404(client, catalogue, bad_id):
    assert client.get(f"/offerings/{bad_id}").status_code == 404


def test_offering_page_is_cached_until_invalidated(app, client, db, catalogue):
    doc = catalogue["lofts"]
    url = f"/offerings/{doc['_id']}"
    assert "$100" in client.get(url).text
    db.offerings.update_one({"_id": doc["_id"]}, {"$set": {"projectDetails.latestNav": 123_45}})
    assert "$123.45" not in client.get(url).text, "served from the cache until invalidated"
    cache.invalidate_offering(str(doc["_id"]))
    assert "$123.45" in client.get(url).text


def test_nav_history_is_drawn_as_a_chart(client, db):
    from datetime import UTC, datetime

    doc = offering_doc(navHistory=[{"date": datetime(2026, 1, 1, tzinfo=UTC), "nav": 100_00},
                                   {"date": datetime(2026, 6, 1, tzinfo=UTC), "nav": 104_00}])
    list_offering(db, doc)
    response = client.get(f"/offerings/{doc['_id']}")
    assert 'data-testid="nav-chart"' in response.text and "<polyline" in response.text
    assert "$100 on 1 Jan 2026" in response.text and "$104 on 1 Jun 2026" in response.text


def test_catalogue_follows_changes_incrementally_and_survives_a_redis_reset(app, db, catalogue):
    from app.extensions import redis_client

    mine = Catalogue()
    assert len(mine.docs(app.config)) == 5  # listed: everything but the draft
    db.offerings.update_one({"_id": catalogue["draft"]["_id"]}, {"$set": {"status": "live"}})
    cache.offering_changed(str(catalogue["draft"]["_id"]))
    db.offerings.update_one({"_id": catalogue["lofts"]["_id"]}, {"$set": {"isDelete": True}})
    cache.offering_changed(str(catalogue["lofts"]["_id"]))
    titles_now = {d["overview"]["title"] for d in mine.docs(app.config)}
    assert "Unreviewed Draft" in titles_now and "Harbour Lofts" not in titles_now

    redis_client.get().flushdb()  # Redis lost everything: the next read reloads from MongoDB
    db.offerings.update_one({"_id": catalogue["tower"]["_id"]}, {"$set": {"overview.title": "Renamed Tower"}})
    assert "Renamed Tower" in {d["overview"]["title"] for d in mine.docs(app.config)}


def test_raise_progress_shows_after_the_change_is_recorded(client, db, catalogue):
    doc = catalogue["lofts"]
    db.offerings.update_one({"_id": doc["_id"]}, {"$set": {"raisedAmount": 250_000_00}})
    cache.offering_changed(str(doc["_id"]))
    assert "$250,000 raised · 25%" in client.get("/offerings?q=harbour").text


def test_shared_anonymous_pages_carry_no_cookie_and_their_own_request_id(client, catalogue):
    first = client.get("/offerings?q=harbour")
    second = client.get("/offerings?q=harbour")
    assert first.text == second.text
    assert "Set-Cookie" not in second.headers
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
