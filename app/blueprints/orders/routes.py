"""Investing: the order form with a live preview of fee and total, the confirm step, and the order page
with its payment instructions and live status. `flask orders repair` clears interrupted placements.

Every view is the signed-in investor's own: an order of someone else is a 404, like one that
does not exist. Refusals re-render the form with what was typed and the reason (422).
"""

from __future__ import annotations

import click
from flask import Blueprint, current_app, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints import confirm
from app.blueprints.htmx import redirect_to
from app.domain.accounts.permissions import INVESTORS
from app.domain.orders import expiry as order_expiry
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from app.domain.payments.rules import stablecoin_decimals
from app.formatting import tokens as token_count

bp = Blueprint("orders", __name__, template_folder="templates", cli_group="orders")
access_default(bp, INVESTORS)
FORM_FIELDS = ("tokens", "amount", "method", "wallet", "key")


@bp.app_template_filter("coin_decimals")
def coin_decimals(order: dict) -> int:
    """The decimals a crypto order's stablecoin amounts are formatted with."""
    return stablecoin_decimals(order)


@bp.app_template_global("pay_by")
def pay_by(order: dict) -> str:
    """When an unpaid order lapses, as the investor reads it (app.domain.orders.expiry)."""
    deadline = order_expiry.payment_deadline(order, current_app.config["ORDER_PAYMENT_WINDOW_HOURS"])
    return order_expiry.deadline_text(deadline) if deadline else ""


def _typed() -> dict:
    return {name: (request.form.get(name) or request.args.get(name) or "").strip()[:200] for name in FORM_FIELDS}


def _form_page(offering: dict, typed: dict, refusal: Refusal | None = None, status: int = 200):
    context = ordering.order_context(current_app.config, current_user_doc(), offering)
    return render_template("orders/form.html", offering=offering, terms=context, typed=typed, refusal=refusal), status


@bp.get("/invest/<offering_id>/order")
def show_order_form(offering_id: str):
    """The order form; it carries a fresh idempotency key so submitting it twice places one order. "Change" on the
    confirm step comes back here with what was typed (and its key: nothing was placed yet)."""
    offering = ordering.offering_for_order(current_app.config, offering_id, current_user_doc())
    typed = _typed()
    return _form_page(offering, {**typed, "method": typed["method"] or "fiat",
                                 "key": typed["key"] or ordering.new_form_key()})


@bp.get("/invest/<offering_id>/order/preview")
def preview_order(offering_id: str):
    """htmx: price, fee and total for what is typed so far, or why it cannot be ordered."""
    offering = ordering.offering_for_order(current_app.config, offering_id, current_user_doc())
    try:
        quote, _ = ordering.assess(current_app.config, current_user_doc(), offering, {**_typed(), "method": "fiat"})
    except Refusal as refusal:
        return render_template("orders/_preview.html", refusal=refusal)
    return render_template("orders/_preview.html", quote=quote, offering=offering)


@bp.post("/invest/<offering_id>/order/review")
def review_order(offering_id: str):
    """The confirm step: the figures to agree to, nothing written yet."""
    offering, typed = ordering.offering_for_order(current_app.config, offering_id, current_user_doc()), _typed()
    try:
        quote, position = ordering.assess(current_app.config, current_user_doc(), offering, typed)
    except Refusal as refusal:
        return _form_page(offering, typed, refusal, 422)
    return render_template("orders/review.html", offering=offering, quote=quote,
                           typed={**typed, "wallet": position["wallet"]})


@bp.post("/invest/<offering_id>/order")
def place_order(offering_id: str):
    """Place the order (once per form key) and show it."""
    typed = _typed()
    try:
        order = ordering.place(current_app.config, current_user_doc(), offering_id, typed)
    except Refusal as refusal:
        offering = ordering.offering_for_order(current_app.config, offering_id, current_user_doc())
        return _form_page(offering, typed, refusal, 422)
    return redirect_to("orders.show_order", order_id=str(order["_id"]))


@bp.get("/orders/<order_id>")
def show_order(order_id: str):
    """The order, how to pay it, and its live status."""
    order = ordering.own_order(current_app.config, current_user_doc(), order_id)
    return render_template("orders/show.html", order=order, bank=_bank())


@bp.get("/orders/<order_id>/status")
def show_order_status(order_id: str):
    """htmx: the status fragment, polling itself until the order is minted or cancelled."""
    order = ordering.own_order(current_app.config, current_user_doc(), order_id)
    return render_template("orders/_status.html", order=order)


@bp.get("/orders/<order_id>/cancel")
def confirm_cancel_order(order_id: str):
    """The question before cancelling, for a browser without JavaScript (htmx asks with hx-confirm)."""
    order = ordering.own_order(current_app.config, current_user_doc(), order_id)
    if order["status"] != "pending_payment":
        return redirect_to("orders.show_order", order_id=order_id)
    tokens = order.get("tokens") or order.get("quantity")
    return confirm.ask(f"Cancel order {order['paymentReference']}?",
                       url_for("orders.cancel_order", order_id=order_id),
                       url_for("orders.show_order", order_id=order_id), "Yes, cancel the order",
                       f"Its {token_count(tokens)} of {order.get('offeringTitle', 'the offering')} "
                       f"{'goes' if tokens == 1 else 'go'} back on sale. "
                       "This cannot be undone.")


@bp.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str):
    """Cancel an order that is still waiting for its payment; its tokens go back on sale. Without the
    confirmation (a form posted without JavaScript) it only asks."""
    if not confirm.confirmed():
        return confirm_cancel_order(order_id)
    try:
        order = ordering.cancel(current_app.config, current_user_doc(), order_id)
    except Refusal as refusal:
        order = ordering.own_order(current_app.config, current_user_doc(), order_id)
        return render_template("orders/show.html", order=order, bank=_bank(), refusal=refusal), 422
    return redirect_to("orders.show_order", order_id=str(order["_id"]))


def _bank() -> dict:
    config = current_app.config
    return {"name": config["BANK_ACCOUNT_NAME"], "bank": config["BANK_NAME"], "iban": config["BANK_IBAN"],
            "bic": config["BANK_BIC"]}


@bp.cli.command("repair")
def repair_command():
    """Recount every offering's reservations from its orders (after a crash; safe to run any time)."""
    done = ordering.repair(current_app.config)
    click.echo(f"recounted {done['offerings']} offerings, corrected {done['corrected']} reservation counters")
