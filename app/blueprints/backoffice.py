"""What back-office decisions share: run one domain operation and tell the reviewer how it went.

Why here and not in the error handler: a decision is posted from its object's page and answered with
a redirect back to that page (POST, then GET), so its refusal is a flashed message shown there rather
than a 422 page of its own. Every other domain error goes to app/errors.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash

from app.blueprints import confirm
from app.blueprints.htmx import redirect_url
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


@dataclass(frozen=True)
class Question:
    """What a decision asks before it is taken (app.blueprints.confirm): the question, the danger button's
    words and what follows from saying yes."""
    text: str
    button: str
    detail: str = "This cannot be undone."


def decide(page: str, operation, *args, done: str, ask: Question | None = None, kind: str | None = None):
    """A decision posted from its object's `page` (a URL): without the confirmation, `ask` first (the page
    posts the same fields again, with it; nothing is changed yet); then `attempt(operation, *args)` and back
    to `page`, where the flash says what was done or why it was refused. A missing object or a person without
    the right is the operation's 404/403, as for any route."""
    if ask is not None and not confirm.confirmed():
        return confirm.ask_again(ask.text, page, ask.button, ask.detail)
    attempt(operation, *args, done=done, kind=kind)
    return redirect_url(page)
