"""The web skeleton against the real services: probes, pages, error pages with a request id, headers."""

import pytest

from app import BLUEPRINTS, create_app
from app.access import access
from app.domain.accounts.permissions import PUBLIC

LANDING_PAGES = ["/", "/offerings", "/auth/login", "/auth/signup"]
SIGNED_IN_PAGES = ["/onboarding/", "/issuer/", "/portfolio/", "/admin/"]  # who may open them: test_access_matrix


def test_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "alive"}


def test_readiness_reports_every_dependency_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["down"] == []
    assert set(response.json["checks"]) == {"mongodb", "redis", "kafka", "chain"}


def test_readiness_names_what_is_down(services):
    app = create_app({"REDIS_URL": "redis://127.0.0.1:1/0", "ETH_RPC_URL": "http://127.0.0.1:1"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["down"] == ["chain", "redis"]
    assert response.json["checks"]["mongodb"]["up"] is True


@pytest.mark.parametrize("path", LANDING_PAGES)
def test_landing_pages_render_with_navigation(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert 'aria-label="Main"' in response.text and "htmx-2.0.11.min.js" in response.text


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_every_blueprint_has_a_landing_page(app):
    registered = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()}
    assert set(BLUEPRINTS) <= registered


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/no/such/page", 404),
    ("post", "/healthz", 405),
    ("post", "/offerings", 405),
])
def test_error_pages_show_a_request_id(client, method, path, code):
    response = getattr(client, method)(path)
    assert response.status_code == code
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id in response.text


def test_oversize_body_gets_413_with_request_id(services):
    app = create_app({"MAX_CONTENT_LENGTH": 1024})
    response = app.test_client().post("/webhooks/", data=b"x" * 4096, content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.json["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("code", [400, 403, 429])
def test_refusals_render_their_own_page(services, code):
    app = create_app()

    @app.get("/refuse")
    @access(PUBLIC)
    def refuse():
        from flask import abort
        abort(code)

    response = app.test_client().get("/refuse")
    assert response.status_code == code
    assert response.headers["X-Request-ID"] in response.text


def test_server_error_page_hides_the_exception_and_shows_the_request_id(services):
    app = create_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    @access(PUBLIC)
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert "secret detail" not in response.text and "req-12345678" in response.text


def test_security_headers_allow_only_our_own_scripts(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
