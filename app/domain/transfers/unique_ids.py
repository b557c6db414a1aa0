"""Investors' shareable Libertum IDs (`LIB-XXXX-XXXX`): how a holder names the recipient of a saved transfer.

Why not the email: looking people up by email would tell anyone who is registered. The ID is random
(8 letters of a 30-letter alphabet without look-alikes 0/O, 1/I/L, U: about 39 bits), so it cannot be guessed or
enumerated, and it is stable: stored once on the user (`users.uniqueId`, unique) and shown on their
account page for them to share. Typed IDs are read leniently (case, spaces, missing dashes).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # 30 letters: no 0 O 1 I L U
PREFIX = "LIB"
GROUP = 4
_SHAPE = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}$")


def generate() -> str:
    """A fresh ID, e.g. LIB-7KQ2-XM4D."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP))
    return f"{PREFIX}-{body[:GROUP]}-{body[GROUP:]}"


def is_valid(text: str) -> bool:
    return bool(_SHAPE.match(text or ""))


def normalize(text: str | None) -> str:
    """The canonical form of a typed ID ("lib 7kq2 xm4d" -> "LIB-7KQ2-XM4D"), or "" when it cannot be one."""
    letters = re.sub(r"[\s\-_.]", "", str(text or "")).upper()
    if letters.startswith(PREFIX):
        letters = letters[len(PREFIX):]
    if len(letters) != 2 * GROUP:
        return ""
    candidate = f"{PREFIX}-{letters[:GROUP]}-{letters[GROUP:]}"
    return candidate if is_valid(candidate) else ""
