"""Reading a policy from a file or a URL: plain text, Markdown or HTML, in UTF-8 or Shift_JIS.

A URL is fetched with httpx once, with a timeout; anything that stops it (no route, a refused
connection, an HTTP error, a page that is not text) is one clear InputError, exit 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from policykeeper.draft.text import Sentence, blocks_of_html, blocks_of_text, sentences_of
from policykeeper.errors import InputError, display_path

MAX_BYTES = 5_000_000
TIMEOUT_SECONDS = 15.0


@dataclass
class Source:
    """One policy document, read and split into located sentences."""

    name: str
    format: str
    text: str
    sentences: list[Sentence]

    @property
    def lang(self) -> str:
        japanese = sum(1 for s in self.sentences if s.lang == "ja")
        return "ja" if japanese * 2 >= len(self.sentences) else "en"


def is_url(reference: str) -> bool:
    return urlparse(reference).scheme in {"http", "https"}


def read_source(reference: str) -> Source:
    """The document at a path or an http(s) URL, as sentences with their positions."""
    if is_url(reference):
        data, content_type = _fetch(reference)
        name = reference
    else:
        path = Path(reference)
        name = display_path(path)
        if not path.is_file():
            raise InputError(f"{name}: file not found")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from exc
        content_type = ""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB; not a policy page")
    text = _decode(data, name)
    kind = _format(name, content_type, text)
    blocks = blocks_of_html(text) if kind == "html" else blocks_of_text(text, markdown=kind == "md")
    sentences = sentences_of(blocks, name)
    if not any(s.kind != "heading" for s in sentences):
        raise InputError(f"{name}: no text found")
    return Source(name, kind, text, sentences)


def _fetch(url: str) -> tuple[bytes, str]:
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise InputError(f"{url}: cannot fetch: {reason}") from exc
    if response.status_code >= 400:
        raise InputError(f"{url}: cannot fetch: HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "")
    if content_type and not re.match(r"text/|application/(?:xhtml|xml|json)", content_type):
        raise InputError(f"{url}: not a text page ({content_type.split(';')[0]})")
    return response.content, content_type


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp932", "euc_jp"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: not text in UTF-8, Shift_JIS or EUC-JP")


def _format(name: str, content_type: str, text: str) -> str:
    suffix = Path(urlparse(name).path).suffix.lower()
    if "html" in content_type or suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".md", ".markdown"} or "markdown" in content_type:
        return "md"
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(
        r"<(?:body|p|div|h[1-6])[\s>]", head
    ):
        return "html"
    return "txt"
