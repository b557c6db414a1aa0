"""The domain's errors, one hierarchy, mapped to HTTP in one place (`app/errors.py`).

- `NotFound`: no such thing for this actor; also what a thing the actor may not see looks like (404).
- `NotAllowed`: the actor may not do this (403).
- `Refused(reason, field)`: a rule says no; `reason` is what the person reads, `field` the form field at
  fault when there is one (422, the reason shown in the page or the htmx fragment).
- busy: `app.locks.Busy`, a lock someone else held too long; nothing was written (503, "try again").

An area names its own errors as subclasses (`orders.rules.Refusal`, `whitelisting.service.Refused`,
`offerings.service.NotFound`, ...), so its tests and callers keep their names. Each class also derives
from the builtin it replaced (LookupError, PermissionError, ValueError), so an `except` written for
those still catches it. A view catches one itself only to re-render a form with the reason next to a
field; everything else reaches the one error handler.
"""

from __future__ import annotations


class DomainError(Exception):
    """Something the domain refuses to do, in words a person can read."""


class NotFound(DomainError, LookupError):
    """No such thing for this actor (404, revealing nothing about things they may not see)."""


class NotAllowed(DomainError, PermissionError):
    """The actor may not do this (403)."""


class Refused(DomainError, ValueError):
    """A rule says no: `reason` is the message shown, `field` the form field at fault ("" for none) (422)."""

    def __init__(self, reason: str = "", field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field
