"""Server-side sessions in Redis: the cookie holds only a random id, the data lives under `session:<id>`.

Why our own interface rather than Flask-Session: the platform needs three things around the
store that are simplest to keep in one place: a new id at sign-in (session fixation), an
index of each user's session ids so a deactivation or a password change can end the user's
other sessions at once, and an absolute lifetime on top of the idle one (Redis TTL).
"""

from __future__ import annotations

import json
import secrets
import time

import redis
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from app.extensions import redis_client

SESSION_PREFIX = "session:"
USER_INDEX_PREFIX = "user-sessions:"
CREATED_KEY = "_created"
USER_KEY = "_user_id"  # Flask-Login's key: the session's owner once signed in


class RedisSession(CallbackDict, SessionMixin):
    """A session dict that knows its id and whether it changed; `regenerate()` gives it a new id."""

    def __init__(self, initial: dict | None = None, sid: str | None = None, new: bool = False):
        def on_update(_):
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid or _new_sid()
        self.new = new
        self.previous_sid: str | None = None
        self.modified = False

    @property
    def permanent(self) -> bool:
        """Always: the cookie lives as long as the idle timeout, the Redis TTL decides the rest."""
        return True

    @permanent.setter
    def permanent(self, value: bool) -> None:
        pass

    def regenerate(self) -> None:
        """A fresh id for the same data (call at sign-in); the old id is deleted when the response is saved."""
        if self.previous_sid is None and not self.new:
            self.previous_sid = self.sid
        self.sid = _new_sid()
        self[CREATED_KEY] = int(time.time())
        self.modified = True


def _new_sid() -> str:
    return secrets.token_urlsafe(32)


class RedisSessionInterface(SessionInterface):
    """Idle timeout = the key's TTL, refreshed on every request; absolute timeout checked on load."""

    serializer = json

    def _redis(self, app: Flask) -> redis.Redis:
        return redis_client.get(app.config)

    def open_session(self, app: Flask, request: Request) -> RedisSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 64:
            return RedisSession(new=True)
        raw = self._redis(app).get(SESSION_PREFIX + sid)
        if raw is None:
            return RedisSession(new=True)
        data = json.loads(raw)
        max_age = app.config["SESSION_MAX_HOURS"] * 3600
        if time.time() - data.get(CREATED_KEY, 0) > max_age:
            self._delete(app, sid, data.get(USER_KEY))
            return RedisSession(new=True)
        return RedisSession(data, sid=sid)

    def save_session(self, app: Flask, session: RedisSession, response: Response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        store = self._redis(app)
        if session.previous_sid:
            self._delete(app, session.previous_sid, None)
        if not session:
            if not session.new:
                self._delete(app, session.sid, None)
                response.delete_cookie(name, domain=domain, path=path)
            return
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        if session.modified or session.new:
            session.setdefault(CREATED_KEY, int(time.time()))
            pipe = store.pipeline()
            pipe.set(SESSION_PREFIX + session.sid, json.dumps(dict(session)), ex=idle)
            if session.get(USER_KEY):
                index = USER_INDEX_PREFIX + session[USER_KEY]
                pipe.sadd(index, session.sid)
                pipe.expire(index, app.config["SESSION_MAX_HOURS"] * 3600)
            pipe.execute()
        else:
            store.expire(SESSION_PREFIX + session.sid, idle)
        response.vary.add("Cookie")
        response.set_cookie(name, session.sid, max_age=idle, httponly=True, domain=domain, path=path,
                            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))

    def _delete(self, app: Flask, sid: str, user_id: str | None) -> None:
        pipe = self._redis(app).pipeline()
        pipe.delete(SESSION_PREFIX + sid)
        if user_id:
            pipe.srem(USER_INDEX_PREFIX + user_id, sid)
        pipe.execute()


def end_user_sessions(config: dict, user_id: str, keep: str | None = None) -> int:
    """Delete every session of `user_id` except `keep`; returns how many ended. Used on deactivation,
    password change and reset, so a stolen session dies with the credential that made it."""
    store = redis_client.get(config)
    index = USER_INDEX_PREFIX + str(user_id)
    sids = [sid.decode() for sid in store.smembers(index)]
    doomed = [sid for sid in sids if sid != keep]
    if not doomed:
        return 0
    pipe = store.pipeline()
    for sid in doomed:
        pipe.delete(SESSION_PREFIX + sid)
    pipe.srem(index, *doomed)
    results = pipe.execute()
    return sum(results[:-1])


def register_sessions(app: Flask) -> None:
    app.session_interface = RedisSessionInterface()
