"""The process's MongoClient and database handle; the only place that creates one."""

from __future__ import annotations

import pymongo
from flask import current_app
from pymongo.database import Database

from app.extensions import PerProcess


def _make_client(config: dict) -> pymongo.MongoClient:
    # Short selection timeout: a down database should fail a request fast, not hang it.
    return pymongo.MongoClient(config["MONGO_URI"], serverSelectionTimeoutMS=3000, connectTimeoutMS=2000,
                               tz_aware=True, appname="libertum")


mongo_client: PerProcess[pymongo.MongoClient] = PerProcess("libertum.mongo", _make_client, "MONGO_URI",
                                                         lambda c: c.close())


def get_db(config: dict | None = None) -> Database:
    """The platform database of this process's client."""
    config = config if config is not None else current_app.config
    return mongo_client.get(config)[config["MONGO_DB"]]


def ping(config: dict | None = None) -> None:
    """Raise if MongoDB does not answer."""
    get_db(config).command("ping")
