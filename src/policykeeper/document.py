"""A format-neutral document: numbered sections holding paragraphs, lists, field lists and tables.

The builder decides *what* the policy says once; the HTML and Markdown templates only decide how
each kind of block looks, so the two formats can never disagree about content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Span:
    """A run of text, optionally bold or a link."""

    text: str
    href: str | None = None
    strong: bool = False


Line = list[Span]
"""One line of inline text."""


def line(*parts: str | Span) -> Line:
    return [part if isinstance(part, Span) else Span(part) for part in parts if part]


@dataclass
class Paragraph:
    lines: list[Line]
    kind: str = "paragraph"
    note: bool = False


@dataclass
class Item:
    line: Line
    children: list[Line] = field(default_factory=list)


@dataclass
class ItemList:
    items: list[Item]
    kind: str = "list"


@dataclass
class Field:
    """A labelled value; several lines show as a list under the label."""

    label: str
    lines: list[Line]
    bullets: bool = False


@dataclass
class Fields:
    fields: list[Field]
    kind: str = "fields"


Cell = list[Line]


EMPTY_CELL = "—"


@dataclass
class Table:
    """A table whose first column names the row (rendered as a row header).

    Every row has one cell per column, or the table refuses to exist. A column with nothing in
    any row is dropped (the policy said nothing there); an empty cell in a kept column shows a
    dash, so a reader can tell "nothing" from a rendering gap.
    """

    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    kind: str = "table"

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table '{self.caption}': {len(self.columns)} columns but a row of {len(row)}"
                )
        kept = [0] + [
            i for i in range(1, len(self.columns)) if any(_filled(row[i]) for row in self.rows)
        ]
        self.columns = [self.columns[i] for i in kept]
        self.rows = [
            [row[i] if _filled(row[i]) else [[Span(EMPTY_CELL)]] for i in kept] for row in self.rows
        ]


def _filled(cell: Cell) -> bool:
    return any(span.text.strip() for line in cell for span in line)


Block = Paragraph | ItemList | Fields | Table


@dataclass
class Section:
    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    number: str = ""
    level: int = 1

    def add(self, block: Block | None) -> None:
        """Append a block unless it has nothing to show."""
        if block is None:
            return
        if isinstance(block, Paragraph) and not any(block.lines):
            return
        if isinstance(block, ItemList | Table) and not (
            block.items if isinstance(block, ItemList) else block.rows
        ):
            return
        if isinstance(block, Fields) and not block.fields:
            return
        self.blocks.append(block)

    def subsection(self, title: str, anchor: str) -> Section:
        child = Section(title, f"{self.anchor}-{anchor}", level=self.level + 1)
        self.children.append(child)
        return child

    @property
    def empty(self) -> bool:
        return not self.blocks and all(child.empty for child in self.children)


@dataclass
class Document:
    lang: str
    title: str
    meta: list[Field]
    notice: Paragraph | None
    intro: Paragraph
    sections: list[Section]
    toc_label: str
    skip_label: str
    scroll_label: str
    label_sep: str

    def number(self) -> Document:
        """Number the non-empty sections 1., 2., 2.1 … in order, dropping empty ones."""
        self.sections = _numbered(self.sections, "")
        return self

    def restyle(self, style: Callable[[str], str]) -> None:
        """Pass every text of the document (not links' targets) through `style`."""
        self.title = style(self.title)
        self.meta = [_field(f, style) for f in self.meta]
        if self.notice is not None:
            self.notice = _block(self.notice, style)  # type: ignore[assignment]
        self.intro = _block(self.intro, style)  # type: ignore[assignment]
        for section in self.sections:
            _section(section, style)


def _line(value: Line, style: Callable[[str], str]) -> Line:
    return [replace(span, text=style(span.text)) for span in value]


def _field(value: Field, style: Callable[[str], str]) -> Field:
    return replace(value, label=style(value.label), lines=[_line(x, style) for x in value.lines])


def _block(block: Block, style: Callable[[str], str]) -> Block:
    if isinstance(block, Paragraph):
        return replace(block, lines=[_line(x, style) for x in block.lines])
    if isinstance(block, ItemList):
        items = [
            Item(_line(i.line, style), [_line(c, style) for c in i.children]) for i in block.items
        ]
        return replace(block, items=items)
    if isinstance(block, Fields):
        return replace(block, fields=[_field(f, style) for f in block.fields])
    return replace(
        block,
        caption=style(block.caption),
        columns=[style(c) for c in block.columns],
        rows=[[[_line(x, style) for x in cell] for cell in row] for row in block.rows],
    )


def _section(section: Section, style: Callable[[str], str]) -> None:
    section.title = style(section.title)
    section.blocks = [_block(b, style) for b in section.blocks]
    for child in section.children:
        _section(child, style)


def _numbered(sections: list[Section], prefix: str) -> list[Section]:
    kept = [section for section in sections if not section.empty]
    for index, section in enumerate(kept, start=1):
        section.number = f"{prefix}{index}"
        section.children = _numbered(section.children, f"{section.number}.")
    return kept
