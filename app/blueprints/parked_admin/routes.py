"""Back office: the chain events chain-sync parked (failed, held behind a failure, or rejected), for admins.

Read-only: an event is replayed by `flask chain replay-parked` once its cause is fixed (a code
fix is deployed, a document repaired), which an operator runs where the workers run.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.access import access_default
from app.domain.accounts.permissions import ADMINS
from app.events import parking

bp = Blueprint("parked_admin", __name__, url_prefix="/admin/parked-events", template_folder="templates")
access_default(bp, ADMINS)


@bp.get("/")
def list_parked():
    """Waiting events first (in the order they will be replayed), then the latest replayed or discarded."""
    return render_template("parked_admin/list.html", view=parking.staff_view(current_app.config))
