"""Language for the pages: negotiation (query, cookie, Accept-Language) and the message catalogues.

Each language's wording lives in `messages/<lang>.yaml`, written as native text rather than
translated word for word; this module only looks phrases up and formats dates and numbers. The
Japanese wording names the operator as its declaration does (`self_reference`), so every catalogue
is loaded for one self-reference.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from starlette.requests import Request

from policykeeper.policy.voice import catalogue_as_declared

LANGUAGES = ("ja", "en")
LANG_COOKIE = "pk_lang"


class Messages:
    """The phrases of one language, looked up by dotted key."""

    def __init__(self, lang: str, tree: dict[str, Any]) -> None:
        self.lang = lang
        self.tree = tree

    def __call__(self, key: str, **values: Any) -> str:
        node: Any = self.tree
        for part in key.split("."):
            node = node[part]
        if not isinstance(node, str):
            raise KeyError(key)
        return node.format(**values) if values else node

    def has(self, key: str) -> bool:
        node: Any = self.tree
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return isinstance(node, str)

    def when(self, moment: datetime | None, zone: str) -> str:
        """A moment in the reader's form: 「2026年5月15日 12:00 JST」 / "15 May 2026, 12:00 JST"."""
        if moment is None:
            return ""
        local = moment.astimezone(ZoneInfo(zone))
        return self(
            "format.datetime",
            year=local.year,
            month=local.month,
            day=local.day,
            month_name=self.tree["format"]["months"][local.month - 1],
            time=local.strftime("%H:%M"),
            zone=local.strftime("%Z"),
        )

    def day(self, moment: datetime | None, zone: str) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(ZoneInfo(zone))
        return self(
            "format.date",
            year=local.year,
            month=local.month,
            day=local.day,
            month_name=self.tree["format"]["months"][local.month - 1],
        )


def load_messages(lang: str, we: str, *folder: str) -> Messages:
    """One of the web's catalogues (`messages/<folder…>/<lang>.yaml`), naming the operator `we`."""
    chosen = lang if lang in LANGUAGES else "en"
    source = files("policykeeper.web").joinpath("messages", *folder, f"{chosen}.yaml")
    tree = YAML(typ="safe").load(source.read_text("utf-8"))
    return Messages(chosen, catalogue_as_declared(tree, we))


@cache
def messages(lang: str, we: str) -> Messages:
    """The center's phrases; `we` is the declaration's self_reference."""
    return load_messages(lang, we)


def accepted_languages(header: str) -> list[str]:
    """Primary language tags from Accept-Language, best first (q=0 means 'not this one')."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(request: Request, default: str) -> str:
    """`?lang=` first (the visible switch), then the remembered choice, then the browser's."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    for tag in accepted_languages(request.headers.get("accept-language", "")):
        if tag in LANGUAGES:
            return tag
    return default if default in LANGUAGES else "en"
