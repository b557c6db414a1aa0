"""Auth forms: shapes only (required, lengths, email format); the rules live in the domain services."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length

from app.blueprints.form_base import BaseForm, SecretField, TextField

_EMAIL = [DataRequired("Enter your email address."), Length(max=254), Email("Enter a valid email address.")]
_PASSWORD = [DataRequired("Enter a password."), Length(max=128, message="Use at most 128 characters.")]


class SignUpForm(BaseForm):
    goal = RadioField("What brings you to Libertum?", choices=[
        SelectChoice("invest", "Invest in property: buy tokens of listed buildings"),
        SelectChoice("raise", "Raise capital: list a property for your company")],
        default="invest", validate_choice=False,
        validators=[AnyOf(("invest", "raise"), message="Choose invest or raise capital.")])
    legal_name = TextField("Legal full name", [DataRequired("Enter your legal name."), Length(max=200)])
    email = TextField("Email", _EMAIL)
    country_code = TextField("Country code", [DataRequired("Enter your country calling code."), Length(max=4)],
                             default="+44")
    mobile = TextField("Mobile number", [DataRequired("Enter your mobile number."), Length(max=20)])
    password = SecretField("Password", _PASSWORD)


class LoginForm(BaseForm):
    email = TextField("Email", _EMAIL)
    password = SecretField("Password", [DataRequired("Enter your password."), Length(max=128)])


class CodeForm(BaseForm):
    code = TextField("Code", [DataRequired("Enter the code."), Length(max=32)])


class ConfirmForm(BaseForm):
    """A form with nothing but its CSRF token: a button that changes state."""


class ForgotForm(BaseForm):
    email = TextField("Email", _EMAIL)


class ResetForm(BaseForm):
    password = SecretField("New password", _PASSWORD)


class ChangePasswordForm(BaseForm):
    current_password = SecretField("Current password", [DataRequired("Enter your current password."),
                                                        Length(max=128)])
    new_password = SecretField("New password", _PASSWORD)


class DisableTwoFactorForm(BaseForm):
    password = SecretField("Password", [DataRequired("Enter your password."), Length(max=128)])
    code = TextField("Authenticator or recovery code", [DataRequired("Enter a code."), Length(max=32)])
