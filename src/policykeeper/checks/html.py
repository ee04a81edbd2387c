"""The report as a standalone HTML page (inline CSS, no external requests) in Japanese or English,
under the policy's own headings, and as a fragment for the admin console."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from policykeeper.checks.report import Check, CheckReport
from policykeeper.checks.text import LANGS, phrases
from policykeeper.errors import InputError


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("policykeeper.checks", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def report_css() -> str:
    return files("policykeeper.checks").joinpath("templates", "report.css").read_text("utf-8")


def _context(report: CheckReport, lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise InputError(f"unknown language '{lang}': use one of {', '.join(LANGS)}")
    p = phrases(lang)
    sections = []
    for anchor, checks in report.sections():
        heading = report.headings.get(anchor, {}).get(lang, anchor)
        items = []
        for check in checks:
            items.append(
                {
                    "status": check.status,
                    "mark": check.mark,
                    "mark_label": p(f"mark_label.{check.status}"),
                    "row": _row(check, lang),
                    "title": p.title(check),
                    "evidence": p.evidence(check),
                    "proposals": [
                        {
                            "target": p.target(proposal.target),
                            "draft": proposal.draft,
                            "system": p(f"systems.{proposal.system}") if proposal.system else None,
                        }
                        for proposal in check.proposals
                    ],
                }
            )
        worst = max(items, key=lambda i: ("pass", "unavailable", "warn", "fail").index(i["status"]))
        sections.append(
            {"anchor": anchor, "heading": heading, "items": items, "worst": worst["status"]}
        )
    site = report.scans.get("site")
    data = report.scans.get("data")
    return {
        "lang": lang,
        "p": p,
        "report": report,
        "service": report.service.get(lang, ""),
        "checked_at": report.checked_at.strftime("%Y-%m-%d %H:%M UTC"),
        "status": report.status,
        "sections": sections,
        "site": site,
        "data": data,
    }


def _row(check: Check, lang: str) -> str | None:
    """The policy's name for the row, unless the title already starts with it."""
    row = check.tie.label.get(lang) if check.tie.label else None
    return None if row == check.subject else row


def report_fragment(report: CheckReport, lang: str) -> Markup:
    """The report's body, for a page that brings its own layout (the admin console)."""
    html = _environment().get_template("body.html.j2").render(_context(report, lang))
    return Markup(html)


def render_report(report: CheckReport, lang: str) -> str:
    """A complete standalone HTML document."""
    context = _context(report, lang)
    context["css"] = Markup(report_css())
    context["body"] = report_fragment(report, lang)
    return _environment().get_template("report.html.j2").render(context)
