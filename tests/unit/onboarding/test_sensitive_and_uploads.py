"""Encryption and masking of identity numbers; document checks by content."""

import io

import pytest
from cryptography.fernet import Fernet

from app.domain.onboarding import sensitive
from app.domain.platform import uploads
from tests.factories import PDF_BYTES as PDF
from tests.factories import png_bytes as png

KEY = Fernet.generate_key().decode()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def test_sensitive_fields_are_encrypted_at_any_depth_and_revealed_or_masked():
    stored = sensitive.encrypt_fields(KEY, {"mainInformation": {"nationalIdNumber": "AB1234567"},
                                            "beneficialOwners": [{"personalInformation":
                                                                  {"socialSecurityNumber": "123-45-6789"}}]})
    assert stored["mainInformation"]["nationalIdNumber"].startswith("enc:v1:")
    assert "6789" not in str(stored)
    assert sensitive.encrypt_fields(KEY, stored) == stored  # never encrypted twice
    clear = sensitive.reveal_fields(KEY, stored, clear=True)
    assert clear["beneficialOwners"][0]["personalInformation"]["socialSecurityNumber"] == "123-45-6789"
    masked = sensitive.reveal_fields(KEY, stored, clear=False)
    assert masked["mainInformation"]["nationalIdNumber"] == "•••••4567"


def test_masking_hides_short_values_entirely_and_a_wrong_key_is_an_error():
    assert sensitive.mask("1234") == "••••" and sensitive.mask("") == ""
    with pytest.raises(ValueError, match="DATA_ENCRYPTION_KEY"):
        sensitive.decrypt(Fernet.generate_key().decode(), sensitive.encrypt(KEY, "secret"))


@pytest.mark.parametrize("data, kind", [(PDF, "pdf"), (png(), "png"), (JPEG, "jpg"),
                                        (b"RIFF" + (12).to_bytes(4, "little") + b"WEBPVP8 " + b"\x00" * 4, "webp")])
def test_accepted_formats_are_recognised_by_content(data, kind):
    assert uploads.check(data) == kind


@pytest.mark.parametrize("data, complaint", [
    (b"<html><script>alert(1)</script></html>", "Only PDF"),
    (b"MZ\x90\x00 an executable", "Only PDF"),
    (b"", "empty"),
    (JPEG + b"PK\x03\x04 zip appended behind the image", "Only PDF"),
    (png(b"\x00\x00\x00\x10tEXt<script>x</script>"), "active content"),
    (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "active content"),
])
def test_other_content_and_polyglots_are_refused(data, complaint):
    with pytest.raises(uploads.UploadRefused, match=complaint):
        uploads.check(data)


def test_oversize_is_refused_after_reading_one_byte_more_than_allowed():
    stream = io.BytesIO(b"x" * 101)
    with pytest.raises(uploads.UploadTooLarge):
        uploads.read_limited(stream, 100)
    assert stream.tell() == 101


def test_stored_names_are_generated_and_only_those_can_be_read_back(tmp_path):
    owner = "65a000000000000000000001"
    stored = uploads.store(str(tmp_path), owner, io.BytesIO(PDF), 1000)
    assert uploads.STORED_NAME.match(stored.name) and stored.content_type == "application/pdf"
    path, _type = uploads.locate(str(tmp_path), owner, stored.name)
    assert path.read_bytes() == PDF and path.parent == tmp_path / owner
    for name in ("../" + stored.name, "..%2f" + stored.name, "/etc/passwd", stored.name.upper(), ""):
        with pytest.raises(LookupError):
            uploads.locate(str(tmp_path), owner, name)
    with pytest.raises(LookupError):
        uploads.locate(str(tmp_path), "../" + owner, stored.name)
