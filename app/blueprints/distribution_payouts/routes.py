"""Payout pages: /admin/distributions/<id>/payout for staff with `dividends`, /issuer/distributions/<id>/payout for
the distribution's issuer (anyone else: 404 without revealing it exists).

Marking a fiat line re-renders the page with the problem next to the form and what was typed kept (422).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from werkzeug.exceptions import NotFound

from app.access import access, access_default, current_user_doc
from app.blueprints import confirm
from app.blueprints.htmx import redirect_to
from app.data import dividends
from app.data.mongo import get_db
from app.domain.accounts.permissions import INVESTORS, ISSUERS, staff
from app.domain.distributions import fiat, issuer_views, payout, payout_views, repay, repay_rules, rules, statements
from app.domain.platform import audit
from app.tasks import distributions as distribution_tasks

bp = Blueprint("distribution_payouts", __name__, template_folder="templates")
access_default(bp, staff("dividends"))

IMPORT_MAX_BYTES = 2 * 1024 * 1024


@bp.get("/admin/distributions/<distribution_id>/payout")
def show_payout(distribution_id: str):
    return _page(_distribution(distribution_id), staff_view=True)


@bp.post("/admin/distributions/<distribution_id>/payout/start")
def start_payout(distribution_id: str):
    """Queue the stablecoin payout now (it pays only once the payment date has come)."""
    found = _distribution(distribution_id)
    if found.get("paymentMethod") != "stablecoin" or found["status"] not in (rules.SNAPSHOTTED, rules.PAYING):
        flash("Only a stablecoin distribution whose holders are fixed can be paid on chain.", "error")
    else:
        distribution_tasks.schedule(current_app.config, found)
        audit.record("distribution.payout_started", actor=current_user_doc(),
                     details={"distributionId": str(found["_id"])})
        flash("The payout is queued; lines turn paid as their transactions are confirmed on chain.", "success")
    return redirect_to("distribution_payouts.show_payout", distribution_id=distribution_id)


@bp.post("/admin/distributions/<distribution_id>/payout/lines/<wallet>/repay")
def repay_line(distribution_id: str, wallet: str):
    """A held or reorged stablecoin line paid again ("Try paying again" / "Pay again"): asks first (no-JS too),
    then pays it once through the payout's batches, or records the payment the chain already holds."""
    found = _distribution(distribution_id)
    line_id = dividends.line_id(found["_id"], wallet)
    line = dividends.by_id(get_db(current_app.config), line_id)
    if line is None:
        raise NotFound()
    back = url_for("distribution_payouts.show_payout", distribution_id=distribution_id)
    if not confirm.confirmed():
        return confirm.ask_again(f"Pay {line['walletAddress']} again?", back, "Yes, pay this line",
                                 "The contract's record is read first: a line already paid on chain is marked paid "
                                 "and nothing is sent; otherwise it is paid once in the next payout batch.")
    try:
        step = repay.repay_line(current_app.config, line_id)
    except (repay.RepayRefused, payout.PayoutRefused) as refusal:  # PayoutRefused: no distribution contract yet
        return _page(found, staff_view=True, problems={"repay": str(refusal)}, status=422)
    audit.record("distribution.line_repaid", actor=current_user_doc(),
                 details={"distributionId": str(found["_id"]), "line": line_id, "step": step})
    flash("The chain had paid this line already: it is marked paid, nothing was sent again."
          if step == repay_rules.PAID_FROM_CHAIN else
          "The line is queued for payment; it turns paid when its transaction is confirmed on chain.", "success")
    return redirect_to("distribution_payouts.show_payout", distribution_id=distribution_id)


