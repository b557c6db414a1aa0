"""Uploaded identity and company documents: checked by content, stored outside the web root.

The rules (issue "Onboarding", sensitive data and files):
- the type comes from the file's bytes, never from its name or the browser's header; only
  PDF, PNG, JPEG and WebP are accepted, and a file must also end the way its format ends
  (a ZIP or script appended behind a valid image is refused: the polyglot case);
- no file holding active content markers (HTML, script, PHP, SVG, PDF JavaScript or launch
  actions) is accepted, whatever it starts with;
- files above UPLOAD_MAX_BYTES are refused with 413 before more is read;
- a stored file gets a generated name `<32 hex>.<ext>` under UPLOAD_DIR/<user id>/; the
  client's file name is never used for anything, so path tricks in it have no effect;
- reading back accepts only a generated name, for the owner's folder.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.domain import errors

FORMATS = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg|webp)$")
_ACTIVE = re.compile(rb"<script|<html|<!doctype|<\?php|<svg|<iframe|javascript:", re.IGNORECASE)
_ACTIVE_PDF = re.compile(rb"/JavaScript|/JS\b|/Launch|/EmbeddedFile|/OpenAction|/RichMedia|/XFA")
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


class UploadRefused(errors.Refused):
    """The file is not an accepted document; the message says why in words a user can act on."""


class UploadTooLarge(UploadRefused):
    """Above UPLOAD_MAX_BYTES (the view answers 413)."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    size: int


def sniff(data: bytes) -> str:
    """The format of `data` from its leading and trailing bytes; raises UploadRefused otherwise."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(_PNG_END):
        return "png"
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00\r\n").endswith(b"\xff\xd9"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and int.from_bytes(data[4:8], "little") + 8 == len(data):
        return "webp"
    raise UploadRefused("Only PDF, PNG, JPEG or WebP documents are accepted, and this file is not one of them.")


def limit_text(max_bytes: int) -> str:
    """A size limit as people read it: "10 MB", "512 KB"."""
    if max_bytes >= 1024 * 1024:
        return f"{max_bytes / (1024 * 1024):g} MB"
    return f"{max_bytes / 1024:g} KB" if max_bytes >= 1024 else f"{max_bytes} bytes"


def check(data: bytes) -> str:
    """The accepted format of `data`, refusing empty files, unknown formats and active content."""
    if not data:
        raise UploadRefused("The file is empty.")
    kind = sniff(data)
    if _ACTIVE.search(data) or (kind == "pdf" and _ACTIVE_PDF.search(data)):
        raise UploadRefused("The file holds active content (script or embedded file) and cannot be accepted.")
    return kind


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most `max_bytes`; one byte more means the file is too large."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadTooLarge(f"The file is larger than the limit of {limit_text(max_bytes)}.")
    return data


def store(upload_dir: str, owner_id: str, stream: BinaryIO, max_bytes: int,
          kinds: tuple[str, ...] = tuple(FORMATS)) -> StoredFile:
    """Check and write one upload under a generated name; the client's file name plays no part.
    Every check runs before a byte is written: a refused file never reaches the disk."""
    data = read_limited(stream, max_bytes)
    kind = check(data)
    if kind not in kinds:
        raise UploadRefused("Images must be PNG, JPEG or WebP." if "pdf" not in kinds else
                            "This kind of file is not accepted here.")
    folder = _owner_folder(upload_dir, owner_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_hex(16)}.{kind}"
    path = folder / name
    with path.open("xb") as handle:  # never overwrite
        handle.write(data)
    path.chmod(0o600)
    return StoredFile(name, FORMATS[kind], len(data))


class Batch:
    """The files one request stores, removed again unless the request's data is saved (`keep()`).

    Why: a form can refuse after a file was written (another field is wrong, a second file is refused,
    the record is locked meanwhile); a refused upload must not stay on disk, unreferenced. Use as
    `with uploads.Batch(dir, owner, max_bytes) as batch: stored = batch.store(stream); save; batch.keep()`.
    """

    def __init__(self, upload_dir: str, owner_id: str, max_bytes: int, kinds: tuple[str, ...] = tuple(FORMATS)):
        self.upload_dir, self.owner_id, self.max_bytes, self.kinds = upload_dir, owner_id, max_bytes, kinds
        self.names: list[str] = []
        self.kept = False

    def store(self, stream: BinaryIO, kinds: tuple[str, ...] | None = None) -> StoredFile:
        stored = store(self.upload_dir, self.owner_id, stream, self.max_bytes, kinds or self.kinds)
        self.names.append(stored.name)
        return stored

    def keep(self) -> None:
        self.kept = True

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.kept:
            for name in self.names:
                (_owner_folder(self.upload_dir, self.owner_id) / name).unlink(missing_ok=True)


def locate(upload_dir: str, owner_id: str, name: str) -> tuple[Path, str]:
    """Path and content type of a stored file of `owner_id`; NotFound (a LookupError) for anything else."""
    if not STORED_NAME.match(name or ""):
        raise errors.NotFound("no such document")
    path = _owner_folder(upload_dir, owner_id) / name
    if not path.is_file():
        raise errors.NotFound("no such document")
    return path, FORMATS[name.rsplit(".", 1)[1]]


def discard(upload_dir: str, owner_id: str, name: str) -> None:
    """Delete a stored file the caller has checked nothing references any more (a missing one is fine:
    a retried removal finds it gone)."""
    if STORED_NAME.match(name or ""):
        (_owner_folder(upload_dir, owner_id) / name).unlink(missing_ok=True)


def _owner_folder(upload_dir: str, owner_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{24}", owner_id):
        raise errors.NotFound("no such owner")
    return Path(upload_dir).resolve() / owner_id
