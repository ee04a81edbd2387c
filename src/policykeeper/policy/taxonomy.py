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
    appi_sensitive: frozenset[str]
    """要配慮個人情報: APPI Art. 2(3) and Cabinet Order Art. 2, a closed list."""
    gdpr_special: frozenset[str]
    """GDPR Art. 9 special categories."""
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
        """Special-care data under either law."""
        return self.is_appi_sensitive(key) or self.is_gdpr_special(key)

    def is_appi_sensitive(self, key: str) -> bool:
        return _under(key, self.appi_sensitive)

    def is_gdpr_special(self, key: str) -> bool:
        return _under(key, self.gdpr_special)

    def is_use(self, key: str) -> bool:
        return key in self.uses

    def is_opt_out_use(self, key: str) -> bool:
        """Does GPC (and a CCPA opt-out) cover this data use?"""
        return _under(key, self.opt_out_uses)


def _under(key: str, roots: frozenset[str]) -> bool:
    return any(key == root or key.startswith(root + ".") for root in roots)


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
        appi_sensitive=frozenset(raw["appi_sensitive"]),
        gdpr_special=frozenset(raw["gdpr_special"]),
        opt_out_uses=frozenset(raw["opt_out_uses"]),
    )
