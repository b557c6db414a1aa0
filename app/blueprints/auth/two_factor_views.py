"""Two-factor set-up pages: scan the QR code and confirm a code, keep the recovery codes, turn it off."""

from __future__ import annotations

from flask import flash, render_template
from flask_login import current_user

from app.access import access
from app.auth import client_ip
from app.blueprints.auth import bp, show_errors
from app.blueprints.auth.forms import CodeForm, ConfirmForm, DisableTwoFactorForm
from app.blueprints.htmx import redirect_to
from app.domain.accounts import two_factor
from app.domain.accounts.permissions import SIGNED_IN
from app.domain.accounts.service import FieldErrors
from app.extensions import limiter


@bp.get("/2fa")
@access(SIGNED_IN)
def show_two_factor():
    """Two-factor status: the set-up in progress (QR code), or the switch to turn it off."""
    return render_template("auth/two_factor.html", user=current_user.doc, setup=two_factor.pending_setup(
        current_user.doc), start_form=ConfirmForm(), code_form=CodeForm(), disable_form=DisableTwoFactorForm())


@bp.post("/2fa/setup")
@access(SIGNED_IN)
@limiter.limit("10 per 10 minutes")
def start_two_factor():
    """A new secret for the authenticator app, shown as a QR code and as text."""
    if not ConfirmForm().validate():
        return redirect_to("auth.show_two_factor")
    try:
        two_factor.start_setup(current_user.doc)
    except FieldErrors as error:
        flash(error.errors["code"], "error")
    return redirect_to("auth.show_two_factor")


@bp.post("/2fa/enable")
@access(SIGNED_IN)
@limiter.limit("10 per 10 minutes")
def enable_two_factor():
    """Confirm a code from the app; 2FA is on and the recovery codes are shown once."""
    form = CodeForm()
    if form.validate():
        try:
            codes = two_factor.enable(current_user.doc, form.code.data, client_ip())
        except FieldErrors as error:
            show_errors(form, error)
        else:
            return render_template("auth/recovery_codes.html", codes=codes)
    return render_template("auth/two_factor.html", user=current_user.doc, setup=two_factor.pending_setup(
        current_user.doc), start_form=ConfirmForm(), code_form=form, disable_form=DisableTwoFactorForm()), 422


@bp.post("/2fa/disable")
@access(SIGNED_IN)
@limiter.limit("5 per 10 minutes")
def disable_two_factor():
    """Turn 2FA off, only with the password and a code again."""
    form = DisableTwoFactorForm()
    if form.validate():
        try:
            two_factor.disable(current_user.doc, form.password.data, form.code.data, client_ip())
        except FieldErrors as error:
            show_errors(form, error)
        else:
            flash("Two-factor authentication is off.", "info")
            return redirect_to("auth.show_account")
    return render_template("auth/two_factor.html", user=current_user.doc, setup=None, start_form=ConfirmForm(),
                           code_form=CodeForm(), disable_form=form), 422
