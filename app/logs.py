"""Structured logs: one JSON object per line, each carrying the request id when there is one."""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_NAME = "libertum-json"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "-") to every record so every line can be traced to its request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else getattr(record, "request_id", "-")
        return True


def configure_logging(level: str) -> None:
    """Install the JSON handler on the root logger once per process."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                       rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    for noisy in ("kafka", "urllib3", "web3", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def register_logging(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def expose_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        return response
