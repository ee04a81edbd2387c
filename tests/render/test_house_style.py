"""House style, checked: the Japanese a legal team expects, and English that reads as English.

Japanese: full-width brackets and colons, 〜 in ranges, one spelling of each conjunction per
document, no references to another document's layout (前条, 右欄), in every rendered policy and
in every Japanese string PolicyKeeper ships (pages, emails, the cookie banner). English: no
capital from a label in mid-sentence, tables whose headers match their cells, Japanese script only
where it is the only form and then marked lang="ja", no raw keys or country codes.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest
from render_support import EXAMPLE_NAMES, FORMATS, example, rendered, visible
from ruamel.yaml import YAML

from policykeeper.document import Fields, ItemList, Paragraph, Section, Span, Table
from policykeeper.policy.checks import DANGLING
from policykeeper.policy.script import JAPANESE, has_japanese
from policykeeper.policy.types import Lang, Text
from policykeeper.render import render_policy
from policykeeper.render.build import Builder, build_document
from policykeeper.render.catalog import catalog
from policykeeper.render.style import japanese, japanese_problems, japanese_runs

PACKAGE = Path(str(files("policykeeper")))


# --- the style pass itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("氏名(表示名)", "氏名（表示名）"),
        ("AInema(当社)", "AInema（当社）"),
        ("宛先:ALL IN CO.,LTD.", "宛先：ALL IN CO.,LTD."),
        ("平日10:00~18:00(日本時間)", "平日10:00〜18:00（日本時間）"),
        ("平日10:00-18:00", "平日10:00〜18:00"),
        ("（GDPR:規則(EU)2016/679）", "（GDPR：規則（EU）2016/679）"),
        ("Amazon Web Services (AWS)、Vercel Inc.", "Amazon Web Services (AWS)、Vercel Inc."),
        ("https://ainema.tv と 10:00", "https://ainema.tv と 10:00"),
        ("A および B または C", "A 及び B 又は C"),
        ("No Japanese (here): kept", "No Japanese (here): kept"),
    ],
)
def test_the_japanese_style_pass(before: str, after: str) -> None:
    assert japanese(before) == after
    assert japanese_problems(after, "kanji") == []


def test_the_style_pass_spells_conjunctions_and_times_as_configured() -> None:
    assert japanese("A又はB及びC", conjunctions="kana") == "AまたはBおよびC"
    assert japanese("平日10:00〜18:30", time_ranges="ji") == "平日10時〜18時30分"
    assert japanese("平日10時~18時") == "平日10:00〜18:00"


def test_the_detector_finds_what_the_style_forbids() -> None:
    assert japanese_problems("氏名(表示名)")
    assert japanese_problems("宛先:本社")
    assert japanese_problems("平日10:00~18:00")
    assert japanese_problems("平日10:00-18:00")
    assert japanese_problems("A又はBおよびC") == ["both 又は and および in one document"]
    assert japanese_problems("AおよびB", "kanji") and japanese_problems("A及びB", "kana")
    assert japanese_problems("Amazon Web Services (AWS)、https://a.jp") == []


# --- every rendered policy -------------------------------------------------------------------

PAGES = [(name, fmt) for name in EXAMPLE_NAMES for fmt in FORMATS]


@pytest.mark.parametrize(("name", "fmt"), PAGES)
def test_rendered_japanese_follows_the_house_style(name: str, fmt: str) -> None:
    text = visible(name, "ja", fmt)
    assert japanese_problems(text, example(name).style.conjunctions) == []
    assert not DANGLING["ja"].search(text)


@pytest.mark.parametrize(("name", "fmt"), PAGES)
def test_rendered_english_points_at_no_other_documents_layout(name: str, fmt: str) -> None:
    assert not DANGLING["en"].search(visible(name, "en", fmt))


@pytest.mark.parametrize("spelling", ["kanji", "kana"])
def test_one_spelling_of_each_conjunction_per_document_as_configured(spelling: str) -> None:
    policy = example("allin-studio").model_copy(deep=True)
    policy.style.conjunctions = spelling  # type: ignore[assignment]
    text = render_policy(policy, "ja", "md")
    assert japanese_problems(text, spelling) == []
    assert ("又は" in text) is (spelling == "kanji") and ("または" in text) is (spelling == "kana")


def test_time_ranges_as_configured() -> None:
    policy = example("audiostock").model_copy(deep=True)
    assert "平日10:00〜18:00（日本時間）" in render_policy(policy, "ja", "md")
    policy.style.time_ranges = "ji"
    assert "平日10時〜18時（日本時間）" in render_policy(policy, "ja", "md")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_japanese_name_is_used_where_one_is_declared(name: str) -> None:
    """No romaji in the Japanese text for a person whose Japanese name is declared."""
    policy = example(name)
    names = [o.representative for o in policy.operators]
    names += [policy.privacy_manager.name] if policy.privacy_manager else []
    ja = visible(name, "ja", "md")
    for value in names:
        if isinstance(value, Text) and value.ja and value.en and value.ja != value.en:
            assert value.en not in ja and value.ja in ja


# --- English ---------------------------------------------------------------------------------


class Languages(HTMLParser):
    """Text nodes with Japanese script, and whether an element around them says lang="ja"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.unmarked: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "meta", "link"}:
            return
        self.stack.append(dict(attrs).get("lang"))
        self.skip += tag in {"style", "title"}

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "meta", "link"}:
            return
        self.skip -= tag in {"style", "title"}
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        current = next((lang for lang in reversed(self.stack) if lang), None)
        if not self.skip and JAPANESE.search(data) and current != "ja":
            self.unmarked.append(data.strip())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_japanese_in_an_english_page_is_marked_lang_ja(name: str) -> None:
    parser = Languages()
    parser.feed(rendered(name, "en", "html"))
    assert parser.unmarked == []


