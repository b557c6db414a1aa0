"""Hostile input over every route of the url map: no 500, and a refusal writes nothing.

The routes are walked as the access-matrix test walks them (tests/integration/accounts/test_access_matrix.py),
each by one signed-in client of a role its rule lets in. Then a corpus of hostile values (other scripts'
digits, superscripts, CR/LF, NUL, bidi marks, 100,000 characters, wrong types, deep JSON, odd path
segments) goes, one field at a time, into: every path parameter, the query strings and form fields the
pages render (discovered from the HTML of every page the sweep opens), and a JSON body. Every answer must
be below 500; when every answer of a route's batch is a refusal (4xx), the database must be as it was
(the audit log aside: a refused sign-in is audited by design).
"""

from __future__ import annotations

import inspect
import json
import re
from collections import defaultdict
from io import BytesIO
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError
from wtforms.fields.core import UnboundField

from app import create_app
from app.access import rule_for
from app.data.mongo import get_db
from app.domain.accounts.permissions import allows
from app.domain.orders import placement as ordering
from app.providers.docusign import connect_signature
from app.providers.sumsub import payload_digest
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import BrowserClient, csrf, login, make_user, signed_in_client
from tests.fixtures.orders import approve, order_form

VALUES = ["²", "¹²³", "１２", "١٢٣", "12²", "10,5", "-1", "1e309", "NaN", "0x", "a\r\nX-Injected: 1", "a\x00b",
          "\u200f\u202eevil", "x" * 100_000, "../../etc/passwd", '{"$ne": null}']
PATH_VALUES = ["²", "１", "custom-²", "..", "%00", "\u202e", "x" * 3000, "-1", "0x", "a b"]
JSON_BODIES = [b"[" * 100_000 + b"]" * 100_000, b'{"email": {"$ne": null}, "amount": [1, 2]}', b"\xff\xfe"]
QUERY_NAMES = {"page", "next"}  # besides the names each page's forms and each view's source show
MULTI, FILE = object(), object()  # wrong types: a field sent twice, a file where text is expected
ROLES = ("investor", "issuer", "admin", "anonymous")  # the first role a route's rule lets in walks it
SKIP_METHODS = {"HEAD", "OPTIONS"}
LAST = {"auth.logout"}  # would end the role's session
# refusals of sign-in and the like are audited on purpose; a refused bank statement is kept for audit (issue 18),
# its entries never (bankEntries stays compared)
NOT_COMPARED = {"auditLogs", "bankStatements"}
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_ATTR = re.compile(r'\b(action|method|hx-post|hx-get)="([^"]*)"', re.I)
_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
_READ = re.compile(r'request\.(?:form|args|values)\.(?:get|getlist)\(\s*"([^"]+)"')
_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")


@pytest.fixture
def sweep_app(services):
    app = create_app({"RATELIMIT_ENABLED": False})
    app.test_client_class = BrowserClient
    with app.app_context():
        yield app


def _people(app) -> dict[str, tuple[dict | None, object]]:
    people = {"anonymous": None, "investor": make_user("investor"), "issuer": make_user("issuer"),
              "admin": make_user("admin")}
    return {name: (user, signed_in_client(app, user) if user else app.test_client()) for name, user in people.items()}


def _defaults(rule, ids: dict[str, str]) -> dict[str, object] | None:
    """Plausible values for a rule's arguments, so each route reaches its code rather than a 404."""
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        items = getattr(converter, "items", None)
        if items:
            values[argument] = "reactivate" if "reactivate" in items else sorted(items)[0]
        elif type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
            values[argument] = 0
        elif argument.endswith("_id"):
            values[argument] = ids["draft" if rule.endpoint.startswith("issuer.") else
                                   "subadmin" if "subadmin" in rule.endpoint else argument]
        else:
            values[argument] = {"key": "overview" if rule.endpoint.startswith("issuer.") else "personal",
                                "slot": "custom"}.get(argument, "x")
    return values


