"""Back office: sub-admins (create, permissions) and the audit log."""

from __future__ import annotations

from flask import flash, render_template, request

from app.access import access, current_user_doc
from app.auth import client_ip
from app.blueprints.admin import bp
from app.blueprints.admin.forms import AuditFilterForm, PermissionsForm, SubadminForm
from app.blueprints.auth import show_errors
from app.blueprints.htmx import page_or_fragment, redirect_to
from app.domain.accounts import staff
from app.domain.accounts.permissions import staff as needs
from app.domain.accounts.service import FieldErrors
from app.domain.platform import audit


@bp.get("/subadmins")
@access(needs("subadmins"))
def list_subadmins():
    """Sub-admins and the form to create one."""
    return render_template("admin/subadmins.html", subadmins=staff.list_subadmins(current_user_doc()),
                           form=SubadminForm())


@bp.post("/subadmins")
@access(needs("subadmins"))
def create_subadmin():
    """Create a sub-admin with the chosen permissions; they get a link to set their password."""
    form, actor = SubadminForm(), current_user_doc()
    if form.validate():
        try:
            created = staff.create_subadmin(actor, {"email": form.email.data, "country_code": form.country_code.data,
                                                    "mobile": form.mobile.data, "legal_name": form.legal_name.data},
                                            form.permissions.data or [], client_ip())
        except FieldErrors as error:
            show_errors(form, error)
        else:
            flash(f"Sub-admin {created['email']} created; they were mailed a link to set a password.", "info")
            return redirect_to("admin.list_subadmins")
    return render_template("admin/subadmins.html", subadmins=staff.list_subadmins(actor), form=form), 422


@bp.get("/subadmins/<user_id>")
@access(needs("subadmins"))
def show_subadmin(user_id: str):
    """A sub-admin's permissions, as checkboxes."""
    user = staff.view_subadmin(current_user_doc(), user_id)
    return render_template("admin/subadmin.html", user=user, form=PermissionsForm(permissions=user["permissions"]))


@bp.post("/subadmins/<user_id>/permissions")
@access(needs("subadmins"))
def update_permissions(user_id: str):
    """Replace a sub-admin's permissions (no one grants more than they hold)."""
    form = PermissionsForm()
    form.validate()
    try:
        staff.set_permissions(current_user_doc(), user_id, form.permissions.data or [], client_ip())
    except FieldErrors as error:
        flash(error.errors["permissions"], "error")
    else:
        flash("Permissions saved.", "info")
    return redirect_to("admin.show_subadmin", user_id=user_id)


@bp.get("/audit")
@access(needs("audit"))
def list_audit():
    """The security audit trail, newest first, filtered by event and email; htmx gets the rows only."""
    form = AuditFilterForm(request.args)
    form.validate()
    entries = audit.browse(current_user_doc(), event=form.event.data or "", email=form.email.data or "")
    return page_or_fragment("admin/audit.html", "admin/_audit_rows.html", form=form, entries=entries)
