"""Back office: a user's whole file on one page (permission `users`) and, from it, revoking an approved KYC
(permission `kyc`, with a reason: the investor is mailed and reads it on their verification page)."""

from __future__ import annotations

from flask import render_template, request, url_for

from app.access import access, current_user_doc
from app.blueprints.admin import bp
from app.blueprints.backoffice import Question, decide
from app.domain.accounts import user_file
from app.domain.accounts.permissions import staff as needs
from app.domain.onboarding import revocation


@bp.get("/users/<user_id>/file")
@access(needs("users"))
def show_user_file(user_id: str):
    """Profile, KYC/KYB, wallets and identities, whitelists, orders, holdings, transfers and audit entries."""
    return render_template("admin/user_file.html", **user_file.user_file(current_user_doc(), user_id))


@bp.post("/users/<user_id>/kyc/revoke")
@access(needs("kyc"))
def revoke_kyc(user_id: str):
    """Revoke an approved KYC with a reason: no new orders, paid ones held from minting. Asks first."""
    return decide(url_for("admin.show_user_file", user_id=user_id), revocation.revoke, current_user_doc(), user_id,
                  request.form.get("reason", ""),
                  done="Verification revoked; the investor is told by mail and on their verification page.",
                  ask=Question("Revoke this investor's verification?", "Yes, revoke the verification",
                               "They can place no new orders, paid orders are held from minting, and they are told "
                               "by mail. They must verify again to invest."))
