"""The report's words in Japanese and English: titles, evidence and proposals, from the facts."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from ruamel.yaml import YAML

from policykeeper.checks.report import Check, CheckReport

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

    def evidence(self, check: Check) -> list[tuple[str, str]]:
        labels = self.tree["evidence_labels"]
        return [
            (labels.get(key, key), self.value(key, value))
            for key, value in check.facts.items()
            if key in labels
        ]

    def value(self, key: str, value: Any) -> str:
        values = self.tree["values"]
        if value is None:
            return str(values["none"])
        if isinstance(value, bool):
            return str(values["yes" if value else "no"])
        if key == "runs" or key == "run":
            runs = value if isinstance(value, list) else [value]
            return self.join([self.tree["runs"].get(r, r) for r in runs])
        if key in ("lifetime_days", "oldest_age_days"):
            return str(values["days"]).format(n=value)
        if key in ("within_declared", "within_legal"):
            return str(values["percent"]).format(n=value)
        if isinstance(value, dict):
            if "platform" in value:
                return f"{value['platform']} ({value.get('category', '')}): {value.get('description', '')}"
            return ", ".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, list):
            return self.join([str(v) for v in value]) or str(values["none"])
        return str(value)

    def join(self, items: list[str]) -> str:
        return ("、" if self.lang == "ja" else ", ").join(items)

    def counts(self, report: CheckReport) -> str:
        return self("counts", **report.counts())


@cache
def phrases(lang: str) -> Phrases:
    chosen = lang if lang in LANGS else "en"
    source = files("policykeeper.checks").joinpath("messages", f"{chosen}.yaml")
    return Phrases(chosen, YAML(typ="safe").load(source.read_text("utf-8")))
