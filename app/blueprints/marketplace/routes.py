"""Marketplace: the home page, the searchable list of listed offerings, and each offering's page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for

from app.access import access_default, current_user_doc
from app.blueprints.htmx import is_htmx, page_or_fragment
from app.cache import catalogue_page
from app.domain.accounts.permissions import PUBLIC
from app.domain.issuer_dashboard import document_access
from app.domain.marketplace import service as marketplace
from app.domain.marketplace.query import ASSET_TYPES, PROPERTY_TYPES, SORTS, STATES, parse
from app.domain.offerings.page import document_for, invest_step, listed_image, offering_page

bp = Blueprint("marketplace", __name__, template_folder="templates")
access_default(bp, PUBLIC)


@bp.get("/")
@catalogue_page()
def show_home():
    """Home page: what the platform is, and the newest live offerings."""
    return render_template("marketplace/home.html", offerings=marketplace.latest(current_app.config, limit=6))


@bp.get("/offerings")
@catalogue_page()
def list_offerings():
    """Search, filter, sort and page through offerings; htmx requests get only the results."""
    query = parse(request.args)
    results = marketplace.search(current_app.config, query, marketplace.viewer_for(current_user_doc()))
    # Under htmx the canonical URL (defaults dropped) goes into the history, so it bookmarks cleanly.
    canonical = url_for("marketplace.list_offerings") + (f"?{query.url_query()}" if query.args() else "")
    return page_or_fragment("marketplace/offerings.html", "marketplace/_results.html", 200,
                            {"HX-Push-Url": canonical} if is_htmx() else {}, query=query, results=results,
                            asset_types=ASSET_TYPES, property_types=PROPERTY_TYPES, states=STATES, sorts=SORTS)


@bp.get("/offerings/<offering_id>")
def show_offering(offering_id: str):
    """One offering: its public part from the Redis cache, the viewer's eligibility around it."""
    viewer = marketplace.viewer_for(current_user_doc())
    page = offering_page(current_app.config, offering_id, viewer,
                         lambda view: render_template("marketplace/_offering_public.html", offering=view))
    if page is None:
        abort(404)
    return render_template("marketplace/offering.html", page=page)


@bp.app_template_global("invest_step")
def next_invest_step(offering_id: str):
    """The offering page's call to invest for the signed-in user (or a visitor)."""
    return invest_step(current_app.config, offering_id, current_user_doc())


@bp.get("/offerings/<offering_id>/images/<slot>")
def show_image(offering_id: str, slot: str):
    """A listed offering's icon, cover or logo, shown inline (checked PNG, JPEG or WebP; never a document)."""
    found = listed_image(current_app.config, offering_id, slot, marketplace.viewer_for(current_user_doc()))
    if found is None:
        abort(404)
    response = send_file(found[0], mimetype=found[1], max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/offerings/<offering_id>/documents/<key>")
def download_document(offering_id: str, key: str):
    """A document of the offering as an attachment: public ones to its visitors, the rest once whitelisted."""
    found = document_for(current_app.config, offering_id, key, marketplace.viewer_for(current_user_doc()))
    if found is None:
        abort(404)
    document_access.opened(current_app.config, offering_id, key, current_user_doc())  # the issuer's access log
    return send_file(found[0], mimetype=found[1], as_attachment=True, download_name=f"{key}{found[0].suffix}")
