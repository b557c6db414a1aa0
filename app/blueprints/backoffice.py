"""What back-office decisions share: run one domain operation and tell the reviewer how it went.

Why here and not in the error handler: a decision is posted from its object's page and answered with
a redirect back to that page (POST, then GET), so its refusal is a flashed message shown there rather
than a 422 page of its own. Every other domain error goes to app/errors.py.
"""

from __future__ import annotations

from flask import flash

from app.domain import errors
from app.formatting import status_label


def attempt(operation, *args, done: str, category: str = "success", kind: str | None = None) -> bool:
    """Call `operation(*args)`; flash `done` (its "{}" filled with the result, underscores read as spaces, or
    the result's status label when `kind` names its vocabulary, app.formatting.status_label) or, when a rule
    refuses (app.domain.errors.Refused), the refusal's reason. True when it was done."""
    try:
        result = operation(*args)
    except errors.Refused as refusal:
        flash(str(refusal), "error")
        return False
    flash(done.format(status_label(result, kind) if kind else str(result).replace("_", " ")), category)
    return True
