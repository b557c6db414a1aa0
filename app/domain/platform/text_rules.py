"""What typed text may hold: no control characters, and a length limit on every field. Pure.

Why: a NUL, a line break or a bidirectional override inside a name ends up in mails, CSV exports,
audit logs and other people's screens (a name that reads backwards, a header split in two). Names,
labels and other one-line fields refuse every control character; free text (several lines) keeps
tab and line breaks only. Right-to-left marks (U+200E, U+200F) stay allowed: scripts written right to
left need them; the overrides and isolates that reorder what others see do not.
"""

from __future__ import annotations

import re

_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
ONE_LINE_MESSAGE = "Use one line of plain text here (no control characters such as NUL, tabs or line breaks)."
MULTI_LINE_MESSAGE = "Remove the control characters (such as NUL) from this text."
NAME_CHARS, LABEL_CHARS, TEXT_CHARS = 200, 120, 5000


def problem(text: str, *, multiline: bool = False, max_chars: int | None = None) -> str | None:
    """Why `text` is refused (control characters, too long), or None when it is fine."""
    limit = max_chars or (TEXT_CHARS if multiline else NAME_CHARS)
    if len(text) > limit:
        return f"Keep this under {limit} characters."
    if (_MULTI_LINE if multiline else _ONE_LINE).search(text):
        return MULTI_LINE_MESSAGE if multiline else ONE_LINE_MESSAGE
    return None
