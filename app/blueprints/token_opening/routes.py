"""Back office: closing an offering's raise and opening its token after the sale (unpause), with live progress,
and the setting of when it opens (when the raise closes, or at a date).

Every view needs the `offerings` permission; each calls one operation of app.domain.offerings.opening.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import is_htmx, redirect_to
from app.domain.accounts.permissions import staff
from app.domain.offerings import opening
from app.domain.offerings import opening_rules as rules
from app.domain.offerings.review import offering_for_review

bp = Blueprint("token_opening", __name__, url_prefix="/admin/offerings", template_folder="templates")
access_default(bp, staff("offerings"))


def _page(offering_id: str, form: dict | None = None, errors: dict | None = None, status: int = 200):
    doc = offering_for_review(current_user_doc(), offering_id)
    return render_template("token_opening/page.html", offering=doc, offering_id=offering_id,
                           progress=opening.progress_of(doc), choices=rules.OPENING_CHOICES,
                           form=form or {}, errors=errors or {}), status


@bp.get("/<offering_id>/opening")
def show_opening(offering_id: str):
    """The raise's and the token's state, the opening setting, and the actions the state allows."""
    return _page(offering_id)


@bp.post("/<offering_id>/opening/settings")
def save_settings(offering_id: str):
    """When the token opens: when the raise closes, or at a date (UTC); a past date is refused."""
    try:
        opening.save_settings(current_user_doc(), offering_id, request.form)
    except opening.SettingsInvalid as invalid:
        return _page(offering_id, request.form, invalid.errors, 422)
    flash("Opening setting saved.", "success")
    return redirect_to("token_opening.show_opening", offering_id=offering_id)


@bp.post("/<offering_id>/opening/close")
def close_raise(offering_id: str):
    """Close the raise: no new orders; unpaid orders are cancelled (their investors mailed)."""
    return decide(_opening_page(offering_id), opening.close_raise, current_user_doc(), offering_id, done="{}",
                  ask=Question("Close this raise?", "Yes, close the raise",
                               "No new orders are taken, and every order still waiting for its payment is "
                               "cancelled (its investor is mailed). This cannot be undone."))


@bp.post("/<offering_id>/opening/open")
def open_token(offering_id: str):
    """Unpause the token as a chain job; the page then follows it until chain-sync sees the token open."""
    return decide(_opening_page(offering_id), opening.open_for_staff, current_user_doc(), offering_id,
                  done="Opening the token: its unpause is on its way to the chain.")


def _opening_page(offering_id: str) -> str:
    return url_for("token_opening.show_opening", offering_id=offering_id)


@bp.get("/<offering_id>/opening/progress")
def show_progress(offering_id: str):
    """The live fragment; it polls itself while the token is being opened, and reloads the page once it is
    open or the job failed (HX-Refresh), so the actions follow."""
    doc = offering_for_review(current_user_doc(), offering_id)
    progress = opening.progress_of(doc)
    ended = is_htmx() and progress["stage"] != rules.OPENING
    return render_template("token_opening/_progress.html", offering_id=offering_id, progress=progress), 200, \
        {"HX-Refresh": "true"} if ended else {}


@bp.app_template_global("token_moves")
def token_moves(offering_id: str) -> dict:
    """The offering page's words on whether its token moves, and the signed-in holder's own standing (registered
    here, with the rest of the opening: the public page itself is cached for everyone)."""
    return opening.moves_for_page(offering_id, current_user_doc())
