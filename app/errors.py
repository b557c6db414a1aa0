"""Error pages: every error shows what happened and the request id to quote to support.

The one place a domain error reaches HTTP (app/domain/errors.py): NotFound 404, NotAllowed 403,
Refused 422 with its reason in the page (under htmx, at the top of the fragment's target), and a busy
lock (`app.locks.Busy`) 503 "try again in a moment", in the page or the htmx fragment.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.access import NotYetAllowed
from app.blueprints.htmx import is_htmx
from app.domain import errors
from app.domain.platform.uploads import limit_text
from app.locks import Busy

log = logging.getLogger(__name__)
INLINE_UNDER_HTMX = (413, 422, 429, 503)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Check what you entered and try again."),
    403: ("Forbidden", "You do not have permission to do this."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than we accept."),
    422: ("Not possible", "This cannot be done as it stands."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong", "We could not complete your request. It has been logged."),
    503: ("Temporarily unavailable", "A service we rely on is not answering. Please try again shortly."),
}


def _wants_json() -> bool:
    return request.path.startswith(("/webhooks/", "/readyz", "/healthz")) or (
        request.accept_mimetypes.best == "application/json")


def too_large_message(config) -> str:
    """What a 413 says: the limits, so the person knows what to send instead."""
    return (f"What you sent is larger than we accept: a document may be up to {limit_text(config['UPLOAD_MAX_BYTES'])}"
            f" and one request up to {limit_text(config['MAX_CONTENT_LENGTH'])}.")


def render_error(code: int, detail: str | None = None) -> Response:
    title, message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    if code == 413:
        message = too_large_message(current_app.config)
    request_id = g.get("request_id", "-")
    if _wants_json():
        body = jsonify(error=title, message=detail or message, request_id=request_id)
    elif is_htmx() and code in INLINE_UNDER_HTMX:
        # htmx swaps these codes (base layout's responseHandling): the message lands at the top of the target
        body = render_template("errors/_inline.html", code=code, title=title, message=detail or message,
                               request_id=request_id)
        response = make_response(body, code)
        response.headers["HX-Reswap"] = "afterbegin"
        return response
    else:
        body = render_template("errors/error.html", code=code, title=title, message=detail or message,
                               request_id=request_id)
    return make_response(body, code)


def not_yet_page(error: NotYetAllowed) -> Response:
    """A page the person may not open yet (app/access_reasons.py): why, and a link to the next step; still 403."""
    refusal = error.refusal
    if _wants_json() or is_htmx():
        return render_error(403, refusal.reason)
    body = render_template("errors/forbidden.html", code=403, title="Not open to you yet", refusal=refusal,
                           request_id=g.get("request_id", "-"))
    return make_response(body, 403)


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(NotYetAllowed, not_yet_page)
    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return render_error(400, "Your form expired or was sent from elsewhere. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        response = render_error(error.code or 500)
        if error.code == 429 and getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(errors.NotFound)
    def handle_not_found(error: errors.NotFound):
        return render_error(404)

    @app.errorhandler(errors.NotAllowed)
    def handle_not_allowed(error: errors.NotAllowed):
        return render_error(403)

    @app.errorhandler(errors.Refused)
    def handle_refused(error: errors.Refused):
        return render_error(422, str(error) or None)

    @app.errorhandler(Busy)
    def handle_busy(error: Busy):
        """A named lock stayed busy (app/locks.py): nothing was written; one answer, a page or an htmx fragment."""
        return render_error(503, error.description)

    @app.errorhandler(InternalServerError)
    def handle_500(error: InternalServerError):
        original = getattr(error, "original_exception", None)
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original or error)
        return render_error(500)
