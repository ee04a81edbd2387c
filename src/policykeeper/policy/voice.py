"""How the operator names itself in Japanese: the declaration's `self_reference`.

Every Japanese catalogue writes 「当社」 where the operator speaks of itself. A declaration may
name the operator otherwise (当法人 for an association, 当省 for a ministry, 弊社 …); a published
text saying 当社 for them would state a fact the operator never declared, so every catalogue is
read through these helpers before anything is formatted into it. English always says "we".
"""

from __future__ import annotations

from typing import Any

DEFAULT_SELF_REFERENCE = "当社"


def as_declared(text: str, self_reference: str) -> str:
    """`text` with the catalogues' 「当社」 replaced by the declared self-reference."""
    if self_reference == DEFAULT_SELF_REFERENCE:
        return text
    return text.replace(DEFAULT_SELF_REFERENCE, self_reference)


def catalogue_as_declared(node: Any, self_reference: str) -> Any:
    """A loaded catalogue (nested dicts, lists and strings) with every phrase `as_declared`.

    Applied to the catalogue itself, before values are formatted in, so a person's or a
    recipient's own words are never rewritten."""
    if isinstance(node, str):
        return as_declared(node, self_reference)
    if isinstance(node, dict):
        return {key: catalogue_as_declared(value, self_reference) for key, value in node.items()}
    if isinstance(node, list):
        return [catalogue_as_declared(value, self_reference) for value in node]
    return node
