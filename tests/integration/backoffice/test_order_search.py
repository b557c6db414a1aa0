"""Staff search orders by payment reference, investor, amount and date range, in keyset pages; bad criteria are
explained, never an error page."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.orders import order_form, quick_investor


def _rows(client, query: str, **headers) -> list[str]:
    page = client.get("/admin/orders/search?" + query, headers=headers)
    assert page.status_code == 200
    return page.text.split('data-testid="search-row"')[1:]


def test_search_by_each_criterion_and_all_together(app, db, auth):
    offering = list_offering(db, offering_doc(fee=0))
    grace = quick_investor(db, offering)
    db.users.update_one({"_id": grace["_id"]}, {"$set": {"legalFullName": "Grace Hopper"}})
    others = [quick_investor(db, offering) for _ in range(2)]
    small = ordering.place(app.config, grace, str(offering["_id"]), order_form(10))      # $1,000
    large = ordering.place(app.config, grace, str(offering["_id"]), order_form(30))      # $3,000
    rest = [ordering.place(app.config, o, str(offering["_id"]), order_form(20)) for o in others]
    db.orders.update_one({"_id": small["_id"]}, {"$set": {"orderReceived": datetime(2026, 11, 2, 9, tzinfo=UTC)}})
    db.orders.update_one({"_id": large["_id"]}, {"$set": {"orderReceived": datetime(2026, 11, 20, 23, tzinfo=UTC)}})
    staff = auth("subadmin", permissions=["orders"])

    found = _rows(staff, f"reference={small['paymentReference']}")
    assert len(found) == 1 and small["paymentReference"] in found[0]
    assert len(_rows(staff, f"reference={small['paymentReference'][:6].lower()}")) >= 1
    assert len(_rows(staff, "investor=grace hop")) == 2
    assert len(_rows(staff, f"investor={others[0]['email'][:10]}")) == 1
    assert {r.split("LIB-")[1][:9] for r in _rows(staff, "amount_min=2,000&amount_max=3000")} == {
        o["paymentReference"][4:] for o in [large, *rest]}
    assert len(_rows(staff, "date_from=2026-11-01&date_to=2026-11-20")) == 2  # the last day is included
    assert len(_rows(staff, "date_from=2026-11-03&date_to=2026-11-20")) == 1
    assert len(_rows(staff, "investor=Grace&amount_min=2000&date_to=2026-11-30")) == 1
    assert _rows(staff, "investor=nobody-by-this-name") == []


def test_bad_criteria_are_explained_and_pages_continue_without_repeats(app, db, auth):
    offering = list_offering(db, offering_doc(fee=0, details={"maxTokenHolding": 10_000}))
    investor = quick_investor(db, offering)
    placed = [ordering.place(app.config, investor, str(offering["_id"]), order_form(10)) for _ in range(55)]
    staff = auth("subadmin", permissions=["orders"])
    page = staff.get("/admin/orders/search?amount_min=10,5&date_from=2026-13-01&reference=%24ne")
    assert page.status_code == 200
    assert "is not an amount" in page.text and "is not a date" in page.text
    assert "letters, digits and dashes" in page.text
    assert "Enter at least one criterion." in staff.get("/admin/orders/search").text

    first = staff.get(f"/admin/orders/search?investor={investor['email']}")
    assert first.text.count('data-testid="search-row"') == 50 and "More results" in first.text
    before = first.text.split("before=")[1].split("&")[0].split('"')[0]
    rest = staff.get(f"/admin/orders/search?investor={investor['email']}&before={before}",
                     headers={"HX-Request": "true"})
    assert rest.text.count('data-testid="search-row"') == 5 and "<html" not in rest.text
    seen = {r.split("LIB-")[1][:9] for r in first.text.split('data-testid="search-row"')[1:]}
    more = {r.split("LIB-")[1][:9] for r in rest.text.split('data-testid="search-row"')[1:]}
    assert not seen & more and len(seen | more) == len(placed)
    for client in (auth("investor"), auth("subadmin", permissions=["users", "kyc"])):
        assert client.get("/admin/orders/search?reference=LIB").status_code == 403
