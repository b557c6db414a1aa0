"""Sign-up, sign-in and sign-out, verification of email and mobile, password change and reset.

Every POST here is rate limited per client address (and sign-in also per email tried).
GET only shows pages: a mailed link opens a page whose button does the change.
"""

from __future__ import annotations

import time

from flask import current_app, flash, render_template, request, session
from flask_login import current_user

from app.access import access
from app.auth import client_ip, current_session_id, end_session, start_session
from app.blueprints.auth import bp, email_address_key, email_key, safe_next, show_errors, two_factor_views
from app.blueprints.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotForm,
    LoginForm,
    ResetForm,
    SignUpForm,
)
from app.blueprints.htmx import redirect_to, redirect_url
from app.domain.accounts import credentials, login_guard, two_factor
from app.domain.accounts import service as accounts
from app.domain.accounts.permissions import PUBLIC, SIGNED_IN
from app.domain.accounts.service import FieldErrors, TokenRefused
from app.domain.onboarding import issuer_path
from app.domain.platform import audit
from app.extensions import limiter

__all__ = ["bp", "two_factor_views"]  # importing two_factor_views registers the 2FA pages on bp
PENDING_2FA = "pending_2fa"
PENDING_2FA_S = 300


@bp.get("/login")
@access(PUBLIC)
def show_login():
    """The sign-in page."""
    return render_template("auth/login.html", form=LoginForm())


def _refused(response) -> bool:
    return response.status_code == 401


@bp.post("/login")
@access(PUBLIC)
@limiter.limit("10 per minute")
@limiter.limit("10 per 15 minutes", key_func=email_address_key, scope="login-email-address", deduct_when=_refused)
def login():
    """Check email and password; with 2FA on, ask for the code next, else sign in with a new session.

    An account failing from everywhere is accepted only from a browser its owner proved (login_guard)."""
    form = LoginForm()
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    if login_guard.under_attack(form.email.data, _trusted_here()):
        login_guard.send_unlock(form.email.data, client_ip())
        return render_template("auth/login.html", form=form, error=login_guard.UNDER_ATTACK), 429
    try:
        result = credentials.authenticate(form.email.data, form.password.data, client_ip())
    except credentials.LoginRefused as refusal:
        return render_template("auth/login.html", form=form, error=str(refusal)), 401
    if result.needs_second_factor:
        session.clear()
        session.regenerate()
        session[PENDING_2FA] = {"uid": str(result.user["_id"]), "at": int(time.time())}
        return redirect_to("auth.show_login_code", next=safe_next())
    start_session(result.user)
    return trust_browser(back_to_next(result.user), result.user)


def back_to_next(user: dict):
    """`next`, or the person's landing page (the issuer path for someone who came to raise capital)."""
    return redirect_url(safe_next(issuer_path.landing(user)))


def _trusted_here() -> set[str]:
    return login_guard.read_trusted(request.cookies.get(login_guard.TRUSTED_COOKIE))


def trust_browser(response, user: dict):
    """After a full sign-in (or the mailed unlock link): this browser may sign in to the account even while
    others' failures throttle it."""
    return _trust(response, login_guard.digest(user["email"]))


