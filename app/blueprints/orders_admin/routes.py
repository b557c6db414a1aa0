"""Back office: every order, filtered and paged, exported as CSV; a fiat payment received; flagged payments
decided; an unpaid order cancelled; an order's tokens frozen or unfrozen; stablecoin transfers no order took
matched or set aside for refund. All of it needs the `orders` permission and is audited.
"""

from __future__ import annotations

from flask import Response, current_app, flash, render_template, request, stream_with_context, url_for

from app.access import current_user_doc
from app.blueprints import confirm
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import page_or_fragment, redirect_to, redirect_url
from app.blueprints.orders_admin import bp, search_views, statement_views
from app.data.orders import STATUSES
from app.domain.orders import review as order_admin
from app.domain.orders.review import FLAGS, METHODS, Filters
from app.domain.orders.rules import Refusal
from app.domain.payments import review as transfer_review
from app.domain.platform import chain_ops
from app.formatting import status_label

__all__ = ["bp", "search_views", "statement_views"]  # importing them registers the statement and search pages on bp


@bp.get("/")
def list_orders():
    """Orders newest first with filters; htmx asks for the rows only."""
    filters, actor = Filters.parse(request.args), current_user_doc()
    page = order_admin.order_page(actor, filters, request.args.get("before", ""))
    return page_or_fragment("orders_admin/list.html", "orders_admin/_rows.html", page=page, filters=filters,
                            statuses=STATUSES, methods=METHODS, offerings=order_admin.offering_choices(actor))


@bp.post("/export.csv")
def export_orders():
    """The filtered orders as a CSV download, streamed (a POST: the export is audited, and GET never writes)."""
    rows = order_admin.export_rows(current_user_doc(), Filters.parse(request.form))
    return Response(stream_with_context(rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=orders.csv"})


@bp.get("/transfers")
def list_transfers():
    """Stablecoin transfers no order took, each with the open orders of its sender it could pay."""
    return _transfers_page()


@bp.post("/transfers/<key>/match")
def match_transfer(key: str):
    """Credit the transfer to the chosen order through settlement (recorded once, under the transfer's key)."""
    try:
        status = transfer_review.match(current_app.config, current_user_doc(), key, request.form.get("order", ""))
    except Refusal as refusal:
        return _transfers_page(refusal, key), 422
    flash(f"Transfer matched. Order status: {status_label(status, 'order')}.", "success")
    return redirect_to("orders_admin.list_transfers")


@bp.post("/transfers/<key>/refund")
def refund_transfer(key: str):
    """Set the transfer aside to be sent back to its sender, with the reason (asked first)."""
    if not confirm.confirmed():
        return confirm.ask_again("Mark this transfer for refund?", url_for("orders_admin.list_transfers"),
                                 "Yes, mark for refund", "It can then no longer pay an order. This cannot be undone.")
    reason = request.form.get("reason", "")
    try:
        transfer_review.mark_refund(current_app.config, current_user_doc(), key, reason)
    except Refusal as refusal:
        return _transfers_page(refusal, key, reason), 422
    flash("Transfer marked for refund.", "success")
    return redirect_to("orders_admin.list_transfers")


def _transfers_page(refusal: Refusal | None = None, key: str = "", reason: str = ""):
    view = transfer_review.review_page(current_app.config, current_user_doc())
    return render_template("orders_admin/transfers.html", view=view, refusal=refusal, failed_key=key,
                           typed_reason=reason)


@bp.get("/<order_id>")
def show_order(order_id: str):
    """One order: figures, payments, flags, chain state, and the actions its state allows."""
    return _order_page(order_id)


def _order_page(order_id: str, refusal: Refusal | None = None, cancel_reason: str = ""):
    order = order_admin.order_for_admin(current_user_doc(), order_id)
    job = chain_ops.job_status(current_app.config, order["freezeJobId"]) if order.get("freezeJobId") else None
    return render_template("orders_admin/show.html", order=order, flags=FLAGS, freeze_job=job, refusal=refusal,
                           freeze_pending=order_admin.freeze_pending(current_app.config, order),
                           cancel_reason=cancel_reason, takes_bank_transfer=order_admin.takes_bank_transfer,
                           amount_text=lambda amount: transfer_review.amount_text(current_app.config, order, amount))


@bp.post("/<order_id>/payment")
def record_payment(order_id: str):
    """A bank transfer arrived: the amount received settles the order, or flags it when it differs."""
    return decide(_order_url(order_id), order_admin.record_fiat_payment, *_acting(order_id),
                  request.form.get("amount", ""), request.form.get("transfer", ""),
                  done="Payment recorded. Order status: {}.", kind="order")


@bp.post("/<order_id>/flag")
def decide_flag(order_id: str):
    """Accept a flagged payment as it is, or refuse it (to be refunded); the investor reads the reason."""
    accept = request.form.get("decision") == "accept"
    return decide(_order_url(order_id), order_admin.decide_flag, *_acting(order_id), accept,
                  request.form.get("reason", ""), done="Decision recorded. Order status: {}.", kind="order",
                  ask=None if accept else Question("Refuse this payment?", "Yes, refuse the payment",
                                                   "The payment is to be refunded and the investor reads your "
                                                   "reason. This cannot be undone."))


@bp.post("/<order_id>/cancel")
def cancel_order(order_id: str):
    """Cancel an unpaid order; the investor reads the reason by email and on the order, its tokens go back on sale.
    Asks first."""
    if not confirm.confirmed():
        order = order_admin.order_for_admin(current_user_doc(), order_id)  # 404 for no such order
        return confirm.ask_again(f"Cancel order {order['paymentReference']}?",
                                 _order_url(order_id), "Yes, cancel the order",
                                 "Its tokens go back on sale and the investor is told by email. This cannot be undone.")
    reason = request.form.get("reason", "")
    try:
        order_admin.cancel_order(current_app.config, current_user_doc(), order_id, reason)
    except Refusal as refusal:
        return _order_page(order_id, refusal, reason), 422
    flash("Order cancelled; the investor is told by email.", "success")
    return redirect_url(_order_url(order_id))


@bp.post("/<order_id>/retry-mint")
def retry_mint(order_id: str):
    """Mint a held order again once its cause is fixed; the contract's reason stays on the page if it fails again."""
    return decide(_order_url(order_id), order_admin.retry_mint, *_acting(order_id),
                  done="Mint sent to the chain again (job {}).")


@bp.post("/<order_id>/freeze")
def freeze_tokens(order_id: str):
    return decide(_order_url(order_id), order_admin.set_frozen, *_acting(order_id), True,
                  done="Freeze sent to the chain (job {}).")


@bp.post("/<order_id>/unfreeze")
def unfreeze_tokens(order_id: str):
    return decide(_order_url(order_id), order_admin.set_frozen, *_acting(order_id), False,
                  done="Unfreeze sent to the chain (job {}).")


def _order_url(order_id: str) -> str:
    return url_for("orders_admin.show_order", order_id=order_id)


def _acting(order_id: str) -> tuple:
    """The arguments every order operation starts with: settings, the acting admin, the order."""
    return current_app.config, current_user_doc(), order_id