def _url(rule, values: dict) -> str | None:
    try:
        return rule.build(values, append_unknown=False)[1]
    except (BuildError, HTTPException, ValueError, TypeError):
        return None


def _learn_forms(html: str, adapter, fields: dict[tuple[str, str], set[str]]) -> None:
    """Record, per (endpoint, method), the field names of every form on a page."""
    for attrs, body in _FORM.findall(html):
        found = dict((k.lower(), v) for k, v in _ATTR.findall(attrs))
        target = found.get("hx-post") or found.get("action") or ""
        method = "POST" if found.get("hx-post") or found.get("method", "get").lower() == "post" else "GET"
        try:
            endpoint, _ = adapter.match(urlsplit(target.replace("&amp;", "&")).path or "/", method=method)
        except HTTPException:
            continue
        fields[(endpoint, method)].update(n for n in _NAME.findall(body) if n != "csrf_token")


def _declared_fields(app, endpoint: str) -> set[str]:
    """The fields a view reads, from its source: `request.form.get("x")`-style reads and the fields of
    the form classes it builds (pages that render a form only for some states never showed it to us)."""
    view = app.view_functions[endpoint]
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return set()
    names = set(_READ.findall(source))
    for class_name in _FORM_CLASS.findall(source):
        form_class = view.__globals__.get(class_name)
        if isinstance(form_class, type):
            names.update(n for n in dir(form_class) if isinstance(getattr(form_class, n, None), UnboundField))
    return names


def _state(db) -> dict[str, int]:
    return {name: db[name].count_documents({}) for name in sorted(db.list_collection_names())
            if name not in NOT_COMPARED}


def _send(client, method: str, url: str, token: str, *, data=None, json_body: bytes | None = None, endpoint=""):
    headers = {"X-CSRFToken": token}
    if json_body is not None:
        headers.update(_signed(client.application.config, endpoint, json_body))
        return client.open(url, method=method, data=json_body, content_type="application/json", headers=headers)
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, data={"csrf_token": token, **(data or {})}, headers=headers)


def _form_value(value):
    if value is MULTI:
        return ["1", "2"]
    if value is FILE:
        return (BytesIO(b"not a document"), "x.txt")
    return value


def _path_cases(rule, values: dict):
    for argument in rule.arguments:
        if getattr(rule._converters[argument], "items", None):
            continue
        for value in PATH_VALUES:
            hostile = _url(rule, {**values, argument: value})
            if hostile:
                yield f"path {argument}={value[:20]!r}", hostile, None, None


def _requests(rule, method: str, values: dict, fields: set[str]):
    """(description, url, form data or None, json body or None) for every hostile case of one route."""
    url = _url(rule, values)
    yield from _path_cases(rule, values)
    if url is None:
        return
    names = fields | (QUERY_NAMES if method == "GET" else set())
    for name in sorted(names):
        for value in [*VALUES, MULTI, FILE] if method != "GET" else VALUES:
            if method == "GET":
                yield f"query {name}={value[:20]!r}", f"{url}?{urlencode({name: value}, errors='replace')}", None, None
            else:
                yield f"field {name}={str(value)[:20]!r}", url, {name: _form_value(value)}, None
    if method != "GET":
        for body in JSON_BODIES:
            yield f"json {body[:12]!r}", url, None, body
    if rule.endpoint.startswith("webhooks.") and method == "POST":  # signed by the provider, of any shape
        for value in [*VALUES, 12, None, [], {"$ne": None}]:
            shape = {"applicantId": value, "externalUserId": value, "type": value, "createdAtMs": value,
                     "reviewResult": value, "event": value, "data": {"envelopeId": value}, "generatedDateTime": value}
            yield f"signed json {str(value)[:20]!r}", url, None, json.dumps(shape).encode()


def _signed(config, endpoint: str, body: bytes) -> dict[str, str]:
    """The headers the provider signs a body with (webhooks only): a valid signature over a hostile body."""
    if endpoint == "webhooks.receive_kyc":
        return {"X-Payload-Digest": payload_digest(config["KYC_WEBHOOK_SECRET"], body),
                "X-Payload-Digest-Alg": "HMAC_SHA256_HEX"}
    if endpoint == "webhooks.receive_esign":
        return {"X-DocuSign-Signature-1": connect_signature(config["ESIGN_HMAC_KEYS"][0], body)}
    return {}


