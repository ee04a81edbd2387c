"""The report's words in Japanese and English: titles, evidence and proposals, from the facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from ruamel.yaml import YAML

from policykeeper.checks.report import Check, CheckReport
from policykeeper.checks.sitescan import RUNS
from policykeeper.policy.types import Duration, Lang
from policykeeper.render.catalog import catalog

LANGS = ("ja", "en")


class Phrases:
    def __init__(self, lang: str, tree: dict[str, Any]) -> None:
        self.lang = lang
        self.tree = tree

    def __call__(self, key: str, **values: Any) -> str:
        node: Any = self.tree
        for part in key.split("."):
            node = node[part]
        return str(node).format(**values) if values else str(node)

    def target(self, name: str) -> str:
        """Where a proposal goes; file names hold dots, so not a dotted key."""
        return str(self.tree["targets"][name])

    def title(self, check: Check) -> str:
        kind = self.tree["kinds"][check.kind]
        phrase = kind.get(check.status) or kind.get("title") or kind.get("fail")
        return str(phrase).format(subject=check.subject)

    def line(self, report: CheckReport, check: Check) -> str:
        """One finding on one line, for the terminal and emails: mark, section, title, and the
        run it was seen in when a check is per run."""
        section = report.headings.get(check.tie.section, {}).get(self.lang, check.tie.section)
        title = self.title(check)
        if check.facts.get("run"):
            title += self("run_note", run=self.value("run", check.facts["run"]))
        return f"{check.mark} {section}{self('colon')}{title}"

    def evidence(self, check: Check) -> list[tuple[str, str]]:
        labels = self.tree["evidence_labels"]
        return [
            (labels.get(key, key), self.value(key, value))
            for key, value in check.facts.items()
            if key in labels
        ]

    def value(self, key: str, value: Any) -> str:
        values = self.tree["values"]
        if key == "lifetime_days":
            return self._lifetime(value)
        if value is None:
            return str(values["none"])
        if isinstance(value, bool):
            return str(values["yes" if value else "no"])
        if key == "runs" or key == "run":
            runs = value if isinstance(value, list) else [value]
            ordered = sorted(runs, key=lambda r: RUNS.index(r) if r in RUNS else len(RUNS))
            return self.join([self.tree["runs"].get(r, r) for r in ordered])
        if key == "oldest_age_days":
            return str(values["days"]).format(n=value)
        if key in ("within_declared", "within_legal"):
            return str(values["percent"]).format(n=value)
        if key in ("period", "deadline"):
            return self.period(str(value))
        if key == "recorded_at":
            return _moment(str(value))
        if key in ("record", "how", "storage") and str(value) in values.get(key, {}):
            return str(values[key][value])
        if isinstance(value, dict):
            if "platform" in value:
                return self._catalogue(value)
            return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
        if isinstance(value, list):
            return self.join([str(v) for v in value]) or str(values["none"])
        return str(value)

    def period(self, text: str) -> str:
        """A declared period ('7 years') as the rendered policy words it (「7年」)."""
        try:
            return catalog(Lang(self.lang)).duration(Duration.parse(text))
        except ValueError:
            return text

    def _lifetime(self, days: Any) -> str:
        values = self.tree["values"]
        if days is None:
            return str(values["session"])
        return str(values["days"]).format(n=f"{round(float(days), 1):g}")

    def _catalogue(self, entry: dict[str, Any]) -> str:
        category = str(entry.get("category", ""))
        named = self.tree["catalogue_categories"].get(category, category)
        return self("catalogue_entry", platform=entry["platform"], category=named).rstrip() + (
            f"{self('colon')}{entry['description']}" if entry.get("description") else ""
        )

    def join(self, items: list[str]) -> str:
        return ("、" if self.lang == "ja" else ", ").join(items)

    def counts(self, report: CheckReport) -> str:
        return self("counts", **report.counts())


def _moment(text: str) -> str:
    """An ISO timestamp as the report shows times: 2026-03-02 09:00 UTC."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return text


def _plain(value: Any) -> str:
    """A served JSON value as JSON writes it (true, not Python's True)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, bool | None) else str(value)


@cache
def phrases(lang: str) -> Phrases:
    chosen = lang if lang in LANGS else "en"
    source = files("policykeeper.checks").joinpath("messages", f"{chosen}.yaml")
    return Phrases(chosen, YAML(typ="safe").load(source.read_text("utf-8")))
