"""A policy's text as located sentences: every value the drafter finds points back to one.

Plain text, Markdown and HTML are all reduced to blocks (headings, list items, paragraphs)
with their position in the source, and blocks to sentences. A sentence knows the headings
above it, so an extractor can read "Email address" under "Information we collect" as a
category and under "Contact" as a channel.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_ITEM = re.compile(
    r"^(?P<marker>[-*•・●◦▪■□◆◇※]\s*|\(?\d{1,2}\)\s*|\d{1,2}[.)](?!\d)\s*|[a-z][.)]\s+|"
    r"[①-⑳]\s*|（\d{1,2}）\s*|\([a-z]{1,4}\)\s*|(?:i{2,3}|iv|vi{1,3}|ix|xi{0,2})[.)]\s+)(?=\S)"
)
"""List markers; lower-case Roman numerals ("ii. 合併その他の事由による…", "iv. …") number the
sub-items of a numbered clause in many APPI-style policies, as "i." (a letter) already does."""
_NUMBERED_HEADING = re.compile(
    r"^(?:第[0-9０-９一二三四五六七八九十百]+条|Article\s+\d+|Section\s+\d+|\d+(?:\.\d+)+\.?|\d+\.)\s*\S"
)
_SENTENCE_END = re.compile(r"(?<=[。！？])(?![）)」』])|(?<=[.!?])[\"”’)]?(?=\s+[\"“(A-Z0-9])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|inc|co|ltd|corp|no|mr|ms|mrs|dr|st|vs|approx|a\.m|p\.m|u\.s|s\.a|bldg|jr|art|cf)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)
_TERMINAL = tuple(".。!?！？")
_DATE_OR_NUMBER = re.compile(
    r"\d{4}[年/.-]|\b\d{1,2},? \d{4}\b|\d+[-(]\d+[-)]\d+|\+\d{2}|\d{2}:\d{2}|〒|(?:TEL|FAX)\b"
)


@dataclass
class Sentence:
    """One sentence (or heading, or list item) of a source, where it is, and what is above it."""

    text: str
    file: str
    paragraph: int
    offset: int
    line: int
    kind: str = "text"
    """'heading', 'item' or 'text'."""
    section: tuple[str, ...] = ()
    lead: str = ""
    """For a list item: the sentence that introduces its list ("... the following:")."""
    index: int = 0
    first: bool = True
    """The first sentence of its paragraph or list item."""
    lang: str = "en"
    norm: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.lang = "ja" if len(_JAPANESE.findall(self.text)) >= 2 else "en"
        self.norm = normalise(self.text)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def normalise(text: str) -> str:
    """Width-folded, lower-cased text with one kind of quote and dash, for matching only."""
    folded = unicodedata.normalize("NFKC", text).lower()
    for characters, plain in (("“”„«»", '"'), ("‘’‚`´", "'"), ("‐‑‒–—―", "-")):
        folded = re.sub(f"[{characters}]", plain, folded)
    return re.sub(r"\s+", " ", folded).strip()


@dataclass
class _Block:
    text: str
    kind: str
    level: int
    offset: int
    line: int
    numbered: bool = False


# --- reading -----------------------------------------------------------------------------


def blocks_of_text(text: str, markdown: bool) -> list[_Block]:
    """Lines of plain text or Markdown as blocks; wrapped lines of one paragraph are joined."""
    blocks: list[_Block] = []
    offset = 0
    in_fence = False
    hard_break = False
    broken = False  # the line before ended with <br>: an address block goes on, no heading
    tail = 0  # the last line of the last block (a wrapped paragraph spans several)
    guessed = False  # the last block is a heading only by its look (no '#', number or marker)
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        start = offset
        offset += len(raw)
        line = raw.rstrip("\r\n")
        continued, hard_break = hard_break, markdown and line.endswith("\\")
        if hard_break:
            line = line[:-1].rstrip()
        if markdown and line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        stripped = line.strip()
        broken = broken and bool(stripped)
        if markdown and stripped.startswith("|") and re.fullmatch(r"[-|: ]{3,}", stripped):
            if blocks and blocks[-1].line == number - 1:
                blocks[-1].kind, blocks[-1].level = "heading", 99
            continue
        if in_fence or not stripped or (markdown and re.fullmatch(r"[-=*_|: ]{3,}", stripped)):
            continue
        indent = len(line) - len(line.lstrip())
        content_at = start + indent
        block = _classify(stripped, indent, markdown, content_at, number)
        if not block.text:
            continue  # markup alone, such as an anchor '<a name="collect"></a>': no text to read
        previous = blocks[-1] if blocks else None
        if (
            markdown
            and block.kind == "heading"
            and _markdown_list_item(stripped, previous)
            and not re.match(r"^\d{1,2}[.)]\s+#", stripped)
        ):
            block = _Block(
                _ITEM.sub("", block.text, count=1), "item", 9 + indent // 2, block.offset, number
            )
        if (
            markdown
            and block.kind == "heading"
            and not stripped.startswith("#")
            and (broken or re.search(r"<br\s*/?>$", stripped, re.I))
        ):
            block = _Block(block.text.rstrip(" ｜"), "text", 9, block.offset, number)
        broken = bool(markdown and re.search(r"<br\s*/?>$", stripped, re.I))
        if continued and previous is not None and previous.kind != "heading":
            block = _Block(block.text, previous.kind, previous.level, block.offset, number)
        if (
            previous is not None
            and tail == number - 1
            and (
                (
                    block.kind == "text"
                    and previous.kind == "text"
                    and not previous.text.endswith((*_TERMINAL, ":", "：", ")", "）"))
                    and len(previous.text) >= 60
                    and (block.text[:1].islower() or _JAPANESE.match(block.text[:1]))
                )
                or (markdown and _wrapped(previous, block, stripped))
                or (
                    markdown
                    and (previous.kind != "heading" or guessed)
                    and _wrapped_at_a_space(previous, block, stripped)
                )
                or (guessed and _wrapped_after_guess(previous, block))
            )
        ):
            if guessed:
                previous.kind, previous.level, guessed = "text", 9, False
            previous.text += ("" if _JAPANESE.match(block.text[:1]) else " ") + block.text
            tail = number
            continue
        blocks.append(block)
        guessed = (
            block.kind == "heading"
            and block.level < 99
            and not stripped.startswith("#")
            and not _NUMBERED_HEADING.match(block.text)
            and not _ITEM.match(stripped)
        )
        tail = number
    return blocks


def _wrapped(previous: _Block, block: _Block, stripped: str) -> bool:
    """In Markdown, a paragraph wrapped at a fixed width goes on over its lines: "We use" then
    "[Amazon Web Services](…) (AWS) as our cloud storage provider …" is one sentence. A line
    that ends in a lower-case word or a comma has not finished its sentence, and the next line
    goes on with it unless it starts a heading, a list item, a table row or a quotation."""
    return (
        previous.kind in {"text", "item"}
        and block.kind in {"text", "heading"}
        and bool(
            re.search(r"[a-z,]$", previous.text)
            or (re.search(r"\d$", previous.text) and re.match(r"[a-z]", block.text))
        )
        and not stripped.startswith(("#", "|", ">"))
    )


def _wrapped_at_a_space(previous: _Block, block: _Block, stripped: str) -> bool:
    """Markdown wrapped at a fixed width (as formatters wrap it) breaks Japanese text only at a
    space, which sits beside a half-width word or number: 「…最低 3」 then 「年間保管します。」, 「データは
    Supabase」 then 「に保管されます。」, 「ブラウザの設定により」 then 「Cookie」. A line that has not
    ended its sentence and breaks between half-width and Japanese text goes on over the next
    line, unless that starts a heading, a list item, a table row or a quotation."""
    before, after = previous.text[-1:], block.text[:1]
    half = re.compile(r"[A-Za-z0-9)\]]")
    return (
        previous.kind in {"text", "heading"}
        and block.kind in {"text", "heading"}
        and not previous.text.endswith((*_TERMINAL, ":", "：", "、"))
        and bool(_JAPANESE.search(previous.text) or _JAPANESE.search(block.text))
        and bool(
            # a half-width word goes on with a particle (「Supabase」 then 「に保管されます」) or a
            # number with its counter (「18」 then 「歳未満」), never with a new noun (「〒100-0001」
            # then 「東京都…」, 「Google Analytics」 then 「当サイトでは…」)
            (
                half.match(before)
                and (
                    _HIRAGANA.match(after)
                    or (before.isdigit() and _COUNTER.match(after))
                    or (half.match(after) and _HIRAGANA.search(previous.text))
                )
            )
            # Japanese prose breaks before a half-width word after a particle (「設定により」 then
            # 「Cookie」), not after a name (「株式会社サンプル」 then 「Email: …」)
            or (_HIRAGANA.match(before) and re.match(r"[A-Za-z0-9\[]", stripped))
        )
        # a labelled field (「運営会社: 株式会社サンプル」, 「最終更新日: 2024-04-01」, "Email: …")
        # is a line of its own
        and not _FIELD.match(previous.text)
        and not _FIELD.match(block.text)
        and not stripped.startswith(("#", "|", ">"))
        and not _NUMBERED_HEADING.match(stripped)
        and not _ITEM.match(stripped)
    )


_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_COUNTER = re.compile(r"[年月日歳才円件名人回個時間分秒週箇ヶヵカケ万億千桁文点位社度倍割台冊枚]")
_FIELD = re.compile(r"^[^:：。、]{1,24}[:：](?!//)\s*\S")
"""A labelled field line: 「運営会社: 株式会社サンプル」, "Email: privacy@example.com"."""


def _wrapped_after_guess(previous: _Block, block: _Block) -> bool:
    """A line taken for a heading only by its look ("Administrator reserves the right in our
    sole discretion to modify or", "The Instance contains content provided by its users,
    including you, such as") is the first line of a wrapped paragraph when it ends in a
    lower-case word or a comma and the very next line goes on in lower case ("discontinue,
    temporarily or permanently, …"): it heads no section, so what follows keeps its heading."""
    return (
        block.kind == "text"
        and bool(re.search(r"[a-z,]$", previous.text))
        and bool(re.match(r"[a-z]", block.text))
    )


def _markdown_list_item(line: str, previous: _Block | None) -> bool:
    """In Markdown, "2. Request a copy of the data" after a list item (or a line ending in a
    colon) continues an ordered list: Markdown's headings start with '#'."""
    if previous is None or not re.match(r"^\d{1,2}[.)](?!\d)\s*\S", line):
        return False
    return (
        previous.kind == "item"
        or previous.text.endswith((":", "："))
        or (
            previous.kind == "text"
            and bool(_ANNOUNCES_CASES.search(split_sentences(previous.text)[-1][1]))
        )
    )


_ANNOUNCES_CASES = re.compile(
    r"(?:次|(?<![0-9０-９一二三四五六七八九十百千万歳才円件名人回個間分秒年月日%％つ])以下|下記)"
    r"の(?:いずれか|何れか)?の?(?:場合|とき)"
)
"""A sentence that announces a list of cases (「次のいずれかの場合には…開示提供することがあります。」):
the short numbered lines after it (「1. 法令の規定に基づくとき」) are its items, not headings. The list
follows the paragraph's last sentence, and 以下 after a number is "or less" (「16歳以下の場合は…」),
which announces nothing."""


def _classify(stripped: str, indent: int, markdown: bool, offset: int, line: int) -> _Block:
    if markdown:
        # "1. #### Introduction": a numbered list item that holds a heading is a numbered heading
        stripped = re.sub(r"^(\d{1,2}[.)])\s+#{1,6}\s+(?=\S)", r"\1 ", stripped)
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", stripped)
        if heading:
            return _Block(
                _inline_markdown(heading.group(2)), "heading", len(heading.group(1)), offset, line
            )
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        if stripped.startswith("|"):
            cells = [
                _inline_markdown(c.strip()) for c in re.split(r"(?<!\\)\|", stripped.strip("|"))
            ]
            return _Block(" ｜ ".join(c for c in cells if c), "item", 9, offset, line)
    text = _inline_markdown(stripped) if markdown else stripped
    numbered = _NUMBERED_HEADING.match(text)
    if numbered and _looks_like_heading(text):
        dots = re.match(r"^(\d+(?:\.\d+)*)", text)
        level = (
            dots.group(1).count(".") + 1 if dots and not text.startswith(("第", "Article")) else 1
        )
        return _Block(text, "heading", level + indent // 2, offset, line)
    item = _ITEM.match(text)
    if item and len(text) > len(item.group(0)):
        content = text[len(item.group(0)) :].strip()
        shift = text.index(content)
        if _looks_like_heading(content) and re.match(r"^\(?\d", item.group("marker")):
            return _Block(content, "heading", 2 + indent // 2, offset + shift, line, True)
        return _Block(content, "item", 9 + indent // 2, offset + shift, line)
    if _looks_like_heading(text) and not re.search(r"[:：]\s*\S", text):
        return _Block(text, "heading", 1 + indent // 2, offset, line)
    return _Block(text, "text", 9, offset, line)


def _looks_like_heading(text: str) -> bool:
    if text.endswith((*_TERMINAL[:2], ":", "：", ";", "；", ",", "、")) or "@" in text:
        return False
    if _DATE_OR_NUMBER.search(text):
        return False
    if _JAPANESE.search(text):
        return len(text) <= 32 and "。" not in text
    if re.match(r"(?i)(?:we|you|our|the company|this|if|when|please|users?)\b", text):
        return False
    words = text.split()
    return 0 < len(words) <= 12 and len(text) <= 80 and not text[:1].islower()


def _inline_markdown(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)", lambda m: _link(m.group(1), m.group(2)), text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"<(https?://[^>]+|[^@\s>]+@[^>\s]+)>", r"\1", text)
    text = re.sub(r"\s*<br\s*/?>\s*", " ｜ ", text, flags=re.IGNORECASE)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1", text)
    # Markdown passes HTML's character references through: "To improve our site &mdash; we …"
    # reads "To improve our site — we …". Only a complete reference, with its semicolon, as
    # CommonMark has it: "?site=1&region=eu&notice=2" in a link stays as written, not "®ion" and
    # "¬ice" (html.unescape alone also reads HTML's legacy references that lack the semicolon)
    return _CHARACTER_REFERENCE.sub(lambda m: html.unescape(m.group()), text).strip()


_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def _link(label: str, target: str) -> str:
    target = target.removeprefix("mailto:").removeprefix("tel:")
    if target.startswith("#"):
        return label  # a link to a place on the same page ("[Do we use cookies?](#cookies)")
    return label if label.strip() == target.strip() else f"{label} ({target})"


class _HtmlBlocks(HTMLParser):
    """Block-level text of an HTML page: headings, list items and paragraphs, in order."""

    BLOCK = {
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "section",
        "article",
        "blockquote",
        "address",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "table",
        "ul",
        "ol",
        "dl",
        "pre",
        "header",
        "footer",
        "main",
        "caption",
        "figcaption",
    }
    SKIP = {"script", "style", "noscript", "template", "svg", "head", "title", "nav", "button"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.parts: list[str] = []
        self.kind = "text"
        self.level = 9
        self.skip = 0
        self.start = 0
        self.lang = ""
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag in self.SKIP:
            self.skip += 1
            return
        if tag in self.BLOCK:
            self._flush()
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self.kind, self.level = "heading", int(tag[1])
            elif tag in {"li", "dd"}:
                self.kind, self.level = "item", 9
            self.start = self.getpos()[0]
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href.removeprefix("mailto:").removeprefix("tel:"))
        if tag in {"td", "th"}:
            self.parts.append(" ｜ ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            target = self.links.pop()
            shown = "".join(self.parts[-3:])
            if (target.startswith(("http", "+", "0")) or "@" in target) and target not in shown:
                self.parts.append(f" ({target})")
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in self.BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.parts)).strip(" ｜")
        if text:
            self.blocks.append(_Block(text, self.kind, self.level, 0, self.start or 1))
        self.parts, self.kind, self.level = [], "text", 9


def blocks_of_html(html: str) -> list[_Block]:
    parser = _HtmlBlocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    text_offset = 0
    for block in parser.blocks:
        block.offset = text_offset
        text_offset += len(block.text) + 1
    return parser.blocks


# --- sentences ---------------------------------------------------------------------------


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; abbreviations such as 'Inc.' and 'e.g.' do not end one."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start or end >= len(text):
            continue
        candidate = text[start:end]
        if _ABBREVIATIONS.search(candidate.rstrip('"”’)')):
            continue
        if candidate.strip():
            pieces.append((start + len(candidate) - len(candidate.lstrip()), candidate.strip()))
        start = end
    rest = text[start:]
    if rest.strip():
        pieces.append((start + len(rest) - len(rest.lstrip()), rest.strip()))
    return pieces


def _plain_headings_are_parents(blocks: list[_Block]) -> bool:
    """Do unnumbered headings head sections whose subsections are numbered 1, 2, ...?

    Policies written as questions ("What do we collect?", then "1. ...", "2. ...") use
    unnumbered headings as parents; article-style policies number the parents instead.
    """
    headings = [b for b in blocks if b.kind == "heading" and b.level < 99]
    starts = 0
    for current, following in itertools.pairwise(headings):
        first = re.match(r"^(?:1[.)]|第[1１一]条|Article 1\b|Section 1\b)", following.text)
        if not (current.numbered or _NUMBERED_HEADING.match(current.text)) and first:
            starts += 1
    return starts >= 2


def sentences_of(blocks: list[_Block], file: str) -> list[Sentence]:
    """Every sentence with its heading path; list items remember the sentence before them."""
    sentences: list[Sentence] = []
    headings: list[tuple[int, str]] = []
    numbered: dict[str, bool] = {}
    plain_parents = _plain_headings_are_parents(blocks)
    lead = ""
    for paragraph, block in enumerate(blocks, start=1):
        if block.kind == "heading":
            level = block.level
            is_numbered = block.numbered or bool(_NUMBERED_HEADING.match(block.text))
            open_numbered = [lvl for lvl, text in headings if numbered.get(text)]
            if plain_parents and block.level < 99:
                level = level + 1 if is_numbered else 1
            elif not is_numbered and open_numbered and open_numbered[-1] >= level:
                level = open_numbered[-1] + 1
            numbered[block.text] = is_numbered
            block.level = level
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            section = tuple(h for _, h in headings)
            headings.append((block.level, block.text))
            sentences.append(
                Sentence(block.text, file, paragraph, block.offset, block.line, "heading", section)
            )
            lead = ""
            continue
        section = tuple(h for _, h in headings)
        parts = split_sentences(block.text)
        for relative, text in parts:
            sentences.append(
                Sentence(
                    text,
                    file,
                    paragraph,
                    block.offset + relative,
                    block.line,
                    block.kind,
                    section,
                    lead if block.kind == "item" or lead.endswith((":", "：")) else "",
                )
            )
        if block.kind == "text" or re.search(
            r"[:：;；]$|following|以下|次の|次に掲げる", block.text
        ):
            lead = block.text
    for index, sentence in enumerate(sentences):
        sentence.index = index
        sentence.first = index == 0 or sentences[index - 1].paragraph != sentence.paragraph
    return sentences
