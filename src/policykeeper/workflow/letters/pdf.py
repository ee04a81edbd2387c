"""Lay a composed letter out on A4 as a PDF, with a Japanese TrueType font embedded.

The font is IPA Gothic from Debian's fonts-ipafont-gothic unless POLICYKEEPER_LETTER_FONT
names another TrueType file; fpdf2 embeds only the glyphs used. Lines are broken here, not by
fpdf2, to follow Japanese typesetting: no line starts with 、。）」 (they hang into the margin)
and none ends with （「, and a Latin word or number stays whole when it fits on a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from policykeeper.errors import InputError
from policykeeper.policy.types import Lang
from policykeeper.workflow.letters.compose import Composed

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
FONT = "letter"
BODY_PT = 10.5
LINE_MM = 6.0
MARGIN_MM = 25.0
CELL_PADDING_MM = 1.5
TABLE_COLUMNS = (0.24, 0.30, 0.46)

NO_LINE_START = set(
    "、。，．,.）)」』】〕〉》・：:；;！!？?ー～ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
NO_LINE_END = set("（(「『【〔〈《")
_TOKENS = re.compile(r"[A-Za-z0-9@._%+\-/:~#&=]+|.", re.DOTALL)
"""A Latin word, number, address or URL stays one piece; everything else breaks per character."""


def font_path(chosen: Path | None = None) -> Path:
    """The TrueType font the letters use (`chosen`, else the first installed of the usual
    ones), or one clear error saying how to get one."""
    for candidate in (chosen,) if chosen else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    wanted = chosen or FONT_CANDIDATES[0]
    raise InputError(
        f"no Japanese font for letters at {wanted}: install fonts-ipafont-gothic "
        "or set POLICYKEEPER_LETTER_FONT to a TrueType file"
    )


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break `text` into lines no wider than `width`, by the rules in the module docstring."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKENS.findall(paragraph):
            if token == " " and not line:
                continue
            if measure(line + token) <= width or not line.strip():
                line += token
            elif token in NO_LINE_START:
                line += token  # hangs into the margin (ぶら下げ)
            elif token == " ":
                lines.append(line)
                line = ""
            else:
                carried = ""
                while line and line[-1] in NO_LINE_END:
                    carried, line = line[-1] + carried, line[:-1]
                lines.append(line.rstrip())
                line = carried + token
            while measure(line) > width and len(line) > 1 and _TOKENS.fullmatch(line):
                cut = _fitting(line, width, measure)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines


def _fitting(word: str, width: float, measure: Callable[[str], float]) -> int:
    """How much of a word too long for any line fits on one: it must then be split."""
    cut = len(word) - 1
    while cut > 1 and measure(word[:cut]) > width:
        cut -= 1
    return cut


def to_pdf(letter: Composed, dated: datetime | None = None, font: Path | None = None) -> bytes:
    """The letter as PDF bytes; `dated` fixes the file's creation date, so output is stable."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN_MM, 20, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, fname=str(font_path(font)))
    pdf.set_lang(letter.lang.value)
    pdf.set_title(letter.title)
    pdf.set_creator("PolicyKeeper")
    if dated is not None:
        pdf.set_creation_date(dated)
    pdf.add_page()
    page = _Page(pdf)

    page.text([letter.date_line], align=Align.R)
    page.gap(2)
    page.text(letter.addressee, size=BODY_PT + 1)
    page.gap(6)
    page.text(letter.sender, left=pdf.epw * 0.45, line=LINE_MM - 1)
    page.gap(8)
    page.text([letter.title], align=Align.C, size=14, line=8)
    page.gap(6)
    indent = "　" if letter.lang is Lang.ja else ""
    for paragraph in [letter.opening, *(indent + p for p in letter.body)]:
        page.text([paragraph])
        page.gap(1)
    page.text([letter.valediction], align=Align.R if letter.lang is Lang.ja else Align.L)
    page.text(letter.signature)
    page.gap(4)
    page.text([letter.details_heading], align=Align.C)
    page.gap(2)
    label_width = 52.0 if letter.lang is Lang.ja else 56.0
    for number, (label, lines) in enumerate(letter.details, start=1):
        marker = f"{number}．{label}" if letter.lang is Lang.ja else f"{number}. {label}"
        page.item(marker, lines, label_width)
    if letter.table:
        page.gap(4)
        page.text([letter.table_heading])
        page.gap(1)
        page.table(letter.table_columns, letter.table)
    if letter.details_end:
        page.gap(2)
        page.text([letter.details_end], align=Align.R)
    return bytes(pdf.output())


class _Page:
    """Places wrapped text on the page, one line at a time, moving to new pages as needed."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        pdf.set_font(FONT, size=BODY_PT)

    def measure(self, text: str) -> float:
        return self.pdf.get_string_width(text)

    def gap(self, mm: float) -> None:
        self.pdf.ln(mm)

    def text(
        self,
        paragraphs: list[str],
        *,
        align: Align = Align.L,
        left: float = 0.0,
        size: float = BODY_PT,
        line: float = LINE_MM,
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        width = pdf.epw - left
        for paragraph in paragraphs:
            for piece in wrap(paragraph, width, self.measure) if paragraph else [""]:
                pdf.set_x(pdf.l_margin + left)
                pdf.cell(width, line, piece, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=BODY_PT)

    def item(self, label: str, lines: list[str], label_width: float) -> None:
        """A numbered item of the 記 section: its label, and its lines beside it."""
        pdf = self.pdf
        width = pdf.epw - label_width
        wrapped = [piece for line in lines for piece in wrap(line, width, self.measure)]
        if pdf.will_page_break(LINE_MM * max(1, len(wrapped))):
            pdf.add_page()
        top = pdf.get_y()
        self.text([label])
        after_label = pdf.get_y()
        pdf.set_y(top)
        for piece in wrapped:
            pdf.set_x(pdf.l_margin + label_width)
            pdf.cell(width, LINE_MM, piece, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), after_label) + 1)

    def table(self, columns: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, size=BODY_PT - 1)
        hanging = self.measure("。")
        widths = [pdf.epw * share - 2 * CELL_PADDING_MM - hanging for share in TABLE_COLUMNS]

        def cell(text: str, width: float) -> str:
            return "\n".join(wrap(text, width, self.measure))

        headings = FontFace(family=FONT, emphasis="", fill_color=(225, 225, 225))
        with pdf.table(
            col_widths=tuple(share * 100 for share in TABLE_COLUMNS),
            headings_style=headings,
            text_align=(Align.L, Align.L, Align.L),
            line_height=LINE_MM - 1,
            padding=CELL_PADDING_MM,
        ) as table:
            table.row(columns)
            for row in rows:
                table.row(tuple(cell(text, width) for text, width in zip(row, widths, strict=True)))
        pdf.set_font(FONT, size=BODY_PT)
