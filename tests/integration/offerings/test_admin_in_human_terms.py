"""The back office's offering review reads in human terms: labelled sections with money, percentages,
countries and yes/no as people write them, never the stored field names and raw values."""

from bson import ObjectId

from tests.fixtures.accounts import login, make_user, post
from tests.integration.offerings.conftest import fill_wizard


def test_the_offering_review_shows_human_values_not_a_field_dump(admin_client, issuer_client):
    offering_id = fill_wizard(issuer_client)
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    page = admin_client.get(f"/admin/offerings/{offering_id}").text
    assert 'data-testid="offering-status">Submitted for review<' in page
    for human in ("Countries investors may live in", "France, United Kingdom", "Private offering (members only)",
                  "<dd>No</dd>", "$1,000,000", "6.5%", "1.5%", "Previous valuation", "Not given", "Submitted "):
        assert human in page, human
    for raw in ("authorizedCountries", "['FR', 'GB']", "isPrivate", "False", "previousValuation", "None",
                "fee (bps)", "100000000", "<dd>650</dd>", "tokenSupply"):
        assert raw not in page, raw
    queue = admin_client.get("/admin/offerings/").text
    assert "Submitted for review" in queue and "changes_requested" not in queue.split("<table")[-1]


def test_the_dashboard_counts_what_waits_for_each_permission(app, admin_client, issuer_client):
    for title in ("Harbour Lofts", "Canal Works"):
        offering_id = fill_wizard(issuer_client, {"overview": {"title": title}})
        assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    fill_wizard(issuer_client, {"overview": {"title": "Still A Draft"}})
    page = admin_client.get("/admin/").text
    queue = page.split("Offerings submitted for review")[1].split("</li>")[0]
    assert 'data-testid="queue-count">2<' in queue
    assert 'href="/admin/offerings/?status=submitted"' in page and "KYC applications to review" in page
    kyc_only = app.test_client()
    login(kyc_only, make_user("subadmin", permissions=["kyc"]))
    narrow = kyc_only.get("/admin/").text
    assert "KYC applications to review" in narrow and "Offerings submitted for review" not in narrow


def test_the_deployment_fragment_reloads_the_page_once_the_deployment_is_no_longer_running(admin_client,
                                                                                          issuer_client, db):
    offering_id = fill_wizard(issuer_client)
    post(issuer_client, f"/issuer/offerings/{offering_id}/submit")
    post(admin_client, f"/admin/offerings/{offering_id}/decision", {"decision": "approve"})
    url = f"/admin/offerings/{offering_id}/deployment"
    ended = admin_client.get(url, headers={"HX-Request": "true"})
    assert ended.status_code == 200 and ended.headers.get("HX-Refresh") == "true"  # badge and actions follow
    assert "HX-Refresh" not in admin_client.get(url).headers
    db.offerings.update_one({"_id": ObjectId(offering_id)}, {"$set": {"status": "deploying"}})
    running = admin_client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in running.headers and 'hx-trigger="every 1s"' in running.text
