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


def test_the_last_two_hours_fill_from_the_minute_job_and_the_page(app, auth):
    import time

    from app.extensions import redis_client
    from app.metrics import history
    from app.metrics.exposition import snapshot
    from app.tasks import metrics_history, queues

    admin = auth("admin")
    with app.app_context():
        redis = redis_client.get(app.config)
        redis.delete(history.KEY)
        assert "Not enough samples yet" in admin.get("/admin/system").text  # at most the page's own sample
        before = int(time.time()) // history.SAMPLE_S
        metrics_history.sample_metrics()
        after = int(time.time()) // history.SAMPLE_S
        scheduled = set(queues.queue(queues.DEFAULT, app.config).scheduled_job_registry.get_job_ids())
        assert scheduled & {f"metrics-history-{before + 1}", f"metrics-history-{after + 1}"}, "the next minute's run"
        assert 1 <= len(history.samples(redis)) <= 2  # the page and the job share a minute's slot
        admin.get("/")  # a request between two samples
        later = (after + 10) * history.SAMPLE_S  # a minute slot nobody sampled yet
        assert history.record(redis, snapshot(app.config), later)
        assert not history.record(redis, snapshot(app.config), later + 1), "one sample per minute"
    page = admin.get("/admin/system").text
    assert "The last two hours" in page and "<polyline" in page and "Jobs waiting in RQ over" in page
