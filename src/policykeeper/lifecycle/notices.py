"""The email that tells account holders of a material change, in each published language.

Its text is composed once, when the version is published, from the changes themselves, so
every person is told the same thing however long the mailing takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from policykeeper.lifecycle.diff import Change, describe, messages
from policykeeper.policy.models import Policy
from policykeeper.policy.types import Lang
from policykeeper.records.mailings import Message
from policykeeper.render.catalog import catalog

LISTED = 8
"""Changes listed in the email; the rest are on the history page it links to."""


def notice_message(
    policy: Policy,
    changes: list[Change],
    effective: date,
    lang: str,
    *,
    history_url: str,
    reconsent: dict[str, Any],
) -> Message:
    words = messages(lang)["notice"]
    cat = catalog(Lang(lang))
    service = policy.service.name.get(lang)
    when = cat.date(effective)
    jurisdictions = [j.value for j in policy.jurisdictions]
    shown = [c for c in changes if c.material] + [c for c in changes if not c.material]
    lines = [
        words["greeting"].format(service=service),
        "",
        words["intro"].format(service=service, date=when),
        "",
    ]
    lines += [words["bullet"].format(text=describe(c, lang, jurisdictions)) for c in shown[:LISTED]]
    if len(shown) > LISTED:
        lines.append(words["more"].format(count=len(shown) - LISTED))
    lines += ["", words["link"], history_url, ""]
    if reconsent:
        labels = [
            f"「{p.label.get(lang)}」" if lang == "ja" else p.label.get(lang)
            for key in reconsent
            if (p := policy.purpose(key)) is not None
        ]
        if labels:
            lines += [words["reconsent"].format(purposes=cat.join_and(labels)), ""]
    if getattr(policy.changes, "continued_use_is_acceptance", False):
        lines += [words["acceptance"].format(service=service), ""]
    lines.append(words["why"])
    contact = policy.contact(policy.complaints.contact) or policy.contacts[0]
    if isinstance(contact.value, str) and contact.value != "on_request":
        lines.append(words["contact"].format(contact=contact.value))
    subject = words["subject"].format(service=service, date=when)
    return Message(subject, "\n".join(lines) + "\n")
