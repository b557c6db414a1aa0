"""`POST /admin/orders/export.csv` through the real test client, with no app context around the request (as under
gunicorn: the app fixture's context would otherwise hide that the streamed body is read after the request ended)."""

from __future__ import annotations

import contextvars
import csv
import io

from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import post
from tests.integration.orders.test_admin_orders import placed


def outside_app_context(call, *args, **kwargs):
    """Run `call` in an empty context: no app or request context of the test's own, as in a server's worker."""
    return contextvars.Context().run(call, *args, **kwargs)


def test_staff_with_the_orders_permission_download_the_filtered_orders(app, db, admin_client):
    offering = list_offering(db, offering_doc(title="Harbour Lofts", fee=150))
    first, second = placed(app, db, offering, 25), placed(app, db, offering, 10)
    placed(app, db, list_offering(db, offering_doc(title="Elsewhere")), 10)

    def download():
        response = post(admin_client, "/admin/orders/export.csv", {"offering": str(offering["_id"])})
        return response, response.get_data(as_text=True)  # the streamed body is produced here, after the request

    response, body = outside_app_context(download)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["order"], r["offering"], r["tokens"], r["total"]) for r in rows] == [
        (str(second["_id"]), "Harbour Lofts", "10", "1015.00"), (str(first["_id"]), "Harbour Lofts", "25", "2537.50")]
