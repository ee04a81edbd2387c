"""The published privacy policy, rendered from the declaration in Japanese or English, HTML or Markdown.

`render_policy` builds one format-neutral document (what the policy says) and hands it to a
Jinja2 template per format (how it looks), so the languages and formats never drift apart.
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from policykeeper.errors import InputError
from policykeeper.policy.models import Policy
from policykeeper.policy.types import Lang
from policykeeper.render.build import build_document
from policykeeper.render.style import japanese_runs

__all__ = ["FORMATS", "LANGUAGES", "mark_languages", "render_policy"]

LANGUAGES = ("ja", "en")
FORMATS = ("html", "md")

_MD_SPECIAL = re.compile(r"([\\`*\[\]])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)])|(?=[#+\-=]))")


def render_policy(policy: Policy, lang: str, fmt: str) -> str:
    """The policy as a complete document: `lang` "ja" or "en", `fmt` "html" or "md"."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    published = [language.value for language in policy.languages.published]
    if lang not in published:
        raise InputError(
            f"the policy is not published in '{lang}' (languages.published: {', '.join(published)})"
        )
    document = build_document(policy, Lang(lang))
    return _environment(fmt).get_template(f"policy.{fmt}.j2").render(doc=document)


@cache
def _environment(fmt: str) -> Environment:
    """HTML autoescapes; Markdown escapes through its own filters."""
    environment = Environment(
        loader=PackageLoader("policykeeper.render", "templates"),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = markdown_text
    environment.filters["md_cell"] = markdown_cell
    environment.filters["md_start"] = markdown_line_start
    environment.filters["md_href"] = markdown_href
    environment.filters["langs"] = mark_languages
    return environment


def mark_languages(text: str, page_lang: str) -> Markup:
    """Escaped HTML of `text`; on an English page, its Japanese runs are marked lang="ja" (a
    postal address or a name declared only in Japanese), so readers and screen readers know."""
    if page_lang != "en":
        return escape(text)
    return Markup("").join(
        Markup('<span lang="ja">{}</span>').format(part) if is_ja else escape(part)
        for part, is_ja in japanese_runs(text)
    )


def markdown_text(text: str) -> str:
    """Text that Markdown shows literally: no emphasis, links or raw HTML."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")


def markdown_cell(text: str) -> str:
    """Escaped text that also keeps its place in a pipe table."""
    return text.replace("|", "\\|")


def markdown_line_start(text: str) -> str:
    """Escape what would turn the start of a line into a heading, quote or list."""
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\", text, count=1)


def markdown_href(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
