"""An investor who is not whitelisted reads so once on the order form: in the page's note, or in the refusal
when an order was tried, never both (they used to say it twice, in different words)."""

from __future__ import annotations

from tests.fixtures.accounts import post


def test_not_whitelisted_is_said_once(db, offering, investor):
    db.whitelists.update_one({"userId": investor["_id"]}, {"$set": {"status": "signed"}})
    url = f"/invest/{offering['_id']}/order"
    page = investor["client"].get(url).text
    assert page.count("not whitelisted for this offering") == 1
    preview = investor["client"].get(url + "/preview?tokens=20", headers={"HX-Request": "true"}).text
    assert "whitelisted" not in preview  # the page's note already says it
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {"tokens": "20", "method": "fiat", "wallet": investor["wallet"], "key": key}
    refused = post(investor["client"], url, form)
    assert refused.status_code == 422
    assert refused.text.count("not whitelisted for this offering") == 1
