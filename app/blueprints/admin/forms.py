"""Back-office forms: shapes only; who may grant what is checked by app.domain.accounts.staff."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.validators import DataRequired, Email, Length, Optional

from app.blueprints.form_base import BaseForm, TextField
from app.domain.accounts.permissions import PERMISSIONS, USER_TYPES
from app.domain.platform.audit import EVENTS


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        """Unknown values are reported by the domain rule (refused_grants) with their names."""


class UserSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = TextField("Search", [Optional(), Length(max=100)])
    user_type = SelectField("Type", choices=[("", "Any type"), *[(t, t) for t in USER_TYPES]],
                            validate_choice=False)


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    event = SelectField("Event", choices=[("", "Any event"), *EVENTS.items()], validate_choice=False)
    email = TextField("Email contains", [Optional(), Length(max=100)])


class PermissionsForm(BaseForm):
    permissions = CheckboxesField("Permissions", choices=list(PERMISSIONS.items()))


class SubadminForm(PermissionsForm):
    legal_name = TextField("Legal full name", [DataRequired("Enter the name."), Length(max=200)])
    email = TextField("Email", [DataRequired("Enter the email."), Length(max=254), Email("Enter a valid email.")])
    country_code = TextField("Country code", [DataRequired("Enter the country code."), Length(max=4)], default="+44")
    mobile = TextField("Mobile number", [DataRequired("Enter the mobile number."), Length(max=20)])


class ActionForm(BaseForm):
    """Deactivate, reactivate, delete: a button with the CSRF token."""
