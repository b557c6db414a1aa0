"""One way to answer htmx, like htmx's own contact-app: the same route returns the whole page, or only the
fragment it changed when htmx asked (`HX-Request`), and a redirect under htmx is an `HX-Redirect` header.

Why the redirect differs: htmx sends its requests with XMLHttpRequest, which follows a 303 by itself and
hands htmx the next page, which htmx would then swap into the fragment's target (a whole page inside a
form's box). `HX-Redirect` makes the browser itself go there instead. A plain browser gets the 303.
Validation errors are 422 in both cases: the base layout's htmx config swaps 422 answers.
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for


def is_htmx() -> bool:
    """True when htmx sent the request (it always sends `HX-Request: true`; app/cache.py keys on the same)."""
    return bool(request.headers.get("HX-Request"))


def page_or_fragment(page: str, fragment: str, status: int = 200, headers: dict | None = None, /, **context):
    """Render `fragment` for htmx and the whole `page` otherwise, from the same context, with the same status
    (positional only, so the context may hold a `page` of its own)."""
    return render_template(fragment if is_htmx() else page, **context), status, headers or {}


def redirect_to(endpoint: str, **values) -> Response:
    """After a POST: go to `endpoint` (303 for a browser, `HX-Redirect` for htmx)."""
    return redirect_url(url_for(endpoint, **values))


def redirect_url(url: str) -> Response:
    """`redirect_to` for a URL already built (an outside provider's page, a checked `next`)."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
