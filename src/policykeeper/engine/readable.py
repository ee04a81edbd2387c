"""The access archive as a person reads it: CSV headers from the declaration's labels, names for
references, times with their zone, and README.html explaining every file in their language.

The machine-readable access.json stays beside it (GDPR Art. 20); this module only presents.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "{service}：ご本人の個人情報の開示",
        "intro": "このファイルは、{service}が保有するお客様の個人情報を、ご請求に基づきまとめたものです。"
        "作成日時：{when}。各CSVファイルは表計算ソフトで開くことができます。",
        "files": "同梱のファイル",
        "file": "ファイル",
        "contents": "内容",
        "rows": "{n}件",
        "columns": "各列の意味",
        "column": "列",
        "meaning": "意味",
        "access_json": "すべての情報を機械で読み取れる形式（JSON）にまとめたものです。"
        "利用目的・提供先・保存期間・取得元も含みます。",
        "consent_json": "同意の記録（同意又は撤回の日時と、その際に表示した文面）",
        "provision_json": "第三者提供の記録",
        "other_file": "{service}のデータベース以外の保管場所から取得した情報",
        "categories": "情報の種類と利用目的・保存期間",
        "purposes": "利用目的",
        "retention": "保存期間",
        "left_out": "安全のため開示の対象外とした情報",
        "left_out_text": "次の項目は、第三者による不正利用を防ぐため、値を記載していません"
        "（ログイン用のトークン、パスワードのハッシュ値等）。",
        "times": "日時はすべて{zone}で記載しています。",
        "reference": "（名称で表示）",
        "if_present": "（記録がある場合のみ同梱）",
        "sep": "、",
        "yes": "はい",
        "no": "いいえ",
    },
    "en": {
        "title": "{service}: your personal data",
        "intro": "This archive holds the personal data {service} keeps about you, gathered for "
        "your request. Made on {when}. Each CSV file opens in a spreadsheet.",
        "files": "Files in this archive",
        "file": "File",
        "contents": "Contents",
        "rows": "{n} rows",
        "columns": "What each column means",
        "column": "Column",
        "meaning": "Meaning",
        "access_json": "Everything in machine-readable form (JSON), with purposes, recipients, "
        "retention periods and sources.",
        "consent_json": "Your consent records (when you gave or withdrew consent, and the text "
        "you were shown)",
        "provision_json": "Records of provision to third parties",
        "other_file": "Data from places other than our database",
        "categories": "Kinds of data, their purposes and retention",
        "purposes": "Purposes",
        "retention": "Retention",
        "left_out": "Left out for your security",
        "left_out_text": "These items are not included, so that no one can misuse them "
        "(sign-in tokens, password hashes and the like).",
        "times": "All times are given in {zone}.",
        "reference": " (shown by name)",
        "if_present": " (only when there are such records)",
        "sep": ", ",
        "yes": "yes",
        "no": "no",
    },
}


@dataclass
class ColumnView:
    """One exported column: its label per language, its category, and how values read."""

    label: dict[str, str | None]
    category: str | None = None
    is_time: bool = False
    names: dict[str, str] = field(default_factory=dict)
    """For a reference column: the referenced row's name by the stored value."""


@dataclass
class TableView:
    label: dict[str, str | None]
    columns: dict[str, ColumnView]
    left_out: list[dict[str, str | None]] = field(default_factory=list)


def local(value: Any, zone: str) -> Any:
    """An ISO time with its offset, shown in the person's zone with the zone's name."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def zone_name(zone: str) -> str:
    """「JST（Asia/Tokyo）」: the abbreviation people know, with the zone it stands for."""
    short = datetime.now(ZoneInfo(zone)).strftime("%Z")
    return f"{short} ({zone})" if short != zone else zone


def csv_text(rows: list[dict[str, Any]], view: TableView | None, lang: str, zone: str) -> str:
    """A table's rows with labelled headers, names for references and local times."""
    columns = list(rows[0]) if rows else []
    headers = headers_of(columns, view, lang)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        out = []
        for column in columns:
            value = row.get(column)
            spec = view.columns.get(column) if view else None
            if spec is not None and spec.names and value is not None:
                value = spec.names.get(str(value), value)
            elif spec is not None and spec.is_time:
                value = local(value, zone)
            if isinstance(value, bool):
                value = WORDS.get(lang, WORDS["en"])["yes" if value else "no"]
            out.append("" if value is None else value)
        writer.writerow(out)
    return "\ufeff" + text.getvalue()


