"""Wording of the records in each language: phrases from `messages/<lang>.yaml`, and dates,
periods and category lists formatted as the policy renderer formats them.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML

from policykeeper.policy.models import Policy
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang
from policykeeper.policy.voice import catalogue_as_declared
from policykeeper.render.catalog import Catalog, catalog

JAPAN = ZoneInfo("Asia/Tokyo")


class Words:
    """The phrases of one language, with the renderer's formats for values."""

    def __init__(self, lang: str, tree: dict[str, Any]) -> None:
        self.lang = lang
        self.tree = tree
        self.cat: Catalog = catalog(Lang(lang))

    def __call__(self, key: str, **values: Any) -> Any:
        node: Any = self.tree
        for part in key.split("."):
            node = node[part]
        return node.format(**values) if values and isinstance(node, str) else node

    def cause(self, cause: str) -> str:
        return str(self.tree["cause"].get(cause, cause))

    def day(self, moment: datetime | None, zone: ZoneInfo = JAPAN) -> str:
        return self.cat.date(moment.astimezone(zone).date()) if moment is not None else ""

    def span(self, start: datetime | None, end: datetime | None) -> str:
        return str(self("report.period", start=self.day(start), end=self.day(end)))

    def category(self, policy: Policy, key: str) -> str:
        declared = policy.category(key)
        if declared is not None:
            return declared.label.get(self.lang)
        parents = [c for c in policy.categories if policy.covers(c.key, key)]
        if parents:
            return max(parents, key=lambda c: len(c.key)).label.get(self.lang)
        label = builtin().categories.get(key)
        return label.get(self.lang) if label is not None else key

    def categories(self, policy: Policy, keys: list[str]) -> str:
        labels = list(dict.fromkeys(self.category(policy, key) for key in keys))
        return self.cat.join(labels)


@cache
def words(lang: str, we: str) -> Words:
    """The records' phrases; `we` is the declaration's self_reference (当社, 当法人 …)."""
    chosen = lang if lang in ("ja", "en") else "en"
    source = files("policykeeper.records").joinpath("messages", f"{chosen}.yaml")
    tree = YAML(typ="safe").load(source.read_text("utf-8"))
    return Words(chosen, catalogue_as_declared(tree, we))