def test_a_japanese_only_form_on_an_english_page_is_marked() -> None:
    policy = example("allin-studio")
    html = render_policy(policy, "en", "html")
    assert '<span lang="ja">〒150-0011 東京都渋谷区東1-3-5 MORE-EXCELLENCE 2階</span>' in html
    assert list(japanese_runs("To: 東京都, Japan")) == [
        ("To: ", False),
        ("東京都", True),
        (", Japan", False),
    ]


def label_initial_words(name: str) -> set[str]:
    """First words of the declaration's labels, which must lose their capital mid-sentence."""
    policy = example(name)
    labels: list[Text | None] = [c.label for c in policy.categories]
    labels += [p.label for p in policy.purposes] + [s.label for s in policy.subjects]
    labels += list(policy.changes.channels) if policy.changes else []
    labels += [r.label for r in policy.rights] + list(
        catalog(Lang.en).messages["label"]["role"].values()
    )  # type: ignore[arg-type]
    words = set()
    for label in labels:
        value = label.en if isinstance(label, Text) else label
        first = re.findall(r"[A-Za-z][\w'-]*", value or "")[:1]
        words.update(w for w in first if w[:1].isupper() and not w.isupper())
    return words - Builder(policy, catalog(Lang.en)).proper


def sentences(section: Section) -> list[str]:
    """The running text of a section: paragraphs, list items and field values (not tables)."""
    found = []
    for block in section.blocks:
        lines = []
        if isinstance(block, Paragraph):
            lines = block.lines
        elif isinstance(block, ItemList):
            lines = [i.line for i in block.items] + [c for i in block.items for c in i.children]
        elif isinstance(block, Fields):
            lines = [ln for f in block.fields for ln in f.lines]
        found += ["".join(s.text for s in ln) for ln in lines]
    for child in section.children:
        found += sentences(child)
    return found


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_capital_from_a_label_in_mid_sentence(name: str) -> None:
    words = label_initial_words(name)
    document = build_document(example(name), Lang.en)
    capitals = []
    for text in (s for section in document.sections for s in sentences(section)):
        for part in re.split(r"(?<=[.!?:;])\s+|\s\(|^\W+", text):
            capitals += [w for w in re.findall(r"[A-Za-z][\w'-]*", part)[1:] if w in words]
    assert capitals == []


def test_english_lists_and_sentences_lower_the_labels() -> None:
    text = visible("ainema", "en", "md")
    assert "by announcement on the Service and notification to registered email addresses" in text
    assert "Confirming your registered email address or confirming your account information" in text


class TableShapes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[int]] = []
        self.row = 0
        self.in_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = 0
        elif tag in {"th", "td"}:
            self.row += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self.tables[-1].append(self.row)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_table_has_as_many_headers_as_cells(name: str, lang: str) -> None:
    parser = TableShapes()
    parser.feed(rendered(name, lang, "html"))
    assert parser.tables and all(len(set(rows)) == 1 for rows in parser.tables), parser.tables