def headers_of(columns: list[str], view: TableView | None, lang: str) -> list[str]:
    """Labels, each once: a label two columns share is told apart by the column's name."""
    labels = []
    for column in columns:
        spec = view.columns.get(column) if view else None
        labels.append((spec.label.get(lang) if spec else None) or column)
    return [
        f"{label} ({column})" if labels.count(label) > 1 and label != column else label
        for label, column in zip(labels, columns, strict=True)
    ]


def readme(
    about: dict[str, Any],
    categories: dict[str, dict[str, Any]],
    tables: dict[str, list[dict[str, Any]]],
    views: dict[str, TableView],
    others: list[str],
    lang: str,
    zone: str,
) -> str:
    """README.html: what each file is, what each column means, and what was left out."""
    w = WORDS.get(lang, WORDS["en"])
    service = (about.get("service") or {}).get(lang) or ""
    made = local(about.get("generated_at"), zone)
    h: list[str] = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(w['title'].format(service=service))}</title>",
        "<style>body{font-family:sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;"
        "line-height:1.6}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;"
        "padding:.25rem .5rem;text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>{escape(w['title'].format(service=service))}</h1>",
        f"<p>{escape(w['intro'].format(service=service, when=made))}</p>",
        f"<p>{escape(w['times'].format(zone=zone_name(zone)))}</p>",
        f"<h2>{escape(w['files'])}</h2><table><tr><th>{w['file']}</th><th>{w['contents']}</th></tr>",
    ]
    for name, rows in tables.items():
        view = views.get(name)
        label = (view.label.get(lang) if view else None) or name
        h.append(
            f"<tr><td>{escape(name)}.csv</td><td>{escape(label)}"
            f"（{escape(w['rows'].format(n=len(rows)))}）</td></tr>"
            if lang == "ja"
            else f"<tr><td>{escape(name)}.csv</td><td>{escape(label)} "
            f"({escape(w['rows'].format(n=len(rows)))})</td></tr>"
        )
    h.append(f"<tr><td>access.json</td><td>{escape(w['access_json'])}</td></tr>")
    for name in others:
        h.append(
            f"<tr><td>{escape(name)}</td><td>{escape(w['other_file'].format(service=service))}</td></tr>"
        )
    for name, key in (
        ("consent.json", "consent_json"),
        ("provision_records.json", "provision_json"),
    ):
        h.append(f"<tr><td>{name}</td><td>{escape(w[key] + w['if_present'])}</td></tr>")
    h.append("</table>")
    h.append(f"<h2>{escape(w['columns'])}</h2>")
    for name, rows in tables.items():
        view = views.get(name)
        columns = list(rows[0]) if rows else []
        h.append(f"<h3>{escape(name)}.csv</h3>")
        h.append(f"<table><tr><th>{w['column']}</th><th>{w['meaning']}</th></tr>")
        for header, column in zip(headers_of(columns, view, lang), columns, strict=True):
            spec = view.columns.get(column) if view else None
            meaning = ""
            if spec is not None and spec.category and spec.category in categories:
                meaning = (categories[spec.category].get("label") or {}).get(lang) or ""
            if spec is not None and spec.names:
                meaning += w["reference"]
            h.append(f"<tr><td>{escape(header)}</td><td>{escape(meaning)}</td></tr>")
        h.append("</table>")
    h.append(f"<h2>{escape(w['categories'])}</h2><dl>")
    for about_category in categories.values():
        label = (about_category.get("label") or {}).get(lang)
        if not label:
            continue
        purposes = w["sep"].join(
            p["label"].get(lang) or "" for p in about_category.get("purposes", [])
        )
        kept = w["sep"].join(
            (r.get("description") or r.get("label") or {}).get(lang) or ""
            for r in about_category.get("retention", [])
        )
        h.append(f"<dt><strong>{escape(label)}</strong></dt>")
        if purposes:
            h.append(f"<dd>{escape(w['purposes'])}：{escape(purposes)}</dd>")
        if kept:
            h.append(f"<dd>{escape(w['retention'])}：{escape(kept)}</dd>")
    h.append("</dl>")
    left_out = [
        item.get(lang) or "" for view in views.values() for item in view.left_out if item.get(lang)
    ]
    if left_out:
        h.append(f"<h2>{escape(w['left_out'])}</h2><p>{escape(w['left_out_text'])}</p><ul>")
        h.extend(f"<li>{escape(item)}</li>" for item in dict.fromkeys(left_out))
        h.append("</ul>")
    h.append("</body></html>")
    html = "\n".join(h)
    return html if lang == "ja" else html.replace("：", ": ")
