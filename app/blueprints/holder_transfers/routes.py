"""Send tokens to another investor from the portfolio (app.domain.transfers.holder_transfers): the form and its
check before signing, the transaction hash the browser wallet returns, and the transfer's progress (htmx polls
it until chain-sync has applied it). The wallet signs in the browser (static/js/send.js); nothing here sends."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.htmx import page_or_fragment, redirect_url
from app.domain.accounts.permissions import INVESTORS
from app.domain.errors import Refused
from app.domain.transfers import holder_rules
from app.domain.transfers import holder_transfers as sends

bp = Blueprint("holder_transfers", __name__, url_prefix="/portfolio/send", template_folder="templates")
access_default(bp, INVESTORS)


@bp.get("/<offering_id>")
def show_send(offering_id: str):
    """The send form; with a recipient and a quantity typed, every rule checked now and, if all pass, the button
    that asks the wallet to sign."""
    config, user = current_app.config, current_user_doc()
    page = sends.send_page(config, user, offering_id)
    checked = sends.check(config, page, request.args) if request.args else None
    status = 422 if checked is not None and checked.problems else 200
    return page_or_fragment("holder_transfers/send.html", "holder_transfers/_verdict.html", status,
                            page=page, checked=checked)


@bp.post("/<offering_id>/sent")
def record_sent(offering_id: str):
    """The wallet returned a transaction hash: keep it (pending) and answer where its progress is shown."""
    config, user = current_app.config, current_user_doc()
    page = sends.send_page(config, user, offering_id)
    try:
        doc = sends.record_sent(config, user, page, request.form)
    except (holder_rules.InvalidInput, Refused) as why:
        return jsonify(error=str(why)), 422
    where = url_for("holder_transfers.show_status", tx_hash=doc["_id"])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(status=doc["status"], status_url=where)
    return redirect_url(where)


@bp.get("/tx/<tx_hash>")
def show_status(tx_hash: str):
    """Pending until chain-sync applied the Transfer, then done (or failed with the token's reason)."""
    transfer = sends.status(current_app.config, current_user_doc(), tx_hash)
    return page_or_fragment("holder_transfers/status.html", "holder_transfers/_status.html", transfer=transfer)