def test_hostile_input_never_gives_500_and_refusals_write_nothing(sweep_app):
    db = get_db()
    target = make_user("investor")
    live = list_offering(db, offering_doc())
    people = _people(sweep_app)
    draft = list_offering(db, offering_doc(status="draft", userId=people["issuer"][0]["_id"],
                                           createdBy=people["issuer"][0]["_id"]))
    investor = people["investor"][0]
    approve(db, investor, live)  # so the whitelist, order and portfolio routes reach real objects
    order = ordering.place(sweep_app.config, investor, str(live["_id"]), order_form(tokens=10))
    subadmin = make_user("subadmin", permissions=["kyc"])
    ids = defaultdict(lambda: str(live["_id"]), user_id=str(target["_id"]), owner_id=str(target["_id"]),
                      draft=str(draft["_id"]), order_id=str(order["_id"]), subadmin=str(subadmin["_id"]),
                      whitelist_id=str(db.whitelists.find_one({"userId": investor["_id"]})["_id"]))
    adapter = sweep_app.url_map.bind("localhost")
    tokens = {name: csrf(client, "/auth/account" if user else "/auth/login") for name, (user, client) in people.items()}
    routes = [(rule, method) for rule in sweep_app.url_map.iter_rules() if rule.endpoint != "static"
              for method in sorted(rule.methods - SKIP_METHODS)]
    routes.sort(key=lambda pair: (pair[1] != "GET", pair[0].endpoint in LAST))  # pages first: they teach the forms
    fields: dict[tuple[str, str], set[str]] = defaultdict(set)
    failures, sent = [], 0
    for rule, method in routes:
        role = next(r for r in ROLES if allows(rule_for(sweep_app, rule.endpoint), people[r][0]))
        client = people[role][1]
        values = _defaults(rule, ids)
        url = _url(rule, values)
        if method == "GET" and url:
            _learn_forms(client.get(url).get_data(as_text=True), adapter, fields)
        before, codes = _state(db), []
        names = fields[(rule.endpoint, method)] | _declared_fields(sweep_app, rule.endpoint)
        for what, hostile_url, data, body in _requests(rule, method, values, names):
            try:
                response = _send(client, method, hostile_url, tokens[role], data=data, json_body=body,
                                 endpoint=rule.endpoint)
            except Exception as error:  # the test app propagates what would be a 500: list them all
                failures.append(f"{method} {rule.endpoint} as {role}, {what}: raised {error!r:.200}")
                continue
            response.close()  # as a server does (a streamed answer holds its context until closed)
            sent += 1
            codes.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{method} {rule.endpoint} as {role}, {what}: {response.status_code}")
        if codes and all(400 <= c < 500 for c in codes) and _state(db) != before:
            failures.append(f"{method} {rule.endpoint} as {role}: refused every case yet the database changed")
    failures += _pages_after(sweep_app, people, ids)
    assert sent > 2000
    assert failures == [], "\n".join(failures[:60])


def _pages_after(app, people, ids) -> list[str]:
    """What the sweep got accepted (comments, reasons, names) must not break a page that shows it later."""
    broken = []
    for user, client in people.values():
        if user is not None:
            login(client, user)  # the sweep ended with sign-out
    for rule in app.url_map.iter_rules():
        url = _url(rule, _defaults(rule, ids)) if "GET" in rule.methods and rule.endpoint != "static" else None
        if url is None:
            continue
        for role in ("investor", "issuer", "admin"):
            if allows(rule_for(app, rule.endpoint), people[role][0]):
                response = people[role][1].get(url)
                response.close()
                if response.status_code >= 500:
                    broken.append(f"GET {rule.endpoint} as {role} after the sweep: {response.status_code}")
    return broken
