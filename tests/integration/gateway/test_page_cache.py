"""The gateway's page cache: anonymous visitors share the pages the app marks shareable (home, catalogue) for
a second; nothing else is stored, and nobody signed in (nor any request with a cookie) meets a shared page."""

from __future__ import annotations

import json
import re

import requests

from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.processes import wait_for
from tests.integration.gateway.conftest import client_from, form_post


def _twice(url: str, **kwargs) -> tuple[requests.Response, requests.Response]:
    """The same anonymous request twice in a row: the second one finds the first one's page if it was stored."""
    return requests.get(url, timeout=10, **kwargs), requests.get(url, timeout=10, **kwargs)


def _hit(url: str, **kwargs) -> requests.Response:
    """An answer served from the cache (the first request of a fresh second fills it)."""
    return wait_for(lambda: next((a for a in _twice(url, **kwargs) if a.headers.get("X-Cache") == "HIT"), None),
                    10, f"a cached answer for {url}")


def test_anonymous_visitors_share_the_catalogue_each_with_its_own_request_id(gateway):
    hit = _hit(gateway.url + "/offerings", headers={"X-Request-ID": "shared-page-0001"})
    assert hit.status_code == 200 and "text/html" in hit.headers["Content-Type"]
    assert hit.headers["X-Request-ID"] == "shared-page-0001"
    assert "X-Libertum-Shareable" not in hit.headers  # the app's mark stays between the app and nginx
    assert len(hit.raw.headers.getlist("Content-Security-Policy")) == 1
    log = gateway.logs / "nginx-access.log"
    lines = wait_for(lambda: [json.loads(raw) for raw in log.read_text().splitlines() if "shared-page-0001" in raw
                              and '"cache":"HIT"' in raw], 10, "the access log line of the cached answer")
    assert lines[0]["status"] == 200 and lines[0]["upstream"] == ""  # no instance was asked


def test_htmx_fragments_and_whole_pages_are_kept_apart(gateway):
    fragment = _hit(gateway.url + "/offerings?sort=newest", headers={"HX-Request": "true"})
    page = _hit(gateway.url + "/offerings?sort=newest")
    assert "<html" not in fragment.text.lower() and "<html" in page.text.lower()
    assert fragment.headers.get("HX-Push-Url")


def test_pages_not_marked_shareable_are_never_stored(gateway):
    first, second = _twice(gateway.url + "/auth/login")
    assert {first.headers["X-Cache"], second.headers["X-Cache"]} <= {"MISS", "BYPASS", "EXPIRED"}
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    assert token.search(first.text).group(1) != token.search(second.text).group(1)  # each rendered anew
    missing = _twice(gateway.url + "/offerings/65f000000000000000000000")  # 404s are not stored either
    assert [a.headers["X-Cache"] for a in missing] == ["MISS", "MISS"]


def test_a_request_with_a_cookie_or_credentials_bypasses_the_cache(gateway):
    _hit(gateway.url + "/")
    assert requests.get(gateway.url + "/", cookies={"anything": "1"}, timeout=10).headers["X-Cache"] == "BYPASS"
    assert requests.get(gateway.url + "/", headers={"Authorization": "Bearer x"}, timeout=10
                        ).headers["X-Cache"] == "BYPASS"


def test_signed_in_users_get_their_own_page_and_never_leave_it_behind(app, gateway):
    user = make_user()
    browser = client_from("127.0.0.21")
    assert form_post(browser, gateway.url, "/auth/login",
                     {"email": user["email"], "password": user["plain_password"]}).status_code == 303
    _hit(gateway.url + "/")  # an anonymous page is in the cache right now
    mine = browser.get(gateway.url + "/", timeout=10)
    assert mine.headers["X-Cache"] == "BYPASS" and user["email"] in mine.text
    for _ in range(5):  # what the signed-in user was shown is never served to a visitor
        assert user["email"] not in requests.get(gateway.url + "/", timeout=10).text


def test_a_changed_catalogue_reaches_visitors_within_the_cache_time(app, db, gateway):
    _hit(gateway.url + "/offerings")
    offering = list_offering(db, offering_doc(title="Quayside Gardens 𝔊 ☂"))
    # the app drops its own copy at once; the gateway's copy lives at most a second longer
    wait_for(lambda: "Quayside Gardens 𝔊 ☂" in requests.get(gateway.url + "/offerings", timeout=10).text, 5,
             f"offering {offering['_id']} in the shared catalogue")
