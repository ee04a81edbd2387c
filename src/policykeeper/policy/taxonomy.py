"""The built-in taxonomy of data categories and data uses, with labels in Japanese and English."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ruamel.yaml import YAML

from policykeeper.policy.types import Text


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, Text]
    uses: dict[str, Text]
    sensitive: frozenset[str]
    opt_out_uses: frozenset[str]

    def is_category(self, key: str) -> bool:
        return key in self.categories

    def builtin_ancestor(self, key: str) -> str | None:
        """The nearest built-in key at or above `key`, so a service can add its own under one."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self.categories:
                return candidate
        return None

    def is_sensitive(self, key: str) -> bool:
        return any(key == s or key.startswith(s + ".") for s in self.sensitive)

    def is_use(self, key: str) -> bool:
        return key in self.uses

    def is_opt_out_use(self, key: str) -> bool:
        """Does GPC (and a CCPA opt-out) cover this data use?"""
        return any(key == u or key.startswith(u + ".") for u in self.opt_out_uses)


@cache
def builtin() -> Taxonomy:
    raw = YAML(typ="safe").load(
        files("policykeeper.policy").joinpath("taxonomy.yaml").read_text("utf-8")
    )

    def labelled(section: dict[str, list[str]]) -> dict[str, Text]:
        return {key: Text(ja=ja, en=en) for key, (ja, en) in section.items()}

    return Taxonomy(
        categories=labelled(raw["categories"]),
        uses=labelled(raw["uses"]),
        sensitive=frozenset(raw["sensitive"]),
        opt_out_uses=frozenset(raw["opt_out_uses"]),
    )
