"""The web layer answers one way: a domain error reaches HTTP in app/errors.py only (404, 403, 422 with its
reason, in the page or as an htmx fragment), a route answers page or fragment by `HX-Request`, a redirect
under htmx is `HX-Redirect`, and back-office decisions flash a refusal (app/blueprints/backoffice.py)."""

import pytest
from flask import get_flashed_messages

from app import create_app
from app.access import access
from app.blueprints.backoffice import attempt
from app.blueprints.htmx import page_or_fragment, redirect_to
from app.domain import errors
from app.domain.accounts.permissions import PUBLIC
from app.domain.accounts.staff import NoSuchUser
from app.domain.accounts.staff import NotAllowed as StaffNotAllowed
from app.domain.offerings.review import Conflict as OfferingConflict
from app.domain.offerings.service import Locked
from app.domain.offerings.service import NotFound as OfferingNotFound
from app.domain.orders.placement import NotFound as OrderNotFound
from app.domain.orders.rules import Refusal
from app.domain.payments.rules import PaymentRefused
from app.domain.whitelisting.service import Refused as WhitelistRefused

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(("error", "base", "builtin"), [
    (OfferingNotFound, errors.NotFound, LookupError), (OrderNotFound, errors.NotFound, LookupError),
    (NoSuchUser, errors.NotFound, LookupError), (StaffNotAllowed, errors.NotAllowed, PermissionError),
    (Locked, errors.NotAllowed, PermissionError), (Refusal, errors.Refused, ValueError),
    (WhitelistRefused, errors.Refused, ValueError), (PaymentRefused, errors.Refused, ValueError),
    (OfferingConflict, errors.Refused, RuntimeError),
])
def test_each_area_error_is_in_the_hierarchy_and_still_the_builtin_it_was(error, base, builtin):
    assert issubclass(error, base) and issubclass(error, builtin)


def test_a_refusal_keeps_its_reason_and_field():
    refusal = Refusal("Enter a number of tokens.", "tokens")
    assert str(refusal) == refusal.reason == "Enter a number of tokens." and refusal.field == "tokens"


@pytest.fixture
def web(services):
    app = create_app()
    raising = {"missing": OfferingNotFound("x"), "forbidden": StaffNotAllowed("no"),
               "refused": Refusal("This offering is closed.", "tokens")}

    @app.get("/raise/<kind>")
    @access(PUBLIC)
    def raise_it(kind: str):
        raise raising[kind]

    @app.get("/answer")
    @access(PUBLIC)
    def answer():
        return page_or_fragment("errors/error.html", "errors/_inline.html", 200, {"X-Seen": "1"}, code=200,
                                title="Hello", message="fragment or page", request_id="-")

    @app.post("/go")
    @access(PUBLIC)
    def go():
        return redirect_to("marketplace.list_offerings")

    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.mark.parametrize(("kind", "code"), [("missing", 404), ("forbidden", 403), ("refused", 422)])
def test_a_domain_error_is_mapped_once_with_a_request_id(web, kind, code):
    response = web.test_client().get(f"/raise/{kind}")
    assert response.status_code == code and response.headers["X-Request-ID"] in response.text
    assert "<html" in response.text


def test_a_refusal_says_its_reason_in_the_page_and_in_an_htmx_fragment(web):
    page = web.test_client().get("/raise/refused")
    assert page.status_code == 422 and "This offering is closed." in page.text
    fragment = web.test_client().get("/raise/refused", headers=HTMX)
    assert fragment.status_code == 422 and "This offering is closed." in fragment.text
    assert "<html" not in fragment.text and fragment.headers["HX-Reswap"] == "afterbegin"


def test_one_route_answers_page_or_fragment(web):
    page = web.test_client().get("/answer")
    fragment = web.test_client().get("/answer", headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and "<html" not in fragment.text and "fragment or page" in fragment.text
    assert page.headers["X-Seen"] == fragment.headers["X-Seen"] == "1"


def test_a_redirect_under_htmx_is_hx_redirect_not_a_303(web):
    plain = web.test_client().post("/go")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/offerings")
    under_htmx = web.test_client().post("/go", headers=HTMX)
    assert under_htmx.status_code == 204 and under_htmx.headers["HX-Redirect"].endswith("/offerings")
    assert "Location" not in under_htmx.headers


def test_attempt_flashes_the_outcome_or_the_refusal(web):
    with web.test_request_context("/"):
        assert attempt(lambda order_id: "pending_payment", "o1", done="The order is now {}.") is True
        assert get_flashed_messages(with_categories=True) == [("success", "The order is now pending payment.")]
    with web.test_request_context("/"):
        assert attempt(_refuse, done="never") is False
        assert get_flashed_messages(with_categories=True) == [("error", "Give a reason: the investor reads it.")]


def test_attempt_lets_anything_but_a_refusal_through(web):
    with web.test_request_context("/"), pytest.raises(OfferingNotFound):
        attempt(_missing, done="never")


def _refuse():
    raise Refusal("Give a reason: the investor reads it.", "reason")


def _missing():
    raise OfferingNotFound("x")
