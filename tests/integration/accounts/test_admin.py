"""Back office: user management, sub-admins and their permissions, the audit log (MongoDB and Kafka), the CLI."""

import json
import re
import uuid

from kafka import KafkaConsumer

from app.domain.accounts.permissions import PERMISSIONS
from tests.fixtures.accounts import PASSWORD, login, make_user, post, run_mail_jobs, signed_in_client


def test_admin_searches_users_and_htmx_gets_rows_only(app, investor):
    admin = signed_in_client(app, make_user("admin"))
    make_user(email="zelda@example.com")
    page = admin.get("/admin/users?q=zelda")
    assert page.status_code == 200 and "zelda@example.com" in page.text and investor["email"] not in page.text
    rows = admin.get("/admin/users?q=ZELDA", headers={"HX-Request": "true"})
    assert rows.text.lstrip().startswith("<tr>") and "zelda@example.com" in rows.text and "<html" not in rows.text
    assert "No user matches" in admin.get("/admin/users?q=%24ne", headers={"HX-Request": "true"}).text
    assert admin.get("/admin/users?q[$ne]=1&user_type[$gt]=").status_code == 200


def test_deactivation_ends_the_users_sessions_at_once(app, db, investor):
    victim = signed_in_client(app, investor)
    admin = signed_in_client(app, make_user("admin"))
    assert post(admin, f"/admin/users/{investor['_id']}/deactivate", {"confirm": "yes"}).status_code == 303
    assert victim.get("/auth/account").status_code == 302
    assert login(app.test_client(), investor).status_code == 401
    assert post(admin, f"/admin/users/{investor['_id']}/reactivate").status_code == 303
    assert login(app.test_client(), investor).status_code == 303
    assert post(admin, f"/admin/users/{investor['_id']}/delete", {"confirm": "yes"}).status_code == 303
    assert db.users.find_one({"_id": investor["_id"]})["isDeleted"]
    assert login(app.test_client(), investor).status_code == 401


def test_a_sub_admin_does_exactly_what_its_permissions_allow(app, investor):
    admin_user = make_user("admin")
    helper = signed_in_client(app, make_user("subadmin", permissions=["users"]))
    assert helper.get("/admin/users").status_code == 200
    assert helper.get("/admin/audit").status_code == 403
    assert helper.get("/admin/subadmins").status_code == 403
    assert post(helper, f"/admin/users/{investor['_id']}/deactivate", {"confirm": "yes"}).status_code == 303
    assert post(helper, f"/admin/users/{admin_user['_id']}/deactivate", {"confirm": "yes"}).status_code == 403
    assert post(helper, f"/admin/users/{uuid.uuid4().hex[:24]}/deactivate", {"confirm": "yes"}).status_code == 404
    dashboard = helper.get("/admin/").text
    assert "Users" in dashboard and "Audit log" not in dashboard


def test_the_dashboard_links_each_section_the_sub_admin_holds(app):
    helper = signed_in_client(app, make_user("subadmin", permissions=["whitelist", "orders"]))
    dashboard = helper.get("/admin/").text
    assert 'href="/admin/whitelist/"' in dashboard and 'href="/admin/orders/"' in dashboard
    assert 'href="/admin/offerings/"' not in dashboard
    assert 'href="/admin/parked-events/"' not in dashboard, "parked chain events are the admins' (operators')"
    assert 'href="/admin/parked-events/"' in signed_in_client(app, make_user("admin")).get("/admin/").text


def test_sub_admins_are_created_with_permissions_and_a_password_link(mail_sandbox, app, db):
    admin = signed_in_client(app, make_user("admin"))
    response = post(admin, "/admin/subadmins", {"legal_name": "Kim Review", "email": "kim@example.com",
                                                "country_code": "+33", "mobile": "612345678",
                                                "permissions": ["kyc", "audit"]})
    assert response.status_code == 303
    kim = db.users.find_one({"email": "kim@example.com"})
    assert kim["userType"] == "subadmin" and kim["permissions"] == ["audit", "kyc"] and kim["password"] is None
    run_mail_jobs()
    import requests
    [mail] = requests.get(f"{mail_sandbox}/mail/messages.json", params={"to": "kim@example.com"},
                          timeout=5).json()["messages"]
    assert "valid 72 hours" in mail["body"]
    link = re.search(r"https?://\S+", mail["body"]).group(0)
    kim_client = app.test_client()
    path = "/" + link.split("/", 3)[3]
    assert post(kim_client, path, {"password": "kim sets her own passphrase"}).status_code == 303
    kim_browser = app.test_client()
    assert post(kim_browser, "/auth/login", {"email": "kim@example.com",
                                             "password": "kim sets her own passphrase"}).status_code == 303
    assert kim_browser.get("/admin/audit").status_code == 200
    assert kim_browser.get("/admin/users").status_code == 403
    # permission changes apply at the next request
    assert post(admin, f"/admin/subadmins/{kim['_id']}/permissions", {"permissions": ["users"]}).status_code == 303
    assert kim_browser.get("/admin/audit").status_code == 403
    assert kim_browser.get("/admin/users").status_code == 200


