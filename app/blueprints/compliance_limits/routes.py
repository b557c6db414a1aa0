"""Back office: a deployed offering's compliance limits (supply cap, most one investor may hold, investor cap,
lock-up) read from the chain, a form to change them, and the history of changes with their progress.

Every view needs the `offerings` permission; each calls one operation of app.domain.compliance.limits.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request

from app.access import access_default, current_user_doc
from app.blueprints.htmx import is_htmx, redirect_to
from app.domain import errors
from app.domain.accounts.permissions import staff
from app.domain.compliance import limits

bp = Blueprint("compliance_limits", __name__, url_prefix="/admin/offerings", template_folder="templates")
access_default(bp, staff("offerings"))


def _page(offering_id: str, form: dict | None = None, found: dict | None = None, status: int = 200):
    shown = limits.page(current_user_doc(), offering_id)
    return render_template("compliance_limits/page.html", offering_id=offering_id, form=form or {},
                           errors=found or {}, **shown), status


@bp.get("/<offering_id>/compliance-limits")
def show_limits(offering_id: str):
    """The limits now, the form to change them and the history."""
    return _page(offering_id)


@bp.post("/<offering_id>/compliance-limits")
def change_limits(offering_id: str):
    """Change the limits typed in, each as a chain job; refusals come back next to their fields, typed values kept."""
    try:
        changed = limits.request_change(current_user_doc(), offering_id, request.form)
    except limits.LimitsInvalid as invalid:
        return _page(offering_id, request.form, invalid.errors, 422)
    except errors.Refused as refused:
        return _page(offering_id, request.form, {"form": str(refused)}, 422)
    flash(f"{len(changed)} change{'s are' if len(changed) != 1 else ' is'} on {'their' if len(changed) != 1 else 'its'}"
          " way to the chain; the page follows until the chain confirms.", "success")
    return redirect_to("compliance_limits.show_limits", offering_id=offering_id)


@bp.get("/<offering_id>/compliance-limits/history")
def show_history(offering_id: str):
    """The history fragment; it polls itself while a change is pending and reloads the page once none is
    (HX-Refresh), so the limits shown follow the chain."""
    shown = limits.progress(current_user_doc(), offering_id)
    ended = is_htmx() and not shown["pending"]
    return render_template("compliance_limits/_history.html", offering_id=offering_id, **shown), 200, \
        {"HX-Refresh": "true"} if ended else {}
