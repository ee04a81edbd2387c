"""The pages file (`--pages FILE`): which pages to scan, and what the policy calls other hosts.

A published policy names cookies and providers, not hostnames, so the hosts a site contacts are
tied to the declaration here: each to a declared tracker, a declared recipient, or the service
itself (`first_party`, e.g. its own CDN).

    pages: [/, /episodes/1]
    hosts:
      cdn.ainema.tv: first_party
      js.stripe.com: {recipient: stripe}
      www.googletagmanager.com: {tracker: _ga}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policykeeper.errors import PagesInvalid, Problem
from policykeeper.policy.models import Policy
from policykeeper.policy.source import read_yaml


@dataclass(frozen=True)
class HostTie:
    """What a host is in the policy's terms: 'first_party', or a tracker name or recipient id."""

    kind: str
    ref: str | None = None


@dataclass
class SitePlan:
    pages: list[str] = field(default_factory=lambda: ["/"])
    hosts: dict[str, HostTie] = field(default_factory=dict)


def load_pages(path: Path, policy: Policy) -> SitePlan:
    """Read and check the file: every tie names something the declaration has."""
    document = read_yaml(path)
    data = document.data
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"pages", "hosts"})
    for key in unknown:
        problems.append(document.problem((key,), f"unknown key '{key}': use pages or hosts"))
    pages = data.get("pages", ["/"])
    if not isinstance(pages, list) or not all(isinstance(p, str) and p for p in pages):
        problems.append(document.problem(("pages",), "pages must be a list of paths or URLs"))
        pages = []
    hosts: dict[str, HostTie] = {}
    raw_hosts = data.get("hosts", {}) or {}
    if not isinstance(raw_hosts, dict):
        problems.append(document.problem(("hosts",), "hosts must map a host to what it is"))
        raw_hosts = {}
    trackers = {t.name for t in policy.trackers}
    for host, tie in raw_hosts.items():
        where = ("hosts", host)
        if tie == "first_party":
            hosts[str(host)] = HostTie("first_party")
        elif (
            isinstance(tie, dict) and len(tie) == 1 and next(iter(tie)) in ("tracker", "recipient")
        ):
            kind, ref = next(iter(tie.items()))
            known = trackers if kind == "tracker" else {r.id for r in policy.recipients}
            if ref not in known:
                problems.append(
                    document.problem(where, f"{host}: policy.yaml declares no {kind} '{ref}'")
                )
            hosts[str(host)] = HostTie(kind, str(ref))
        else:
            problems.append(
                document.problem(
                    where, f"{host}: expected first_party, {{tracker: NAME}} or {{recipient: ID}}"
                )
            )
    if problems:
        raise PagesInvalid(problems)
    return SitePlan([str(p) for p in pages] or ["/"], hosts)