def test_no_one_grants_more_than_they_hold(app, db):
    lead = signed_in_client(app, make_user("subadmin", permissions=["subadmins", "kyc"]))
    refused = post(lead, "/admin/subadmins", {"legal_name": "Eve", "email": "eve@example.com", "country_code": "+44",
                                              "mobile": "7700900777", "permissions": ["kyc", "orders"]})
    assert refused.status_code == 422 and "You cannot grant: orders." in refused.text
    assert db.users.find_one({"email": "eve@example.com"}) is None
    other = make_user("subadmin", permissions=["kyc"])
    post(lead, f"/admin/subadmins/{other['_id']}/permissions", {"permissions": ["kyc", "users"]})
    assert db.users.find_one({"_id": other["_id"]})["permissions"] == ["kyc"]


def test_security_events_reach_the_audit_log_and_kafka(app, services, db, investor):
    consumer = KafkaConsumer("platform.events", bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"],
                             group_id=f"audit-test-{uuid.uuid4().hex}", auto_offset_reset="latest",
                             consumer_timeout_ms=10000, value_deserializer=json.loads)
    consumer.poll(timeout_ms=2000)  # join the group and get partitions before producing
    client = app.test_client()
    login(client, investor, password="wrong wrong wrong")
    login(client, investor)
    post(client, "/auth/password", {"current_password": PASSWORD, "new_password": "another long passphrase"})
    events = [e["event"] for e in db.auditLogs.find({"subjectId": str(investor["_id"])}).sort("at", 1)]
    assert events[-3:] == ["login.failed", "login.ok", "password.changed"]
    seen = set()
    for message in consumer:
        if message.value.get("subjectId") == str(investor["_id"]):
            seen.add(message.value["type"])
        if {"security.login.failed", "security.login.ok", "security.password.changed"} <= seen:
            break
    consumer.close()
    assert {"security.login.failed", "security.login.ok", "security.password.changed"} <= seen


def test_admins_browse_and_filter_the_audit_log(app, investor):
    login(app.test_client(), investor, password="wrong wrong wrong")
    auditor = signed_in_client(app, make_user("subadmin", permissions=["audit"]))
    page = auditor.get("/admin/audit")
    assert page.status_code == 200 and "login.failed" in page.text
    rows = auditor.get(f"/admin/audit?event=login.failed&email={investor['email']}", headers={"HX-Request": "true"})
    assert "Login failed" in rows.text and "Login ok" not in rows.text and "<html" not in rows.text
    assert "No entry matches" in auditor.get("/admin/audit?email=nobody-here",
                                             headers={"HX-Request": "true"}).text


def test_cli_creates_an_admin_with_a_typed_password(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--email", "root@example.com", "--name", "Root Admin",
                                 "--country-code", "+44", "--mobile", "7700900001"],
                           input="a long admin passphrase\na long admin passphrase\n")
    assert result.exit_code == 0, result.output
    admin = db.users.find_one({"email": "root@example.com"})
    assert admin["userType"] == "admin" and sorted(admin["permissions"]) == sorted(PERMISSIONS)
    weak = runner.invoke(args=["users", "create-admin", "--email", "weak@example.com", "--name", "W",
                               "--country-code", "+44", "--mobile", "7700900002", "--password", "password1234"])
    assert weak.exit_code == 1 and "most common" in weak.output
    assert db.users.find_one({"email": "weak@example.com"}) is None


def test_cli_refuses_an_admin_email_that_sign_in_would_refuse(app, db):
    """admin@libertum.test was created, then refused at sign-in ('Enter a valid email address') for good."""
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "create-admin", "--email", "admin@libertum.test", "--name", "Root Admin",
                                  "--country-code", "+44", "--mobile", "7700900003",
                                  "--password", "a long admin passphrase"])
    assert refused.exit_code == 1 and "Email: Enter a valid email address" in refused.output
    assert db.users.find_one({"email": "admin@libertum.test"}) is None
    created = runner.invoke(args=["users", "create-admin", "--email", "admin@libertum.example", "--name", "Root Admin",
                                  "--country-code", "+44", "--mobile", "7700900003",
                                  "--password", "a long admin passphrase"])
    assert created.exit_code == 0, created.output
    client = app.test_client()
    assert login(client, db.users.find_one({"email": "admin@libertum.example"}),
                 password="a long admin passphrase").status_code == 303
