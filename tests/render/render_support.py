"""Helpers for the render tests: cached renders, visible text, and a declaration with every field set.

`maximal_policy` fills every field of every model from the models themselves, so a field added to
`policy/models.py` appears in it at once; the coverage tests then fail until the renderer shows it.
"""

from __future__ import annotations

import html
import itertools
import re
import types
from collections.abc import Iterator
from datetime import date
from enum import Enum
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from policykeeper.policy import Policy, load_policy
from policykeeper.policy.types import Duration, Text
from policykeeper.render import render_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/policy.yaml"))
LANGS = ("ja", "en")
FORMATS = ("html", "md")


@cache
def example(name: str) -> Policy:
    return load_policy(EXAMPLES / name)


@cache
def rendered(name: str, lang: str, fmt: str) -> str:
    return render_policy(example(name), lang, fmt)


@cache
def visible(name: str, lang: str, fmt: str) -> str:
    """What a reader sees, whitespace collapsed, for substring checks."""
    return visible_text(rendered(name, lang, fmt), fmt)


def visible_text(output: str, fmt: str) -> str:
    return text_of_html(output) if fmt == "html" else text_of_markdown(output)


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "title"}:
            self._skip += 1
        if tag in {"br", "p", "li", "td", "th", "dt", "dd", "div", "h1", "h2", "h3", "h4"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "title"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of_html(output: str) -> str:
    parser = _TextParser()
    parser.feed(output)
    return normalize("".join(parser.parts))


def text_of_markdown(output: str) -> str:
    text = output.replace("<br>", " ")
    text = re.sub(r"(?<!\\)\[((?:\\.|[^\]])*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = text.replace("**", "")
    return normalize(html.unescape(text))


# --- a declaration with every field set --------------------------------------------------

CATEGORY_KEYS = ("user.contact.email", "user.device.ip_address", "user.health", "user.name")
COUNTRIES = ("US", "DE", "JP", "SG")
UNITS = ("day", "week", "month", "year")


_UNSET = object()
# Fields whose other value would take text out of the published policy on purpose: a retention
# rule with `published: false` is bound and swept but never rendered (tested on its own in
# tests/render/test_not_stated.py), so the maximal declaration publishes all of its rules.
FIXED: dict[str, Any] = {"RetentionRule.published": True}


class Maximal:
    """Builds a Policy with every field filled; remembers each marker text it placed."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.texts: list[Text] = []
        self.strings: list[str] = []
        self.durations: list[Duration] = []
        self.dates: list[date] = []

    def build(self, model: type[BaseModel], index: int = 0) -> Any:
        values = {
            name: FIXED.get(f"{model.__name__}.{name}", _UNSET) for name in model.model_fields
        }
        values = {
            name: self.value(info.annotation, list(info.metadata), index)
            if values[name] is _UNSET
            else values[name]
            for name, info in model.model_fields.items()
        }
        return model.model_validate(values)

    def value(self, annotation: Any, metadata: list[Any], index: int) -> Any:
        origin = get_origin(annotation)
        if origin is Annotated:
            base, *extra = get_args(annotation)
            return self.value(base, metadata + extra, index)
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            chosen = next((a for a in options if get_origin(a) is not Literal), options[0])
            return self.value(chosen, metadata, index)
        if origin is Literal:
            choices = get_args(annotation)
            return choices[index % len(choices)]
        if origin is list:
            (item,) = get_args(annotation)
            return [self.value(item, [], i) for i in range(_count(item))]
        if origin is dict:
            key, item = get_args(annotation)
            return {member: self.value(item, [], i) for i, member in enumerate(key)}
        if annotation is Text:
            number = next(self.counter)
            text = Text(ja=f"JA{number}Q", en=f"EN{number}Q")
            self.texts.append(text)
            return text
        if annotation is str:
            return self.string(metadata, index)
        if annotation is bool:
            return index % 2 == 0
        if annotation is int:
            return 2 + index
        if annotation is date:
            value = date(2025, 1 + index % 12, 1 + index % 28)
            self.dates.append(value)
            return value
        if annotation is Duration:
            value = Duration(2 + next(self.counter) % 40, UNITS[index % len(UNITS)])
            self.durations.append(value)
            return value
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            members = list(annotation)
            return members[index % len(members)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.build(annotation, index)
        raise TypeError(f"no sample value for {annotation!r}")

    def string(self, metadata: list[Any], index: int) -> str:
        pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
        if pattern is None:
            value = f"S{next(self.counter)}Q"
            self.strings.append(value)
            return value
        if "A-Z" in pattern:
            return COUNTRIES[index % len(COUNTRIES)]
        if r"\." in pattern:
            return CATEGORY_KEYS[index % len(CATEGORY_KEYS)]
        return f"ref{next(self.counter)}"


def _count(item: Any) -> int:
    """Enough list items that every enum or literal value of the item appears at least once."""
    if get_origin(item) is Annotated:
        item = get_args(item)[0]
    if get_origin(item) is Literal:
        return len(get_args(item))
    if isinstance(item, type) and issubclass(item, Enum):
        return len(item)
    if isinstance(item, type) and issubclass(item, BaseModel) and item is not Text:
        sizes = [_choices(info.annotation) for info in item.model_fields.values()]
        return max([2, *sizes])
    return 2


def _choices(annotation: Any) -> int:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, Annotated):
        return max(_choices(a) for a in get_args(annotation))
    if origin is Literal:
        return len(get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return len(annotation)
    return 0


@cache
def maximal() -> tuple[Policy, Maximal]:
    builder = Maximal()
    return builder.build(Policy), builder


@cache
def maximal_visible(lang: str, fmt: str) -> str:
    policy, _ = maximal()
    return visible_text(render_policy(policy, lang, fmt), fmt)


def models() -> Iterator[type[BaseModel]]:
    """Every declaration model reachable from Policy, Text excluded."""
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = [Policy]
    while pending:
        model = pending.pop()
        if model in seen or model is Text:
            continue
        seen.add(model)
        yield model
        for info in model.model_fields.values():
            pending.extend(nested_models(info.annotation))


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in nested_models(arg)]


def mentions(annotation: Any, kind: Any) -> bool:
    """Does the annotation contain `kind` anywhere (in a list, a union, an Annotated)?"""
    if annotation is kind:
        return True
    return any(mentions(arg, kind) for arg in get_args(annotation))


def enum_or_literal(annotation: Any) -> bool:
    """Is there an enum or literal in the annotation, other than 'on_request'?"""
    if get_origin(annotation) is Literal:
        return get_args(annotation) != ("on_request",)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return True
    return any(enum_or_literal(arg) for arg in get_args(annotation))


def members(annotation: Any) -> list[str]:
    """The values of every enum or literal in the annotation (on_request excluded)."""
    if get_origin(annotation) is Literal:
        return [str(v) for v in get_args(annotation) if v != "on_request"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [m.value for m in annotation]
    return [m for arg in get_args(annotation) for m in members(arg)]
