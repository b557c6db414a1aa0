"""The investor's side through the real pages: form, preview, confirm, order page, refusals, privacy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from eth_account import Account

from app.data import orders
from app.domain.orders import reservations
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import login, make_user, post
from tests.fixtures.orders import approve, quick_investor

_KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')


def form_key(client, offering) -> str:
    page = client.get(f"/invest/{offering['_id']}/order")
    assert page.status_code == 200
    return _KEY.search(page.text).group(1)


def place(client, offering, **values):
    data = {"tokens": "", "amount": "", "method": "fiat", **values}
    data.setdefault("key", form_key(client, offering))
    return post(client, f"/invest/{offering['_id']}/order", data)


def test_an_investor_orders_by_amount_confirms_and_gets_bank_instructions(app, db, offering, investor):
    client = investor["client"]
    preview = client.get(f"/invest/{offering['_id']}/order/preview?amount=1,299.99", headers={"HX-Request": "true"})
    assert "$1,200" in preview.text and "$1,218" in preview.text  # 12 whole tokens at $100, 1.5 % fee on top

    key = form_key(client, offering)
    review = post(client, f"/invest/{offering['_id']}/order/review", {"amount": "1,299.99", "method": "fiat",
                                                                        "key": key})
    assert review.status_code == 200 and 'data-testid="total">$1,218' in review.text
    assert db.orders.count_documents({}) == 0  # the confirm step writes nothing

    placed = place(client, offering, amount="1,299.99", key=key)
    assert placed.status_code == 303
    again = place(client, offering, amount="1,299.99", key=key)  # a double submit: the same order
    assert again.headers["Location"] == placed.headers["Location"]
    order = db.orders.find_one({})
    assert db.orders.count_documents({}) == 1
    assert (order["tokens"], order["amount"], order["feeAmount"], order["totalAmount"]) == (12, 1_200_00, 18_00,
                                                                                            1_218_00)
    assert order["walletAddress"] == investor["wallet"] and order["status"] == "pending_payment"
    assert re.fullmatch(r"LIB-[2-9A-Z]{4}-[2-9A-Z]{4}", order["paymentReference"])

    page = client.get(placed.headers["Location"])
    assert order["paymentReference"] in page.text and app.config["BANK_IBAN"] in page.text
    assert "$1,218" in page.text and "Waiting for your payment" in page.text
    status = client.get(f"/orders/{order['_id']}/status")
    assert 'hx-trigger="every 3s"' in status.text


def test_change_on_the_confirm_step_brings_back_what_was_typed(offering, investor):
    client = investor["client"]
    key = form_key(client, offering)
    typed = {"amount": "1,400.00", "method": "fiat", "key": key}
    review = post(client, f"/invest/{offering['_id']}/order/review", typed)
    change = re.search(r'href="([^"]*/order\?[^"]*)">Change</a>', review.text).group(1).replace("&amp;", "&")
    form = client.get(change)
    assert 'name="amount" inputmode="decimal" value="1,400.00"' in form.text
    assert _KEY.search(form.text).group(1) == key  # nothing was placed: the same order key


def test_the_preview_shows_figures_or_the_reason(offering, investor):
    preview = investor["client"].get(f"/invest/{offering['_id']}/order/preview?tokens=11")
    assert "$1,100" in preview.text and "$16.50" in preview.text and "$1,116.50" in preview.text
    too_few = investor["client"].get(f"/invest/{offering['_id']}/order/preview?tokens=9")
    assert "The minimum investment is $1,000; this order comes to $900." in too_few.text


def _not_whitelisted(db, offering, investor):
    db.whitelists.update_one({"userId": investor["_id"]}, {"$set": {"status": "signed"}})


def _set(**details):
    return lambda db, offering, investor: db.offerings.update_one(
        {"_id": offering["_id"]}, {"$set": {f"projectDetails.{k}": v for k, v in details.items()}})


def _sold(tokens):
    def setup(db, offering, investor):
        db.orders.insert_one({"offeringId": offering["_id"], "userId": ObjectId(), "tokens": tokens, "quantity": tokens,
                              "status": "settled"})
    return setup


@pytest.mark.parametrize(("setup", "values", "message"), [
    (_not_whitelisted, {"tokens": "20"}, "You are not whitelisted for this offering"),
    (_set(startDate=datetime.now(UTC) + timedelta(days=3)), {"tokens": "20"}, "This offering opens for orders on"),
    (_set(endDate=datetime.now(UTC) - timedelta(days=1)), {"tokens": "20"}, "This offering closed for orders on"),
    (None, {"tokens": "5"}, "The minimum investment is $1,000; this order comes to $500."),
    (_set(maxInvestment=5_000_00), {"tokens": "60"}, "The maximum investment is $5,000; this order comes to $6,000."),
    (_set(maxInvestment=1_000_000_00), {"tokens": "2001"}, "One investor may hold at most 2,000 tokens"),
    (_sold(9_990), {"tokens": "20"}, "Only 10 tokens remain in this offering."),
    (_sold(10_000), {"tokens": "20"}, "This offering is sold out."),
    (None, {"tokens": "20", "wallet": Account.create().address}, "only be sent to one of your verified wallets"),
    (None, {"tokens": "twenty"}, "Enter a whole number of tokens"),
    (None, {"tokens": "20", "method": "cash"}, "Choose how you will pay"),
    (None, {"tokens": "20", "method": "crypto"}, "does not take stablecoin payments yet"),
    (None, {"tokens": "20", "key": "not-a-key"}, "This order form has expired"),
])
def test_each_refusal_is_explained_and_keeps_what_was_typed(db, offering, investor, setup, values, message):
    if setup:
        setup(db, offering, investor)
    response = place(investor["client"], offering, **values)
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert f'value="{values["tokens"]}"' in response.text
    assert db.orders.count_documents({"userId": investor["_id"]}) == 0


def test_a_wallet_of_the_investor_other_than_the_whitelisted_one_is_refused(db, offering, investor):
    other = Account.create().address
    from app.data import user_details
    user_details.add_verified_wallet(db, investor["_id"], other, "EIP-1193")
    response = place(investor["client"], offering, tokens="20", wallet=other)
    assert response.status_code == 422 and "only be sent to the wallet it whitelisted" in response.text


def test_another_investors_order_does_not_exist_for_you(app, db, offering, investor):
    placed = place(investor["client"], offering, tokens="20")
    order_url = placed.headers["Location"]
    stranger = make_user("investor")
    approve(db, stranger, offering)
    client = app.test_client()
    login(client, stranger)
    assert client.get(order_url).status_code == 404
    assert client.get(order_url + "/status").status_code == 404
    assert post(client, order_url + "/cancel", {"confirm": "yes"}).status_code == 404
    assert post(client, order_url + "/cancel").status_code == 404
    assert client.get(order_url + "/cancel").status_code == 404
    assert db.orders.find_one({})["status"] == "pending_payment"
    assert client.get("/orders/not-an-id").status_code == 404
    assert client.get("/invest/not-an-id/order").status_code == 404


def test_cancel_from_the_order_page_puts_the_tokens_back(app, db, offering, investor):
    placed = place(investor["client"], offering, tokens="20")
    assert reservations.reserved(app.config, offering["_id"]) == 20
    cancelled = post(investor["client"], placed.headers["Location"] + "/cancel", {"confirm": "yes"})
    assert cancelled.status_code == 303 and reservations.reserved(app.config, offering["_id"]) == 0
    page = investor["client"].get(placed.headers["Location"])
    assert "Cancelled by you." in page.text and "How to pay" not in page.text
    again = post(investor["client"], placed.headers["Location"] + "/cancel", {"confirm": "yes"})
    assert again.status_code == 422 and "Only an order still waiting for its payment can be cancelled" in again.text


@pytest.mark.parametrize("signed_in", ["issuer", "admin"], indirect=True)
def test_staff_and_issuers_cannot_order(offering, signed_in):
    assert signed_in.get(f"/invest/{offering['_id']}/order").status_code == 403


def test_crypto_order_shows_the_stablecoin_amount_and_address(app, db, platform, offering, investor):
    receiving = Account.create().address
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"paymentAddress": receiving}})
    placed = place(investor["client"], offering, tokens="20", method="crypto")
    assert placed.status_code == 303, placed.text
    order = orders.decoded(db.orders.find_one({}))
    assert order["paymentDue"] == 2_030_00 * 10**4 and order["paymentAddress"] == receiving
    page = investor["client"].get(placed.headers["Location"])
    assert "2,030.000000 USD stablecoin" in page.text and receiving in page.text


def test_service_level_investor_helper_is_usable(db, offering):
    assert quick_investor(db, offering)["wallet"]


def test_the_offering_page_offers_an_approved_investor_the_order_form(offering, investor):
    page = investor["client"].get(f"/offerings/{offering['_id']}")
    assert f'href="/invest/{offering["_id"]}/order" data-testid="order-button"' in page.text


def test_a_private_offering_does_not_exist_for_non_members(db, investor):
    private = list_offering(db, offering_doc(details={"isPrivate": True, "offeringMembers": ["someone@example.com"]}))
    assert investor["client"].get(f"/invest/{private['_id']}/order").status_code == 404
    assert investor["client"].get(f"/invest/{private['_id']}/order/preview?tokens=20").status_code == 404


def test_the_order_form_states_the_limits_and_where_to_get_whitelisted(app, db, offering, investor):
    page = investor["client"].get(f"/invest/{offering['_id']}/order").text
    assert "Each order from $1,000 up to $100,000 before the fee." in page
    assert "not whitelisted" not in page
    newcomer = app.test_client()
    login(newcomer, make_user("investor"))
    page = newcomer.get(f"/invest/{offering['_id']}/order").text
    assert f'from the <a href="/offerings/{offering["_id"]}">offering page</a>' in page
