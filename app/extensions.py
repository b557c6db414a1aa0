"""Unbound extension objects, bound to the app by `create_app`.

Server clients (Redis here, MongoDB in app.data.mongo, Web3 in app.chain.node, the Kafka
producer in app.events.producer) are created lazily on first use in each process, so
nothing connects at import time and no client crosses a fork (gunicorn, RQ).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import redis
from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

T = TypeVar("T")

csrf = CSRFProtect()
login_manager = LoginManager()
# Storage, headers and the on/off switch come from app.config (RATELIMIT_*) at init_app.
limiter = Limiter(get_remote_address, key_prefix="ratelimit")


class PerProcess(Generic[T]):
    """One client per process and per target (the setting `key` names), built on first use after a fork.

    Keyed by target so that two apps in one process (tests, a CLI pointing elsewhere) never
    share a client aimed at the wrong server.
    """

    def __init__(self, name: str, factory: Callable[[dict], T], key: str,
                 close: Callable[[T], None] | None = None):
        self.name = name
        self._factory = factory
        self._key = key
        self._close = close
        self._lock = threading.Lock()
        self._clients: dict[str, T] = {}
        self._pid = os.getpid()

    def init_app(self, app: Flask) -> None:
        app.extensions[self.name] = self

    def get(self, config: dict | None = None) -> T:
        config = config if config is not None else current_app.config
        target = str(config[self._key])
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's clients are not ours to use or close
                self._clients, self._pid = {}, os.getpid()
            client = self._clients.get(target)
            if client is None:
                client = self._clients[target] = self._factory(config)
        return client

    def reset(self) -> None:
        """Close and drop this process's clients (tests, shutdown); the next `get` builds new ones."""
        with self._lock:
            clients, self._clients = self._clients, {}
            if self._close is not None and self._pid == os.getpid():
                for client in clients.values():
                    self._close(client)


def _make_redis(config: dict) -> redis.Redis:
    return redis.Redis.from_url(config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2,
                                health_check_interval=30)


redis_client: PerProcess[redis.Redis] = PerProcess("libertum.redis", _make_redis, "REDIS_URL", lambda c: c.close())
