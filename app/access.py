"""Route access rules: every view declares who may open it, and one check before each request enforces it.

Declare with `@access(rule)` on a view, or `access_default(bp, rule)` for a whole blueprint
(a view's own rule wins). A route with no rule is refused (fail closed) and fails the
access-matrix test, so a new route cannot go unguarded by accident. Rules are in
`app.domain.accounts.permissions`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from app.access_reasons import NotYet, not_yet
from app.domain.accounts.permissions import INVESTORS, ISSUERS, PUBLIC, SIGNED_IN, STAFF, AccessRule, allows

log = logging.getLogger(__name__)

# The rule of a blueprint's views that declare none; a view's own @access rule wins.
_BLUEPRINT_DEFAULTS: dict[str, AccessRule] = {
    "system": PUBLIC,       # probes
    "marketplace": PUBLIC,  # what visitors browse
    "webhooks": PUBLIC,     # providers authenticate by signature, not by session
    "onboarding": SIGNED_IN,
    "portfolio": INVESTORS,
    "issuer": ISSUERS,
    "admin": STAFF,         # back-office views narrow this with staff(permission)
}


class NotYetAllowed(Forbidden):
    """A 403 for a normal path someone may not open yet: app/errors.py shows the reason and the next step."""

    def __init__(self, refusal: NotYet):
        super().__init__(refusal.reason)
        self.refusal = refusal


def access(rule: AccessRule) -> Callable:
    """Attach `rule` to a view function (read by the check below and by the access-matrix test)."""

    def mark(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return mark


def access_default(bp: Blueprint, rule: AccessRule) -> None:
    """The rule of every view of `bp` that declares none itself."""
    _BLUEPRINT_DEFAULTS[bp.name] = rule


def rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = app.view_functions.get(endpoint)
    rule = getattr(view, "access_rule", None)
    if rule is None and "." in endpoint:
        rule = _BLUEPRINT_DEFAULTS.get(endpoint.rsplit(".", 1)[0])
    return rule


def current_user_doc() -> dict | None:
    return current_user.doc if current_user.is_authenticated else None


def enforce_access():
    """Visitors meet the sign-in page; signed-in users without the right get 403 saying why and what to do next."""
    if request.endpoint is None:  # 404 / 405: routing already answers
        return None
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        log.error("route %s has no access rule; refusing it", request.endpoint)
        abort(403)
    user = current_user_doc()
    allowed = allows(rule, user)
    request.environ["libertum.access"] = (str(rule), allowed)  # for logs and the access-matrix test
    if allowed:
        return None
    if user is None:
        return redirect(url_for("auth.show_login", next=request.full_path.rstrip("?")))
    raise NotYetAllowed(not_yet(rule, user))


def register_access(app: Flask) -> None:
    app.before_request(enforce_access)
    # templates: {% for item in main_nav() %} (the signed-in person's links, or a visitor's)
    app.add_template_global(lambda: nav_items(current_user_doc()), "main_nav")


class NavItem(NamedTuple):
    endpoint: str
    label: str


# The main navigation, in display order; each link shows only to people its route's rule lets in.
NAV = (NavItem("marketplace.list_offerings", "Marketplace"), NavItem("portfolio.show_portfolio", "Portfolio"),
       NavItem("transfer_requests.show_transfers", "Transfers"), NavItem("onboarding.show_onboarding", "Onboarding"),
       NavItem("issuer.show_dashboard", "Issuer"),
       NavItem("admin.show_dashboard", "Admin"))


def nav_items(user: dict | None) -> list[NavItem]:
    """The main links `user` (None: a visitor) may open, judged by the same rules as `enforce_access`,
    so the header never offers a page that would answer 403. Templates: `url_for(item.endpoint)`, `item.label`."""
    return [item for item in NAV if (rule := rule_for(current_app, item.endpoint)) is not None and allows(rule, user)]