@bp.get("/admin/distributions/<distribution_id>/payments.csv")
def payment_file(distribution_id: str):
    found = _distribution(distribution_id)
    try:
        name, text = fiat.payment_file(current_app.config, current_user_doc(), found["_id"])
    except fiat.MarkRefused as refusal:
        return _page(found, staff_view=True, problems={"file": str(refusal)}, status=422)
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/admin/distributions/<distribution_id>/payout/mark")
def mark_paid(distribution_id: str):
    found = _distribution(distribution_id)
    typed = {"reference": request.form.get("reference", ""), "bankReference": request.form.get("bankReference", "")}
    try:
        fiat.mark_paid(current_app.config, current_user_doc(), found["_id"], typed["reference"],
                       typed["bankReference"])
    except fiat.MarkRefused as refusal:
        return _page(found, staff_view=True, typed=typed, problems={"mark": str(refusal)}, status=422)
    flash(f"Line {typed['reference'].strip().upper()} marked paid; the holder is told by mail.", "success")
    return redirect_to("distribution_payouts.show_payout", distribution_id=distribution_id)


@bp.post("/admin/distributions/<distribution_id>/payout/import")
def import_statuses(distribution_id: str):
    """The bank's export (CSV with `payment reference` and `bank reference`): each listed line marked once."""
    found = _distribution(distribution_id)
    upload = request.files.get("statuses")
    raw = upload.stream.read(IMPORT_MAX_BYTES + 1) if upload and upload.filename else b""
    problem = None
    if not raw:
        problem = "Choose the bank's CSV file."
    elif len(raw) > IMPORT_MAX_BYTES:
        problem = "The file is larger than 2 MB; split it."
    if problem is None:
        try:
            done = fiat.import_statuses(current_app.config, current_user_doc(), found["_id"],
                                        raw.decode("utf-8-sig", errors="replace"))
        except fiat.MarkRefused as refusal:
            problem = str(refusal)
    if problem:
        return _page(found, staff_view=True, problems={"import": problem}, status=422)
    flash(f"{len(done['paid'])} lines marked paid.", "success")
    for reference, why in done["refused"][:20]:
        flash(f"{reference}: {why}", "error")
    return redirect_to("distribution_payouts.show_payout", distribution_id=distribution_id)


@bp.get("/portfolio/distributions")
@access(INVESTORS)
def investor_distributions():
    """Upcoming and received distributions per offering, with the waterfall and gross / withheld / net."""
    return render_template("distribution_payouts/investor.html",
                           view=statements.investor_view(current_app.config, current_user_doc()["_id"]),
                           rules=rules, this_year=datetime.now(UTC).year)


@bp.get("/portfolio/statement")
@access(INVESTORS)
def yearly_statement():
    """The printable statement of a year (`?year=`; this year when absent); a bad year says so (400)."""
    year, problem = _year()
    statement = statements.yearly(current_app.config, current_user_doc()["_id"], year)
    return render_template("distribution_payouts/statement.html", statement=statement, problem=problem,
                           user=current_user_doc(), rules=rules), 400 if problem else 200


@bp.get("/portfolio/statement.csv")
@access(INVESTORS)
def yearly_statement_csv():
    year, problem = _year()
    if problem:
        return Response(problem, status=400, mimetype="text/plain")
    text = statements.yearly_csv(statements.yearly(current_app.config, current_user_doc()["_id"], year))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="libertum-statement-{year}.csv"'})


def _year() -> tuple[int, str | None]:
    now = datetime.now(UTC)
    typed = request.args.get("year")
    if typed is None or typed == "":
        return now.year, None
    year = statements.parse_year(typed, now)
    if year is None:
        return now.year, f"A statement year is four digits from 2000 to {now.year}; showing {now.year}."
    return year, None


@bp.get("/issuer/distributions/<distribution_id>/payout")
@access(ISSUERS)
def issuer_payout(distribution_id: str):
    found = issuer_views.own(current_app.config, current_user_doc(), distribution_id)
    return _page(found, staff_view=False)


def _distribution(distribution_id: str) -> dict:
    try:
        return fiat.distribution_of(current_app.config, distribution_id)
    except LookupError:
        raise NotFound() from None


def _page(found: dict, *, staff_view: bool, typed: dict | None = None, problems: dict | None = None,
          status: int = 200):
    return render_template("distribution_payouts/payout.html", distribution=found, staff=staff_view,
                           view=payout_views.summary(current_app.config, found), labels=rules.STATUS_LABELS,
                           rules=rules, typed=typed or {}, problems=problems or {}), status
