"""A wallet removed from an offering's identity registry on chain: the investor's approved whitelisting becomes
`removed` (chain-monitor -> Kafka -> chain-sync), ordering refuses, investor and staff read why, and registering
the wallet again restores it."""

from __future__ import annotations

from app.chain import agent as ops
from app.chain.identity import get_identity
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import BrowserClient, login, make_user, post
from tests.fixtures.chain import FRANCE
from tests.fixtures.orders import approve, order_form
from tests.fixtures.processes import wait_for


def test_removal_from_the_registry_stops_ordering_until_the_wallet_is_registered_again(
        app, db, platform, monitor, sync, suite, verified, wallet):
    app.test_client_class = BrowserClient
    offering = list_offering(db, offering_doc(fee=150, tokenAddress=suite["token"],
                                              identityRegistry=suite["identityRegistry"]))
    investor = make_user("investor")
    address = verified()
    approve(db, investor, offering, wallet=address)
    request_id = db.whitelists.find_one({"userId": investor["_id"]})["_id"]
    db.whitelists.update_one({"_id": request_id}, {"$set": {"adminStatus": "approved"}})
    client = app.test_client()
    assert login(client, investor).status_code == 303
    order_url = f"/invest/{offering['_id']}/order"
    assert "not whitelisted" not in client.get(order_url).text

    ops.delete_identity(wallet.w3, wallet.account, suite["identityRegistry"], address)
    removed = wait_for(lambda: (w := db.whitelists.find_one({"_id": request_id}))["status"] == "removed" and w,
                       what="the removal synced")
    assert removed["onChainRegistered"] is False and removed["removedAt"]
    refused = post(client, order_url, order_form(tokens=20, wallet=address))
    assert refused.status_code == 422 and "not whitelisted" in refused.text
    assert db.orders.count_documents({}) == 0
    status = client.get(f"/invest/{offering['_id']}/whitelist/").text
    assert "Removed from the registry" in status and "removed from this offering&#39;s identity registry" in status
    staff = app.test_client()
    assert login(staff, make_user("subadmin", permissions=["whitelist"])).status_code == 303
    assert 'data-testid="removed"' in staff.get(f"/admin/whitelist/{request_id}").text

    identity = get_identity(wallet.w3, platform, address)
    ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], address, identity, FRANCE)
    wait_for(lambda: db.whitelists.find_one({"_id": request_id})["status"] == "approved", what="the restoration")
    placed = post(client, order_url, order_form(tokens=20, wallet=address))
    assert placed.status_code == 303 and db.orders.count_documents({}) == 1