def _trust(response, account_digest: str):
    value = login_guard.trusted_cookie(_trusted_here(), account_digest)
    response.set_cookie(login_guard.TRUSTED_COOKIE, value, max_age=login_guard.TRUSTED_DAYS * 86400, path="/auth",
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/unlock/<token>")
@access(PUBLIC)
def show_unlock(token: str):
    """The page the mailed unlock link opens; its button trusts this browser (GET changes nothing)."""
    if login_guard.read_unlock(token) is None:
        return render_template("auth/link_refused.html", message="This link is not valid or has expired."), 410
    return render_template("auth/unlock.html", form=ConfirmForm(), token=token)


@bp.post("/unlock/<token>")
@access(PUBLIC)
@limiter.limit("10 per hour")
def unlock(token: str):
    """Trust this browser for the account the link was mailed to, then sign in as usual."""
    account = login_guard.read_unlock(token)
    if account is None or not ConfirmForm().validate():
        return render_template("auth/link_refused.html", message="This link is not valid or has expired."), 410
    flash("This browser can sign in to your account now. Enter your password.", "info")
    return _trust(redirect_to("auth.show_login"), account)


def pending_user_id() -> str | None:
    pending = session.get(PENDING_2FA) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_2FA_S:
        return None
    return pending.get("uid")


@bp.get("/login/code")
@access(PUBLIC)
def show_login_code():
    """Second step of sign-in: the authenticator code."""
    if pending_user_id() is None:
        return redirect_to("auth.show_login")
    return render_template("auth/login_code.html", form=CodeForm())


@bp.post("/login/code")
@access(PUBLIC)
@limiter.limit("10 per 5 minutes")
def login_code():
    """Finish sign-in with a TOTP or recovery code; a new session id once it succeeds."""
    user_id, form = pending_user_id(), CodeForm()
    if user_id is None:
        flash("Your sign-in expired. Please sign in again.", "error")
        return redirect_to("auth.show_login")
    if not form.validate():
        return render_template("auth/login_code.html", form=form), 422
    try:
        user = two_factor.complete_login(user_id, form.code.data, client_ip())
    except two_factor.SecondFactorRefused as refusal:
        form.code.errors = [str(refusal)]
        return render_template("auth/login_code.html", form=form), 401
    start_session(user)
    return trust_browser(back_to_next(user), user)


@bp.post("/logout")
@access(SIGNED_IN)
def logout():
    """Sign out: the server-side session is deleted."""
    audit.record("logout", actor=current_user.doc, ip=client_ip())
    end_session()
    flash("You are signed out.", "info")
    return redirect_to("auth.show_login")


@bp.get("/signup")
@access(PUBLIC)
def show_signup():
    """The sign-up page: invest, or raise capital (`?goal=raise` chooses it ahead, from a "Raise capital" link)."""
    form = SignUpForm()
    if request.args.get("goal") in issuer_path.GOALS:
        form.goal.data = request.args["goal"]
    return render_template("auth/signup.html", form=form)


@bp.post("/signup")
@access(PUBLIC)
@limiter.limit("10 per hour")
def signup():
    """Create an account (an investor's; one who came to raise capital is led to the issuer path) and mail the
    verification link; then sign in.

    The answer is the same whether or not the email is already in use (its owner is mailed instead),
    so the page cannot be used to find out who has an account."""
    form = SignUpForm()
    if form.validate():
        try:
            accounts.sign_up(email=form.email.data, country_code=form.country_code.data, mobile=form.mobile.data,
                             legal_name=form.legal_name.data, password=form.password.data, ip=client_ip(),
                             goal=form.goal.data)
        except FieldErrors as error:
            show_errors(form, error)
        else:
            session.clear()
            then = (" We then take you through raising capital: verify your identity, apply as an issuer, and "
                    "create your first offering." if form.goal.data == issuer_path.RAISE else "")
            flash(f"Check your mailbox: we sent a message to {form.email.data.lower()}. Open its link to confirm "
                  f"your email address, then sign in.{then}", "info")
            return redirect_to("auth.show_login")
    return render_template("auth/signup.html", form=form), 422


@bp.get("/verify-email/<token>")
@access(PUBLIC)
def show_verify_email(token: str):
    """The page a verification link opens; its button confirms (GET changes nothing)."""
    try:
        accounts.peek_token(token, accounts.VERIFY_EMAIL)
    except TokenRefused as refusal:
        return render_template("auth/link_refused.html", message=str(refusal)), 410
    return render_template("auth/verify_email.html", form=ConfirmForm(), token=token)


@bp.post("/verify-email/<token>")
@access(PUBLIC)
@limiter.limit("20 per hour")
def verify_email(token: str):
    """Mark the email verified and use up the link."""
    if not ConfirmForm().validate():
        return redirect_to("auth.show_verify_email", token=token)
    try:
        user = accounts.verify_email(token, client_ip())
    except TokenRefused as refusal:
        return render_template("auth/link_refused.html", message=str(refusal)), 410
    flash("Your email address is confirmed.", "info")
    return redirect_to(issuer_path.landing(user))


@bp.post("/verify-email/resend")
@access(SIGNED_IN)
@limiter.limit("3 per 10 minutes")
def resend_verification():
    """Mail a fresh verification link."""
    if ConfirmForm().validate() and not current_user.doc.get("isEmailVerify"):
        accounts.send_verification(current_user.doc)
        flash("We sent a new link. Check your mailbox.", "info")
    return redirect_to("auth.show_account")


@bp.get("/raise-capital")
@access(SIGNED_IN)
def show_raise_capital():
    """The way from this account to a first offering: each step done, current (with its link) or next."""
    return render_template("auth/raise_capital.html", steps=issuer_path.steps(current_user.doc))


@bp.get("/account")
@access(SIGNED_IN)
def show_account():
    """The account page: verification status, password, mobile, two-factor."""
    return render_template("auth/account.html", user=current_user.doc, password_form=ChangePasswordForm(),
                           code_form=CodeForm(), confirm_form=ConfirmForm())


@bp.post("/password")
@access(SIGNED_IN)
@limiter.limit("10 per hour")
def change_password():
    """Change the password; the account's other sessions end."""
    form = ChangePasswordForm()
    if form.validate():
        try:
            ended = credentials.change_password(current_user.doc, form.current_password.data,
                                                form.new_password.data, keep_session=current_session_id(),
                                                ip=client_ip())
        except FieldErrors as error:
            show_errors(form, error)
        else:
            flash(f"Your password is changed. Signed out elsewhere: {ended} session(s).", "info")
            return redirect_to("auth.show_account")
    return render_template("auth/account.html", user=current_user.doc, password_form=form,
                           code_form=CodeForm(), confirm_form=ConfirmForm()), 422


@bp.post("/mobile/code")
@access(SIGNED_IN)
@limiter.limit("3 per 10 minutes")
def send_mobile_code():
    """Text a one-time code to the account's mobile number."""
    if ConfirmForm().validate() and not current_user.doc.get("isMobileVerify"):
        accounts.send_mobile_code(current_user.doc)
        flash(f"We texted a code to {current_user.doc['mobile']}.", "info")
    return redirect_to("auth.show_account")


@bp.post("/mobile/verify")
@access(SIGNED_IN)
@limiter.limit("10 per 10 minutes")
def verify_mobile():
    """Check the texted code."""
    form = CodeForm()
    if form.validate():
        try:
            accounts.verify_mobile(current_user.doc, form.code.data, client_ip())
        except FieldErrors as error:
            show_errors(form, error)
        else:
            flash("Your mobile number is confirmed.", "info")
            return redirect_to("auth.show_account")
    return render_template("auth/account.html", user=current_user.doc, password_form=ChangePasswordForm(),
                           code_form=form, confirm_form=ConfirmForm()), 422


@bp.get("/forgot")
@access(PUBLIC)
def show_forgot():
    """Ask for a password reset link."""
    return render_template("auth/forgot.html", form=ForgotForm())


@bp.post("/forgot")
@access(PUBLIC)
@limiter.limit("5 per hour")
@limiter.limit("3 per hour", key_func=email_key, scope="reset-email")
def request_reset():
    """Mail a reset link if the account exists; the answer never says whether it does."""
    form = ForgotForm()
    if not form.validate():
        return render_template("auth/forgot.html", form=form), 422
    credentials.request_reset(form.email.data, client_ip())
    return render_template("auth/forgot.html", form=form, sent=True)


@bp.get("/reset/<token>")
@access(PUBLIC)
def show_reset(token: str):
    """The page a reset link opens."""
    try:
        credentials.check_reset_link(token)
    except TokenRefused as refusal:
        return render_template("auth/link_refused.html", message=str(refusal)), 410
    return render_template("auth/reset.html", form=ResetForm(), token=token)


@bp.post("/reset/<token>")
@access(PUBLIC)
@limiter.limit("10 per hour")
def reset_password(token: str):
    """Set the new password; every session of the account ends, then sign in again."""
    form = ResetForm()
    if form.validate():
        try:
            credentials.reset_password(token, form.password.data, client_ip())
        except TokenRefused as refusal:
            return render_template("auth/link_refused.html", message=str(refusal)), 410
        except FieldErrors as error:
            show_errors(form, error)
        else:
            end_session()
            flash("Your password is changed. Sign in with it now.", "info")
            return redirect_to("auth.show_login")
    return render_template("auth/reset.html", form=form, token=token), 422
