"""Response headers every page gets: a content security policy allowing only our own files, and friends."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request

# htmx's indicator styles are turned off in the base layout, so no inline style is needed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"])

    @app.before_request
    def reject_oversize_bodies() -> None:
        """413 from the declared length, before routing or parsing reads a byte of the body."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length and request.content_length > limit:
            abort(413)

    headers = {**HEADERS, "Content-Security-Policy": csp_for(app.config)}

    @app.after_request
    def add_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def csp_for(config) -> str:
    """The policy, with the e-signature provider's origin allowed as a form target: asking to invest posts a
    form that redirects to the provider's embedded signing page, and browsers apply form-action to redirects.
    (DocuSign serves signing pages from its API host, e.g. https://demo.docusign.net.)"""
    parts = urlsplit(config["ESIGN_API_URL"])
    return CSP.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
