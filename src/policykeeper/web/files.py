"""Files handed to a browser: exports and uploaded documents, as attachments."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

from policykeeper.store.models import Upload
from policykeeper.workflow.errors import NotFound


def attachment(content: bytes, filename: str, media_type: str) -> Response:
    """A download that is never cached; the name is quoted so a person's filename cannot break
    the header (RFC 6266: an ASCII fallback plus the UTF-8 name)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
            ),
            "Cache-Control": "no-store",
        },
    )


def document_attachment(upload: Upload) -> Response:
    """An uploaded document, whatever type its sender claimed: an attachment of
    application/octet-stream, so a browser never renders a person's file inside our site."""
    if upload.content is None:
        raise NotFound("this document was deleted when its retention ended")
    return attachment(upload.content, upload.filename, "application/octet-stream")
