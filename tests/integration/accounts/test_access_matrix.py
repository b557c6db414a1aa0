"""Every route of app.url_map, for every kind of visitor: the declared rule is applied and answers as expected.

A route without an access rule fails here. Declare one with `@access(rule)` on the view or with the
blueprint default in app/access.py; the rules are in app/domain/accounts/permissions.py.
"""

from __future__ import annotations

import pytest
from flask import request

from app import create_app
from app.access import rule_for
from app.domain.accounts.permissions import PERMISSIONS, allows
from tests.fixtures.accounts import BrowserClient, csrf, make_user, signed_in_client

OUR_AREAS = ("auth.", "admin.")  # their views must also never answer 500, whatever the visitor sends
SKIP_METHODS = {"HEAD", "OPTIONS"}
# GET routes known to write, each to be fixed by its area (GET must never change state), then removed here:
GETS_THAT_WRITE: set[str] = set()  # a GET that writes must be listed here with why; none does


@pytest.fixture
def matrix_app(services):
    app = create_app({"RATELIMIT_ENABLED": False})
    app.test_client_class = BrowserClient

    @app.after_request
    def expose_access_decision(response):
        """Test only: what the access layer decided, so a view's own 403 is not mistaken for it."""
        rule, allowed = request.environ.get("libertum.access", ("none", None))
        response.headers["X-Test-Access"] = f"{rule}|{allowed}"
        return response
    with app.app_context():
        yield app


def test_every_route_has_an_access_rule(app):
    unclassified = sorted(r.endpoint for r in app.url_map.iter_rules() if rule_for(app, r.endpoint) is None)
    assert unclassified == [], f"routes without an access rule: {unclassified} (see app/access.py)"


def _personas(app) -> dict[str, tuple[dict | None, object]]:
    """name -> (user document or None, a client signed in as that user)."""
    people = {"anonymous": None, "investor": make_user("investor"), "issuer": make_user("issuer"),
              "subadmin-none": make_user("subadmin"),
              "subadmin-all": make_user("subadmin", permissions=list(PERMISSIONS)),
              "admin": make_user("admin")}
    for permission in PERMISSIONS:
        people[f"subadmin-without-{permission}"] = make_user(
            "subadmin", permissions=[p for p in PERMISSIONS if p != permission])
    return {name: (user, signed_in_client(app, user) if user else app.test_client()) for name, user in people.items()}


def _url(rule, target_id: str) -> str:
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        items = getattr(converter, "items", None)
        if items:  # any(...): take a harmless choice when there is one
            values[argument] = "reactivate" if "reactivate" in items else sorted(items)[0]
        elif type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
            values[argument] = 1
        else:
            values[argument] = target_id if argument.endswith("_id") else "x"
    return rule.build(values, append_unknown=False)[1]


def _check(response, endpoint, method, persona, user, rule):
    expected = allows(rule, user)
    decided = response.headers["X-Test-Access"]
    where = f"{method} {endpoint} as {persona}"
    assert decided == f"{rule}|{expected}", f"{where}: access layer decided {decided}, expected {expected}"
    if not expected:
        if user is None:
            assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next="), where
        else:
            assert response.status_code == 403, where
    elif endpoint.startswith(OUR_AREAS):
        assert response.status_code < 500, where


def _database_state(db) -> dict[str, list]:
    """Every document of every collection, to prove that GET requests changed nothing."""
    return {name: sorted(map(repr, db[name].find({}))) for name in sorted(db.list_collection_names())}


def test_access_matrix(matrix_app):
    from app.data.mongo import get_db

    target = make_user("investor")
    personas = _personas(matrix_app)
    routes = [(rule, method) for rule in matrix_app.url_map.iter_rules() if rule.endpoint != "static"
              for method in sorted(rule.methods - SKIP_METHODS)]
    # every GET first, each checked to leave the database as it was; then the rest, signing out last
    routes.sort(key=lambda pair: (pair[1] != "GET", pair[0].endpoint == "auth.logout"))
    checked, writing_gets = 0, []
    for rule, method in routes:
        url = _url(rule, str(target["_id"]))
        before = _database_state(get_db()) if method == "GET" else None
        for persona, (user, client) in personas.items():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, headers={"X-CSRFToken": csrf(client)})
            _check(response, rule.endpoint, method, persona, user, rule_for(matrix_app, rule.endpoint))
            response.close()  # as a server does: a streamed answer (the CSV export) holds its context until closed
            checked += 1
        if before is not None and _database_state(get_db()) != before:
            writing_gets.append(rule.endpoint)
    assert checked > 30 * len(personas) / 2
    assert sorted(set(writing_gets) - GETS_THAT_WRITE) == [], "GET requests that changed the database"
