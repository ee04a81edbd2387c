"""The published policy's own headings and row names, by the renderer's stable anchors and ids.

Checks name the section they test by anchor (`trackers`, `retention`, ...) and the row by id;
the words come from the renderer at check time, so the report reads like the policy it tests
even after the policy's wording changes.
"""

from __future__ import annotations

from policykeeper.document import Section
from policykeeper.policy.models import Policy
from policykeeper.policy.types import Lang
from policykeeper.render.build import Builder, build_document
from policykeeper.render.catalog import catalog

LANGS = ("ja", "en")
RECORDS = "records"
"""Not a policy section: PolicyKeeper's own records (the audit chain) that back the rest."""
OWN_HEADINGS = {RECORDS: {"ja": "PolicyKeeperの記録", "en": "PolicyKeeper's records"}}


def headings(policy: Policy) -> dict[str, dict[str, str]]:
    """Anchor → numbered heading per language, exactly as the rendered policy shows them."""
    found: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        for section in _walk(build_document(policy, Lang(lang)).sections):
            title = f"{section.number}. {section.title}" if section.number else section.title
            found.setdefault(section.anchor, {})[lang] = title
    for anchor, own in OWN_HEADINGS.items():
        found.setdefault(anchor, own)
    return found


def _walk(sections: list[Section]) -> list[Section]:
    result = []
    for section in sections:
        result.append(section)
        result += _walk(section.children)
    return result


class Labels:
    """A policy row's name in both languages, worded as the renderer words it."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.builders = {lang: Builder(policy, catalog(Lang(lang))) for lang in LANGS}

    def rule(self, rule_id: str) -> dict[str, str]:
        rule = self.policy.rule(rule_id)
        return {lang: rule.label.get(lang) if rule else rule_id for lang in LANGS}

    def right(self, kind: str) -> dict[str, str]:
        right = self.policy.right(kind)
        return {
            lang: builder.right_title(right) if right else kind
            for lang, builder in self.builders.items()
        }

    def recipient(self, recipient_id: str) -> dict[str, str]:
        return {
            lang: builder.recipient_name(recipient_id) for lang, builder in self.builders.items()
        }

    def category(self, key: str) -> dict[str, str]:
        return {lang: builder.category_label(key) for lang, builder in self.builders.items()}

    @staticmethod
    def plain(text: str) -> dict[str, str]:
        return dict.fromkeys(LANGS, text)
