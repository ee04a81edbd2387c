"""A fourth law from outside the package: the README's toy law, copied from the README into a
module of its own and registered through the public registry, is used by validate, by the
request deadlines and by the renderer like the three built in. It runs in a child process so
the registration stays out of the other tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

SCRIPT = """
import json, sys
from datetime import UTC, datetime, timedelta

import toy_law  # registers the law

from policykeeper.policy.laws import law, laws
from policykeeper.policy.loading import load_policy
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.review import review_project
from policykeeper.render import render_policy
from policykeeper.workflow.deadlines import compute_deadlines
from policykeeper.workflow.fees import fee_due
from policykeeper.workflow.settings import WorkflowSettings

directory = sys.argv[1]
problems = review_project(directory)
policy = load_policy(directory)
access = next(r for r in policy.rights if r.kind is RightKind.access)
received = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
toy = Jurisdiction("toy")
due = compute_deadlines(policy, access, [toy], received, WorkflowSettings())
both = compute_deadlines(policy, access, [Jurisdiction.appi, toy], received, WorkflowSettings())
print(json.dumps({
    "laws": [each.key for each in laws()],
    "declared": [j.value for j in policy.jurisdictions],
    "problems": [[p.severity, p.message] for p in problems],
    "due_days": (due.due_at - received) / timedelta(days=1),
    "both_days": (both.due_at - received) / timedelta(days=1),
    "fee": fee_due(access, [toy]) is None,
    "en": render_policy(policy, "en", "md"),
    "ja": render_policy(policy, "ja", "html"),
}))
"""


def _readme_law() -> str:
    text = README.read_text("utf-8")
    start = text.index("## Adding a law")
    section = text[start : text.index("\n## ", start + 5)]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return block


def _project(tmp_path: Path, jurisdictions: list[str]) -> Path:
    directory = tmp_path / "toyland"
    directory.mkdir()
    yaml = YAML()
    policy = yaml.load((ROOT / "examples" / "ainema" / "policy.yaml").read_text("utf-8"))
    policy["jurisdictions"] = jurisdictions
    with (directory / "policy.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(policy, stream)
    return directory


def _run(tmp_path: Path, directory: Path) -> dict:
    (tmp_path / "toy_law.py").write_text(_readme_law(), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_registered_law_is_used_by_validate_deadlines_fees_and_the_renderer(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path, _project(tmp_path, ["appi", "toy"]))
    assert result["laws"] == ["appi", "gdpr", "ccpa", "toy"]
    assert result["declared"] == ["appi", "toy"]
    law_findings = [message for severity, message in result["problems"] if severity == "law"]
    assert "missing: a contact 'dpo' (Toyland Act §3)" in law_findings
    assert "TOY requires an answer within 10 days, not 2 weeks" in law_findings
    assert result["due_days"] == 10
    assert result["both_days"] == 10  # the stricter law wins
    assert result["fee"] is True
    assert "## " in result["en"] and "Toyland Privacy Act" in result["en"]
    assert "People in Toyland may write to our data protection officer." in result["en"]
    assert "トイランド個人情報法" in result["ja"]


def test_a_declaration_without_the_law_is_untouched_by_it(tmp_path: Path) -> None:
    result = _run(tmp_path, _project(tmp_path, ["appi"]))
    assert result["declared"] == ["appi"]
    assert not any("Toyland" in message for _, message in result["problems"])
    assert "Toyland" not in result["en"]


def test_an_unregistered_law_is_refused_with_one_line(tmp_path: Path) -> None:
    directory = _project(tmp_path, ["appi", "toy"])
    done = subprocess.run(
        [sys.executable, "-m", "policykeeper.cli", "validate", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (1, 2)
    assert "toy" in done.stderr and "Traceback" not in done.stderr
