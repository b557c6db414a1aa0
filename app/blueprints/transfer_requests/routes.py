"""The investor's transfers (`/account/transfers/`): their Libertum ID, saved transfers to other investors
(sent: withdraw; received: confirm or decline) and their transfer requests with each stage.

Forms post, then redirect with a flash (POST, then GET); a refused form re-renders with the reason next
to its field and what was typed (422). Rules live in app.domain.transfers.saved.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.auth import client_ip
from app.blueprints import confirm
from app.blueprints.htmx import redirect_to
from app.domain.accounts.permissions import INVESTORS
from app.domain.transfers import lost_wallet, new_owner, rules, saved

bp = Blueprint("transfer_requests", __name__, url_prefix="/account/transfers", template_folder="templates")
access_default(bp, INVESTORS)
FIELDS = ("position", "uniqueId", "quantity", "remark")


def _page(typed: dict | None = None, refusal=None, status: int = 200, form_name: str = "send"):
    """The page; `refusal` is shown at the form `form_name` ("send", "recovery"), with what was typed kept."""
    user = current_user_doc()
    state = {**saved.page(current_app.config, user), "own_wallets": lost_wallet.own_wallets(current_app.config, user)}
    return render_template("transfer_requests/page.html", state=state, typed=typed or {}, refusal=refusal,
                           form_name=form_name, saved_labels=rules.SAVED_LABELS, labels=rules.STATUS_LABELS,
                           kinds=rules.KIND_LABELS), status


@bp.get("/")
def show_transfers():
    """The ID to share, the form to save a transfer, what was sent and received, the requests' stages."""
    return _page()


@bp.post("/id")
def create_unique_id():
    """Draw the investor's Libertum ID (once; asking again shows the same one)."""
    saved.unique_id_of(current_app.config, current_user_doc())
    return redirect_to("transfer_requests.show_transfers")


@bp.post("/saved")
def save_transfer():
    typed = {name: str(request.form.get(name, ""))[:600] for name in FIELDS}
    try:
        saved.prepare(current_app.config, current_user_doc(), typed, client_ip())
    except saved.SavedRefused as refusal:
        return _page(typed, refusal, 422)
    flash("Transfer saved. The recipient confirms it in their account; then the transfer agent reviews it.",
          "success")
    return redirect_to("transfer_requests.show_transfers")


@bp.post("/recovery")
def request_recovery():
    """A lost or compromised wallet: ask to recover a holding to a new wallet proven by signature."""
    typed = {name: str(request.form.get(name, ""))[:600] for name in ("position", "newWallet", "reason")}
    try:
        lost_wallet.request_recovery(current_app.config, current_user_doc(), typed, client_ip())
    except lost_wallet.RecoveryRefused as refusal:
        return _page(typed, refusal, 422, "recovery")
    flash("Recovery requested. The transfer agent reviews it; the holding moves to your new wallet once approved.",
          "success")
    return redirect_to("transfer_requests.show_transfers")


@bp.post("/new-owner")
def request_new_owner():
    """An inheritance or a private sale: ask to register a new owner of (part of) a holding."""
    typed = {name: str(request.form.get(name, ""))[:600]
             for name in ("position", "quantity", "newName", "newEmail", "newWallet", "reason")}
    try:
        new_owner.request_new_owner(current_app.config, current_user_doc(), typed, client_ip())
    except new_owner.NewOwnerRefused as refusal:
        return _page(typed, refusal, 422, "owner")
    flash("Request sent. The transfer agent checks the new owner (verified identity, whitelisted for the offering) "
          "before approving it.", "success")
    return redirect_to("transfer_requests.show_transfers")


@bp.post("/saved/<saved_id>/withdraw")
def withdraw_transfer(saved_id: str):
    return _decide(saved.withdraw, saved_id, "Transfer withdrawn; the recipient is told.")


@bp.post("/saved/<saved_id>/decline")
def decline_transfer(saved_id: str):
    """Declining asks first (with or without JavaScript)."""
    if not confirm.confirmed():
        return confirm.ask_again("Decline this transfer?", url_for("transfer_requests.show_transfers"),
                                 "Yes, decline", "The sender is told. This cannot be undone.")
    return _decide(saved.decline, saved_id, "Transfer declined; the sender is told.")


@bp.post("/saved/<saved_id>/confirm")
def confirm_transfer(saved_id: str):
    return _decide(saved.confirm, saved_id, "Transfer confirmed. The transfer agent reviews it; the tokens move "
                                            "once it is approved.")


def _decide(operation, saved_id: str, done: str):
    try:
        operation(current_app.config, current_user_doc(), saved_id, client_ip())
    except saved.SavedRefused as refusal:
        flash(str(refusal), "error")
    else:
        flash(done, "success")
    return redirect_to("transfer_requests.show_transfers")
