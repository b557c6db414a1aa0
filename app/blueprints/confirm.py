"""Destructive actions ask first, with JavaScript or without.

Under htmx the form's `hx-confirm` asks in the browser and `hx-vals` then adds `confirm=yes` to the POST.
A plain browser posts the same form without that field: the route answers with a confirmation page
(`ask`) whose button posts again with it, so nothing is removed or cancelled by one unconsidered click.
The same page is the route's GET, for a link to "Cancel order" that works anywhere.
"""

from __future__ import annotations

from flask import render_template, request

FIELD = "confirm"


def confirmed() -> bool:
    """True when the POST carries the confirmation (the confirmation page's button, or htmx after hx-confirm)."""
    return request.form.get(FIELD) == "yes"


def ask(question: str, action: str, back: str, button: str, detail: str = "This cannot be undone.",
        carried: list[tuple[str, str]] | None = None):
    """The confirmation page: `question`, what follows (`detail`), a danger `button` posting to `action` with the
    confirmation (and the `carried` fields, as hidden inputs), and a way `back` that changes nothing."""
    return render_template("confirm.html", question=question, detail=detail, action=action, back=back,
                           button=button, field=FIELD, carried=carried or [])


def ask_again(question: str, back: str, button: str, detail: str = "This cannot be undone."):
    """The confirmation page for the POST being answered: its button posts the same fields again (a decision,
    the reason the reviewer typed) to the same address, with the confirmation; nothing was changed yet."""
    carried = [(name, value) for name, value in request.form.items(multi=True) if name not in (FIELD, "csrf_token")]
    return ask(question, request.path, back, button, detail, carried)
