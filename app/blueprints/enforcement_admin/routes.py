"""Back office: enforcement cases (permission `transfers`): the list, a new case per offering, one case with
its decisions (approve, reject, cancel, send again), and its evidence documents.

Decisions answer with a redirect to the case and a flash (app.blueprints.backoffice.decide); rejecting,
cancelling and sending again ask first (app.blueprints.confirm), approving shows its own confirmation on the
case page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from flask import Blueprint, current_app, render_template, request, send_file, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import redirect_to
from app.data import chain_tokens, offerings
from app.data.mongo import get_db
from app.domain.accounts.permissions import staff
from app.domain.enforcement import cases, checks, rules
from app.domain.platform import uploads
from app.domain.platform.chain_ops import job_status

LIVE = (rules.APPROVED, rules.EXECUTING, rules.TIME_LOCKED)  # states the case page follows by itself (htmx)
bp = Blueprint("enforcement_admin", __name__, url_prefix="/admin/enforcement", template_folder="templates")
access_default(bp, staff("transfers"))


def _token_offerings() -> list[dict]:
    """Offerings whose token the chain projections know (the list's filter and the new-case picker)."""
    tokens = [t["_id"] for t in chain_tokens.all_tokens(get_db())]
    return sorted(offerings.by_tokens_or_ids(get_db(), tokens, []), key=lambda o: o["overview"].get("title", ""))


@bp.get("/")
def list_cases():
    """Cases, newest first, filtered by state and offering."""
    state, offering = request.args.get("state", ""), request.args.get("offering", "")
    return render_template("enforcement_admin/list.html", rows=cases.listing(current_app.config, state, offering),
                           state=state, offering=offering, offerings=_token_offerings(), labels=rules.STATE_LABELS,
                           kinds=rules.KIND_LABELS)


@bp.get("/new")
def new_case():
    """The new-case form for one offering (chosen on the list page)."""
    found = cases.offering(current_app.config, request.args.get("offering", ""))
    return _form(found, {"case_id": str(ObjectId()), "kind": request.args.get("kind", "")})


def _form(found: dict, values: dict, refusal: checks.CaseRefused | None = None, status: int = 200):
    return render_template("enforcement_admin/new.html", offering=found, values=values, kinds=rules.KIND_LABELS,
                           params=rules.PARAMS, two_person=rules.TWO_PERSON, refusal=refusal,
                           decimals=cases.decimals_of(found), max_bytes=uploads.limit_text(
                               current_app.config["UPLOAD_MAX_BYTES"])), status


@bp.post("/new/<offering_id>")
def make_case(offering_id: str):
    """Record the case after every check; an invalid form comes back with the message and what was typed."""
    found = cases.offering(current_app.config, offering_id)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        made, _created = cases.make(current_app.config, current_user_doc(), offering_id, values.get("case_id", ""),
                                    values, request.files.getlist("evidence"))
    except uploads.UploadTooLarge as too_large:
        return _form(found, values, checks.CaseRefused(str(too_large), "evidence"), 413)
    except uploads.UploadRefused as refused:  # not an accepted document: said next to the file field
        return _form(found, values, checks.CaseRefused(str(refused), "evidence"), 422)
    except checks.CaseRefused as refusal:
        return _form(found, values, refusal, 422)
    return redirect_to("enforcement_admin.show_case", case_id=str(made["_id"]))


@bp.get("/<case_id>")
def show_case(case_id: str):
    """One case: parameters, reason, evidence, approvals, time lock, chain jobs, failure and what may be done."""
    found = cases.case(current_app.config, case_id)
    jobs = [job_status(current_app.config, job_id) for job_id in (found.get("jobIds") or {}).values()]
    actor = current_user_doc()
    return render_template("enforcement_admin/show.html", case=found, labels=rules.STATE_LABELS,
                           kinds=rules.KIND_LABELS, jobs=[j for j in jobs if j],
                           own_approval=rules.is_own_approval(found, actor["_id"]),
                           may_cancel=rules.cancel_refusal(found, actor["_id"]) is None,
                           may_reject=rules.reject_refusal(found, actor["_id"]) is None,
                           two_person=rules.needs_second_person(found["kind"]),
                           time_left=rules.time_left(found, datetime.now(UTC)), live=found["state"] in LIVE)


@bp.get("/<case_id>/evidence/<name>")
def download_evidence(case_id: str, name: str):
    path, content_type = cases.evidence_file(current_app.config, case_id, name)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=name)


def _case_page(case_id: str) -> str:
    return url_for("enforcement_admin.show_case", case_id=case_id)


# a case closed without a chain step says so; the note is the reason kept on the case
CLOSE_DETAIL = "Nothing is sent on chain; the case is closed with your reason."


@bp.post("/<case_id>/approve")
def approve_case(case_id: str):
    """The checker's approval, or the maker's confirmation of a one-person action."""
    return decide(_case_page(case_id), cases.approve, current_app.config, current_user_doc(), case_id,
                  request.form.get("remark", ""), done="Approved; the case is now {}.")


@bp.post("/<case_id>/reject")
def reject_case(case_id: str):
    return decide(_case_page(case_id), cases.reject, current_app.config, current_user_doc(), case_id,
                  request.form.get("note", ""), done="Rejected; nothing was sent on chain.",
                  ask=Question("Reject this case?", "Yes, reject", CLOSE_DETAIL))


@bp.post("/<case_id>/cancel")
def cancel_case(case_id: str):
    return decide(_case_page(case_id), cases.cancel, current_app.config, current_user_doc(), case_id,
                  request.form.get("note", ""), done="Cancelled; nothing was sent on chain.",
                  ask=Question("Cancel this case?", "Yes, cancel it", CLOSE_DETAIL))


@bp.post("/<case_id>/retry")
def retry_case(case_id: str):
    return decide(_case_page(case_id), cases.retry, current_app.config, current_user_doc(), case_id,
                  done="Sent again as a new attempt.",
                  ask=Question("Send this case again?", "Yes, send again",
                               "The failed attempt took no effect; a new attempt is sent once."))
