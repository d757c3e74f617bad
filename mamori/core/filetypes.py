"""What a file is, read from its first bytes: an upload's declared type is the sender's claim,
and a claim is not enough to store a file as a PDF or to serve it back as an image."""

from __future__ import annotations

HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")

# What a person may hand in as a document or as evidence: scans and photos.
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The MIME type the content shows, for the types mamori accepts; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heic"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def document_type(data: bytes) -> str | None:
    """The type to store a document or evidence file as, read from its content; None when the
    content is not one of DOCUMENT_TYPES (whatever its name or declared type say)."""
    found = sniff(data)
    return found if found in DOCUMENT_TYPES else None
