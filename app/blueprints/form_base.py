"""The base of every form: HTML form data only, and text fields that accept nothing but text.

Why: Flask-WTF would also read a JSON body into a form, so `{"email": {"$ne": null}}` could
reach a field as a dict. Our forms are HTML forms; JSON bodies are ignored (the fields come
out empty and fail validation), and any non-text value is refused by the field itself.
"""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict
from wtforms import PasswordField, StringField
from wtforms.validators import StopValidation

from app.domain.platform import text_rules

SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is None or hasattr(formdata, "getlist"):  # given explicitly
                return formdata
            if request.method not in SUBMIT_METHODS:
                return None
            return CombinedMultiDict((request.files, request.form)) if request.files else request.form


class _TextOnly:
    def process_formdata(self, valuelist):
        if valuelist and not isinstance(valuelist[0], str):
            self.data = ""
            raise ValueError("Enter text here.")
        super().process_formdata(valuelist)


class TextField(_TextOnly, StringField):
    """A StringField that strips surrounding blanks and refuses non-text values and control characters
    (NUL, line breaks, bidi overrides: app/domain/platform/text_rules.py); its own Length validator bounds it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("filters", [lambda value: value.strip() if isinstance(value, str) else value])
        super().__init__(*args, **kwargs)

    def pre_validate(self, form) -> None:
        refused = text_rules.problem(self.data or "", max_chars=10_000)
        if refused:
            raise StopValidation(refused)


class SecretField(_TextOnly, PasswordField):
    """A PasswordField that refuses non-text values (the value is never stripped)."""
