"""Files handed to a browser: exports and uploaded documents, as attachments."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response


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
