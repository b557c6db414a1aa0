"""The operators' System page: the metrics' figures for admins, polled by htmx; nobody else sees it."""

from __future__ import annotations

import pytest

from app.domain.platform import notifications


def test_admins_see_the_figures_and_htmx_gets_the_panels_only(auth):
    admin = auth("admin")
    notifications.send_sms("+447700900124", "hello")
    page = admin.get("/admin/system")
    assert page.status_code == 200
    for title in ("Requests by status", "RQ queue depth", "Chain jobs by state", "Outbox backlog", "Chain"):
        assert title in page.text
    assert 'hx-trigger="every 5s"' in page.text and "<svg" in page.text
    assert 'aria-label="sms: 1' in page.text  # the unsent message, as the outbox backlog bar
    panels = admin.get("/admin/system", headers={"HX-Request": "true"})
    assert panels.status_code == 200 and "<html" not in panels.text and 'id="system-panels"' in panels.text
    assert "System" in admin.get("/admin/").text


@pytest.mark.parametrize("role", ["investor", "issuer", ("subadmin", ["kyc"])])
def test_others_cannot_open_it(auth, role):
    client = auth(role[0], permissions=role[1]) if isinstance(role, tuple) else auth(role)
    assert client.get("/admin/system").status_code in (403, 404)


def test_visitors_are_sent_to_sign_in(client):
    answer = client.get("/admin/system")
    assert answer.status_code in (302, 303) and "/auth/login" in answer.headers["Location"]
