"""Investing, first step: ask to be whitelisted for an offering, e-sign the subscription agreement, follow the stages.

Investors only. Each view calls one operation of app.domain.whitelisting.service as the signed-in
investor; a refusal is shown on the page with what to do (422, the form kept), never a 500.
"""

from __future__ import annotations

from flask import Blueprint, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.htmx import page_or_fragment, redirect_to, redirect_url
from app.domain.accounts.permissions import INVESTORS
from app.domain.whitelisting import service as whitelisting

bp = Blueprint("whitelist", __name__, url_prefix="/invest/<offering_id>/whitelist", template_folder="templates")
access_default(bp, INVESTORS)
WAITING = ("awaiting_signature", "awaiting_approval", "registering")  # the status fragment polls itself while here


@bp.app_template_global("whitelist_stage")
def whitelist_stage(offering_id: str):
    """The viewer's whitelisting stage for the offering page's invest box (None for visitors and staff)."""
    return whitelisting.stage_for(current_user_doc(), offering_id)


def _page(offering_id: str, message: str | None = None, status_code: int = 200):
    state = whitelisting.status(current_user_doc(), offering_id)
    return page_or_fragment("whitelist/status.html", "whitelist/_status.html", status_code, state=state,
                            message=message, waiting=WAITING, returned=request.args.get("event", ""))


@bp.get("/")
def show_whitelist(offering_id: str):
    """Where the request stands (or the form to ask); the fragment alone for htmx polling."""
    return _page(offering_id)


@bp.post("/")
def request_whitelist(offering_id: str):
    """Ask to invest: the agreement is sent for e-signature and the investor goes straight to sign it."""
    try:
        whitelist = whitelisting.request(current_user_doc(), offering_id, request.form.get("address", ""))
    except whitelisting.Refused as refusal:
        return _page(offering_id, str(refusal), 422)
    if whitelist.get("status") == "pending_signature" and whitelist.get("envelopeId"):
        return sign_agreement(offering_id)
    return redirect_to("whitelist.show_whitelist", offering_id=offering_id)


@bp.post("/sign")
def sign_agreement(offering_id: str):
    """A fresh embedded-signing URL (they are short-lived); the provider sends the signer back here."""
    back = url_for("whitelist.show_whitelist", offering_id=offering_id, _external=True)
    try:
        url = whitelisting.signing_url(current_user_doc(), offering_id, back)
    except whitelisting.Refused as refusal:
        return _page(offering_id, str(refusal), 422)
    return redirect_url(url)
