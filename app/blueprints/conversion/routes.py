"""Conversion to ERC-20: the investor's page (both balances, convert and convert back, each conversion's progress)
and the issuer's page (enable conversion once the lock-up has ended, the deployment's progress).

Views are thin: app.domain.conversion decides; nothing here talks to the chain."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, request, url_for

from app.access import access, current_user_doc
from app.blueprints.htmx import page_or_fragment, redirect_url
from app.domain.accounts.permissions import INVESTORS, ISSUERS
from app.domain.conversion import converting, enabling
from app.domain.errors import NotFound, Refused
from app.domain.offerings import service as offering_service

bp = Blueprint("conversion", __name__, template_folder="templates")


@bp.app_template_global("erc20_holdings")
def erc20_holdings() -> dict:
    """The portfolio's ERC-20 part (app/blueprints/portfolio/templates/portfolio/index.html)."""
    user = current_user_doc()
    return converting.erc20_holdings(current_app.config, user["_id"]) if user else {"enabled": set(), "rows": []}


def _investor_page(offering_id: str) -> dict:
    try:
        return converting.page(current_app.config, current_user_doc(), offering_id)
    except NotFound:
        abort(404)


@bp.get("/portfolio/convert/<offering_id>")
@access(INVESTORS)
def show_convert(offering_id: str):
    """Both balances per wallet and the conversion form (a fresh request key: one submit, one conversion)."""
    return page_or_fragment("conversion/convert.html", "conversion/convert.html", page=_investor_page(offering_id),
                            values={"request_key": secrets.token_hex(16), "direction": "toErc20"}, problem=None)


@bp.post("/portfolio/convert/<offering_id>")
@access(INVESTORS)
def convert(offering_id: str):
    page = _investor_page(offering_id)
    try:
        key = converting.convert(current_app.config, current_user_doc(), offering_id, request.form)
    except Refused as why:
        values = {k: (request.form.get(k) or "")[:200] for k in ("direction", "wallet", "quantity", "request_key")}
        return page_or_fragment("conversion/convert.html", "conversion/convert.html", 422, page=page, values=values,
                                problem=why)
    return redirect_url(url_for("conversion.show_status", key=key))


@bp.get("/portfolio/conversions/<path:key>")
@access(INVESTORS)
def show_status(key: str):
    """One conversion; htmx polls it until its chain job is done or failed."""
    try:
        job = converting.status(current_app.config, current_user_doc(), key)
    except NotFound:
        abort(404)
    page = converting.labels(current_app.config, job["offeringId"])  # shown even once nothing is held any more
    return page_or_fragment("conversion/status.html", "conversion/_status.html", job=job, page=page)


def _issuer_offering(offering_id: str) -> dict:
    try:
        return offering_service.owned(current_user_doc(), offering_id)
    except NotFound:
        abort(404)


@bp.get("/issuer/conversion/<offering_id>")
@access(ISSUERS)
def show_enabling(offering_id: str):
    offering = _issuer_offering(offering_id)
    return page_or_fragment("conversion/enable.html", "conversion/_enable_state.html", offering=offering,
                            state=enabling.state(offering), problem=None)


@bp.post("/issuer/conversion/<offering_id>")
@access(ISSUERS)
def enable(offering_id: str):
    offering = _issuer_offering(offering_id)
    try:
        enabling.enable(current_app.config, current_user_doc(), offering)
    except Refused as why:
        return page_or_fragment("conversion/enable.html", "conversion/enable.html", 422, offering=offering,
                                state=enabling.state(offering), problem=why)
    return redirect_url(url_for("conversion.show_enabling", offering_id=offering_id))