def test_the_cookie_table_headers_match_its_cells() -> None:
    """'What is sent, and to whom' is one header, not two (a comma once split it)."""
    for lang in ("ja", "en"):
        columns = catalog(Lang(lang)).columns("trackers")
        assert len(columns) == 6
    assert "What is sent, and to whom" in catalog(Lang.en).columns("trackers")
    with pytest.raises(ValueError, match="6 columns but a row of 5"):
        Table("cookies", catalog(Lang.en).columns("trackers"), [[[[Span("x")]]] * 5])


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_raw_keys_or_country_codes(name: str, lang: str) -> None:
    policy, text = example(name), visible(name, lang, "md")
    names = {t.name for t in policy.trackers if t.label is None}
    keys = {c.key for c in policy.categories} | {
        k for p in policy.purposes for k in p.uses if "." in k
    }
    keys |= {
        i
        for i in [p.id for p in policy.purposes]
        + [r.id for r in policy.recipients]
        + [c.id for c in policy.contacts]
        + [r.id for r in policy.retention]
        + [t.name for t in policy.trackers]
        if re.search(r"[_.-]", i)
    }
    raw = [k for k in keys - names if re.search(rf"(?<![\w./-]){re.escape(k)}(?![\w/-])", text)]
    codes = {c for r in policy.recipients for c in r.countries} | {
        o.country for o in policy.operators if o.country
    }
    raw += [c for c in codes if re.search(rf"(?<![\w-]){c}(?![\w-])", text)]
    assert raw == []


# --- every Japanese string PolicyKeeper ships ------------------------------------------------


def yaml_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in yaml_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in yaml_strings(v)]
    return []


def japanese_text(value: str) -> bool:
    """A string written in Japanese (not an English message naming a Japanese term)."""
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if JAPANESE.match(c)) * 2 > len(letters)


REGEX_SYNTAX = re.compile(r"\(\?|\\[dDsSwWb]|\{\d+,\d*\}")
"""Groups, classes and counted repeats: a pattern that reads text, not text a person reads."""


def python_strings(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and japanese_text(node.value)
        and not REGEX_SYNTAX.search(node.value)
    ]


NOT_SHOWN = {"policy/models.py", "policy/checks.py", "render/style.py", "workflow/letters/pdf.py"}
"""English schema descriptions and validate messages quoting Japanese terms, the style pass's
own examples, and the letter's line-breaking character classes: none is Japanese text a person
reads."""
READS_OTHERS_TEXT = "draft/"
"""The drafter's patterns and lexicon match the company's own policy text; they print nothing."""


def shipped_documents() -> dict[str, list[str]]:
    """Each shipped document's Japanese strings: catalogues, email templates, Python literals."""
    yaml = YAML(typ="safe")
    documents: dict[str, list[str]] = {}
    for path in (
        *sorted(PACKAGE.glob("**/messages/**/ja.yaml")),
        PACKAGE / "policy" / "taxonomy.yaml",
    ):
        strings = yaml_strings(yaml.load(path.read_text("utf-8")))
        documents[str(path.relative_to(PACKAGE))] = [s for s in strings if has_japanese(s)]
    for path in sorted(PACKAGE.glob("**/*.ja.txt.j2")):
        documents[str(path.relative_to(PACKAGE))] = [path.read_text("utf-8")]
    for path in sorted(PACKAGE.glob("**/*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in NOT_SHOWN or relative.startswith(READS_OTHERS_TEXT):
            continue
        found = python_strings(path)
        if found:
            documents[str(path.relative_to(PACKAGE))] = found
    return documents


def test_every_shipped_japanese_string_follows_the_house_style() -> None:
    documents = shipped_documents()
    assert {
        "render/messages/ja.yaml",
        "web/messages/ja.yaml",
        "web/messages/intake/ja.yaml",
        "consent/banner.py",
        "workflow/templates/received.ja.txt.j2",
        "retention/notices.py",
    } <= set(documents)
    problems = {
        f"{name}: {s[:40]!r}": found
        for name, strings in documents.items()
        for s in strings
        if (found := japanese_problems(s))
    }
    mixed = {name: japanese_problems("".join(strings)) for name, strings in documents.items()}
    assert problems == {}
    assert {name: p for name, p in mixed.items() if p} == {}


def test_the_banner_says_always_on_in_house_style() -> None:
    from policykeeper.consent.banner import MESSAGES

    assert MESSAGES["ja"]["necessary"] == "必須のCookie（常に有効）"
