"""Sign-in and sessions: a new session id at sign-in, logout deletes it, timeouts, other sessions killed."""

import time

from app.domain.accounts import credentials
from app.extensions import redis_client
from app.sessions import SESSION_PREFIX, USER_INDEX_PREFIX
from tests.fixtures.accounts import PASSWORD, csrf, login, make_user, post, session_cookie


def test_sign_in_gives_a_new_session_id(client, investor):
    csrf(client)
    before = session_cookie(client)
    assert before and redis_client.get().exists(SESSION_PREFIX + before)
    response = login(client, investor)
    assert response.status_code == 303
    after = session_cookie(client)
    assert after != before
    assert not redis_client.get().exists(SESSION_PREFIX + before)  # the visitor's id is gone: no fixation
    assert client.get("/auth/account").status_code == 200


def test_wrong_password_is_refused_with_one_message(client, investor):
    response = login(client, investor, password="not the password at all")
    assert response.status_code == 401
    assert "The email or password is not right." in response.text
    unknown = post(client, "/auth/login", {"email": "nobody@example.com", "password": "whatever whatever"})
    assert unknown.status_code == 401 and "The email or password is not right." in unknown.text


def test_logout_deletes_the_session_so_the_old_cookie_is_worthless(client, app, investor):
    login(client, investor)
    sid = session_cookie(client)
    assert post(client, "/auth/logout").status_code == 303
    assert not redis_client.get().exists(SESSION_PREFIX + sid)
    replay = app.test_client()
    replay.set_cookie("session", sid)
    response = replay.get("/auth/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logout_is_not_a_get(client, investor):
    login(client, investor)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/auth/account").status_code == 200


def test_idle_timeout_is_the_session_ttl(client, app, investor):
    login(client, investor)
    ttl = redis_client.get().ttl(SESSION_PREFIX + session_cookie(client))
    assert 0 < ttl <= app.config["SESSION_IDLE_MINUTES"] * 60


def test_absolute_timeout_ends_an_old_session(client, app, investor):
    login(client, investor)
    sid = session_cookie(client)
    store = redis_client.get()
    import json
    data = json.loads(store.get(SESSION_PREFIX + sid))
    data["_created"] = int(time.time()) - app.config["SESSION_MAX_HOURS"] * 3600 - 1
    store.set(SESSION_PREFIX + sid, json.dumps(data))
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert not store.exists(SESSION_PREFIX + sid)


def test_password_change_ends_the_other_sessions_at_once(app, investor):
    first, second = app.test_client(), app.test_client()
    login(first, investor)
    login(second, investor)
    response = post(first, "/auth/password", {"current_password": PASSWORD,
                                              "new_password": "a brand new passphrase 42"})
    assert response.status_code == 303
    assert first.get("/auth/account").status_code == 200
    assert second.get("/auth/account").status_code == 302
    assert login(second, investor).status_code == 401
    assert login(second, investor, password="a brand new passphrase 42").status_code == 303


def test_sessions_are_indexed_per_user(client, investor):
    login(client, investor)
    members = redis_client.get().smembers(USER_INDEX_PREFIX + str(investor["_id"]))
    assert session_cookie(client).encode() in members


def test_deactivated_user_cannot_sign_in(client, db, investor):
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"isActive": False}})
    response = login(client, investor)
    assert response.status_code == 401 and "deactivated" in response.text


def test_sign_in_rehashes_nothing_for_current_hashes(investor):
    result = credentials.authenticate(investor["email"], PASSWORD, "127.0.0.1")
    assert result.user["password"] == investor["password"] and not result.needs_second_factor


def test_a_second_user_is_independent(app, investor):
    other = make_user()
    a, b = app.test_client(), app.test_client()
    login(a, investor)
    login(b, other)
    assert investor["email"] in a.get("/auth/account").text
    assert other["email"] in b.get("/auth/account").text
