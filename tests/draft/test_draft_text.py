"""Reading a policy: formats, sentences, sections and positions."""

from __future__ import annotations

from draft_kit import write

from policykeeper.draft.sources import read_source
from policykeeper.draft.text import split_sentences


def test_abbreviations_do_not_end_a_sentence() -> None:
    parts = [
        text
        for _, text in split_sentences(
            "ALL IN CO.,LTD. (the Company) sets rules, e.g. these. Done."
        )
    ]
    assert parts == ["ALL IN CO.,LTD. (the Company) sets rules, e.g. these.", "Done."]


def test_japanese_sentences_split_after_the_full_stop() -> None:
    parts = [text for _, text in split_sentences("当社は取得します。利用目的は次のとおりです。")]
    assert parts == ["当社は取得します。", "利用目的は次のとおりです。"]


def test_plain_text_keeps_numbered_sections_and_offsets(tmp_path) -> None:
    text = "Privacy Policy\n1. Information We Collect\n- Email address\n2. Contact\nEmail: a@example.com\n"
    source = read_source(write(tmp_path, "p.txt", text))
    item = next(s for s in source.sentences if s.text == "Email address")
    assert item.kind == "item"
    assert item.section[-1] == "1. Information We Collect"
    assert text[item.offset : item.offset + len(item.text)] == "Email address"
    assert item.line == 3


def test_markdown_headings_tables_and_links(tmp_path) -> None:
    text = (
        "# Policy\n\n## Cookies\n\n| Name | Purpose |\n| --- | --- |\n| **sid** | Login |\n\n"
        "Write to [our desk](mailto:privacy@example.com).\n"
    )
    source = read_source(write(tmp_path, "p.md", text))
    row = next(s for s in source.sentences if "sid" in s.text)
    assert row.kind == "item" and row.section == ("Policy", "Cookies", "Name ｜ Purpose")
    assert any("privacy@example.com" in s.text for s in source.sentences)


def test_html_blocks_and_language(tmp_path) -> None:
    html = (
        '<html lang="ja"><head><title>x</title><script>var a="取得";</script></head><body>'
        "<h1>プライバシーポリシー</h1><h2>取得する情報</h2><ul><li>メールアドレス</li></ul>"
        "<p>当社は、IPアドレスを取得します。</p></body></html>"
    )
    source = read_source(write(tmp_path, "p.html", html))
    assert source.format == "html" and source.lang == "ja"
    texts = [s.text for s in source.sentences]
    assert "var a" not in " ".join(texts)
    item = next(s for s in source.sentences if s.text == "メールアドレス")
    assert item.kind == "item" and item.section == ("プライバシーポリシー", "取得する情報")


def test_shift_jis_is_read(tmp_path) -> None:
    path = tmp_path / "sjis.txt"
    path.write_bytes("当社は、氏名を取得します。\n".encode("cp932"))
    assert read_source(str(path)).sentences[0].text == "当社は、氏名を取得します。"
