"""Back office: the dashboard and user management (search, view, deactivate, reactivate, soft-delete).

Each view: parse, call one `app.domain.accounts.staff` operation as the signed-in actor, render.
Search and filters answer htmx requests with the result rows only.
"""

from __future__ import annotations

from flask import flash, render_template, request, url_for

from app.access import access, current_user_doc
from app.auth import client_ip
from app.blueprints import confirm
from app.blueprints.admin import bp, section_links, staff_views, user_file_views
from app.blueprints.admin.forms import ActionForm, UserSearchForm
from app.blueprints.htmx import page_or_fragment, redirect_to
from app.domain.accounts import staff
from app.domain.accounts.permissions import PERMISSIONS, STAFF, permissions_of
from app.domain.accounts.permissions import staff as needs
from app.domain.platform import queues

__all__ = ["bp", "staff_views", "user_file_views"]  # importing them registers their pages on bp

ACTIONS = {"deactivate": (staff.deactivate, "Account deactivated; its sessions ended."),
           "reactivate": (staff.reactivate, "Account reactivated."),
           "delete": (staff.soft_delete, "Account deleted.")}
# Taking an account away asks first (app/blueprints/confirm.py); giving it back does not.
QUESTIONS = {"deactivate": "Deactivate the account of {}?", "delete": "Delete the account of {}?"}
DETAILS = {"deactivate": "The person is signed out everywhere and cannot sign in until the account is reactivated.",
           "delete": "The account is closed for good and its email address can no longer sign in. "
                     "This cannot be undone."}


@bp.get("/")
@access(STAFF)
def show_dashboard():
    """The sections this admin or sub-admin may open."""
    user = current_user_doc()
    return render_template("admin/index.html", sections=section_links(PERMISSIONS, permissions_of(user)),
                           operator=user.get("userType") == "admin", held=permissions_of(user),
                           queues=queues.waiting(user))


@bp.get("/users")
@access(needs("users"))
def list_users():
    """Search users by email, name or mobile; htmx gets the rows only."""
    form = UserSearchForm(request.args)
    form.validate()
    found = staff.search_users(current_user_doc(), form.q.data or "", form.user_type.data or "")
    return page_or_fragment("admin/users.html", "admin/_user_rows.html", form=form, users=found)


@bp.get("/users/<user_id>")
@access(needs("users"))
def show_user(user_id: str):
    """One account, with the actions the actor may take on it."""
    return render_template("admin/user.html", user=staff.view_user(current_user_doc(), user_id), form=ActionForm())


@bp.post("/users/<user_id>/<any(deactivate, reactivate, delete):action>")
@access(needs("users"))
def change_user(user_id: str, action: str):
    """Deactivate, reactivate or soft-delete an account (the domain checks who may act on whom)."""
    if not ActionForm().validate():
        return redirect_to("admin.show_user", user_id=user_id)
    if action in QUESTIONS and not confirm.confirmed():
        target = staff.view_user(current_user_doc(), user_id)  # 404 for no such account
        if not target["manageable"]:
            raise staff.NotAllowed("may not manage this account")
        return confirm.ask_again(QUESTIONS[action].format(target["email"]), url_for("admin.show_user", user_id=user_id),
                                 f"Yes, {action} the account", DETAILS[action])
    operation, message = ACTIONS[action]
    operation(current_user_doc(), user_id, client_ip())
    flash(message, "info")
    return redirect_to("admin.show_user", user_id=user_id)
