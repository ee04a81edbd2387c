"""The HTML policy is standalone, accessible and printable; the Markdown is clean GFM."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from markdown_it import MarkdownIt
from render_support import EXAMPLE_NAMES, LANGS, example, rendered, visible_text

from policykeeper.render import render_policy

PAGES = [(name, lang) for name in EXAMPLE_NAMES for lang in LANGS]


class Structure(HTMLParser):
    """Collects what the accessibility checks look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.headings: list[int] = []
        self.th_scopes: list[str | None] = []
        self.ids: list[str] = []
        self.fragment_links: list[str] = []
        self.tags: set[str] = set()
        self.open_wraps: list[bool] = []
        self.tables_outside_wrap = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.add(tag)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th_scopes.append(attributes.get("scope"))
        if "id" in attributes:
            self.ids.append(str(attributes["id"]))
        href = attributes.get("href") or ""
        if href.startswith("#"):
            self.fragment_links.append(href[1:])
        if tag == "div":
            self.open_wraps.append("table-wrap" in (attributes.get("class") or ""))
        if tag == "table" and not any(self.open_wraps):
            self.tables_outside_wrap += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.open_wraps:
            self.open_wraps.pop()


def structure(name: str, lang: str) -> Structure:
    parser = Structure()
    parser.feed(rendered(name, lang, "html"))
    return parser


@pytest.mark.parametrize(("name", "lang"), PAGES)
def test_html_is_accessible(name: str, lang: str) -> None:
    page = structure(name, lang)
    assert page.html_lang == lang
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    for before, after in pairwise(page.headings):
        assert after <= before + 1, f"heading h{before} is followed by h{after}"
    assert page.th_scopes and set(page.th_scopes) <= {"col", "row"}
    assert len(page.ids) == len(set(page.ids))
    assert set(page.fragment_links) <= set(page.ids)
    assert "content" in page.ids and "nav" in page.tags


@pytest.mark.parametrize(("name", "lang"), PAGES)
def test_html_is_standalone_responsive_and_printable(name: str, lang: str) -> None:
    output, page = rendered(name, lang, "html"), structure(name, lang)
    assert not page.tags & {"script", "link", "img", "iframe", "object"}
    assert "url(" not in output and "@import" not in output
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in output
    assert "@media print" in output and "@media (max-width" in output
    assert page.tables_outside_wrap == 0
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", output)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_text_colours_have_sufficient_contrast() -> None:
    output = rendered("ainema", "en", "html")
    for variable in ("--text", "--muted", "--link"):
        colour = re.search(rf"{variable}: (#[0-9a-fA-F]{{6}});", output)
        assert colour, variable
        for background in ("#ffffff", "#f3f5f7", "#eef4fb"):
            lighter, darker = _luminance(background), _luminance(colour.group(1))
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (variable, background)


def test_text_from_the_declaration_is_escaped() -> None:
    policy = example("ainema").model_copy(deep=True)
    policy.trackers[0].description.ja = "<script>alert(1)</script> A|B *x* [y](z)"
    html = render_policy(policy, "ja", "html")
    markdown = render_policy(policy, "ja", "md")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in markdown
    assert "<script>alert(1)</script> A|B *x* [y](z)" in visible_text(html, "html")
    assert "<script>alert(1)</script> A|B *x* [y](z)" in visible_text(markdown, "md")
    table_rows = [line for line in markdown.splitlines() if "ainema_session" in line]
    assert table_rows and all(
        len(re.findall(r"(?<!\\)\|", row)) == len(re.findall(r"(?<!\\)\|", table_rows[0]))
        for row in table_rows
    )
    assert "A\\|B" in table_rows[0]


@pytest.mark.parametrize(("name", "lang"), PAGES)
def test_markdown_tables_and_headings_parse_as_gfm(name: str, lang: str) -> None:
    markdown = rendered(name, lang, "md")
    as_html = MarkdownIt("commonmark").enable("table").render(markdown)
    html = rendered(name, lang, "html")
    assert as_html.count("<table>") == html.count("<table>")
    assert as_html.count("<h1>") == 1
    headings = [len(m) for m in re.findall(r"^(#+) ", markdown, flags=re.MULTILINE)]
    for before, after in pairwise(headings):
        assert after <= before + 1
    assert "\n\n\n" not in markdown
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    for table_html in re.findall(r"<table>.*?</table>", as_html, flags=re.DOTALL):
        widths = {row.count("<td") + row.count("<th") for row in table_html.split("<tr>")[1:]}
        assert len(widths) == 1, "a table row has a different number of cells"


@pytest.mark.parametrize(("name", "lang"), PAGES)
def test_sections_are_numbered_in_order(name: str, lang: str) -> None:
    markdown = rendered(name, lang, "md")
    numbers = re.findall(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", markdown, flags=re.MULTILINE)
    top = [int(n) for n in numbers if "." not in n]
    assert top == list(range(1, len(top) + 1))
    for number in numbers:
        if "." in number:
            parent, _, child = number.rpartition(".")
            assert parent in numbers and int(child) >= 1
