"""`policykeeper init`: a starter policy.yaml and, from a live database, a drafted datamap.yaml.

The starter policy declares exactly the categories and retention rules the drafted map uses,
so the new project validates at once; the operator replaces the "Example" placeholders.
"""

from __future__ import annotations

from pathlib import Path

from policykeeper.datamap.discovery import discover, render
from policykeeper.datamap.fides import import_fides
from policykeeper.errors import InputError, display_path
from policykeeper.output import write_atomic
from policykeeper.policy.taxonomy import builtin

RULES = {
    "account": (
        "アカウント情報",
        "Account information",
        "clock: account_deletion\n    period: 30 days",
    ),
    "transactions": (
        "取引記録",
        "Transaction records",
        "clock: statutory\n    period: 7 years\n"
        "    statute: {ja: 法人税法（帳簿書類の保存）, en: Corporation Tax Act (books and records)}",
    ),
    "access_logs": ("アクセスログ", "Access logs", "clock: collection\n    period: 12 months"),
}
WHILE_ACTIVE = ("account", ("アカウント情報", "Account information", "clock: account_active"))
"""Without a date column to run a period from: kept while the account exists, erased with it."""
RIGHTS = (
    "notify_purposes",
    "access",
    "third_party_records",
    "portability",
    "rectification",
    "erasure",
    "restriction",
)
"""Every request APPI Art. 32(1)(iii) asks the procedure of, so the starter validates."""


def init_project(
    directory: Path, db: str | None, identity: str | None, fides: Path | None = None
) -> list[Path]:
    """Write the starter files; never overwrite a file that is already there. With a Fides
    dataset (`fides`), the data map is drafted from it instead of from the live schema."""
    if fides is not None and (db is None or identity is not None):
        raise InputError("give --from-fides with --db (the dataset names the identities)")
    if fides is None and (db is None) != (identity is None):
        raise InputError("give --db and --identity together, or neither")
    targets = [directory / "policy.yaml"] + ([directory / "datamap.yaml"] if db else [])
    for target in targets:
        if target.exists():
            raise InputError(f"{display_path(target)} already exists; not overwriting it")
    if fides is not None and db is not None:
        draft = import_fides(fides, db)
    else:
        draft = discover(db, identity, Path.cwd()) if db and identity else None
    categories = draft.categories() if draft else ["user.contact.email"]
    rules = draft.rules() if draft else ["account"]
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(
        directory / "policy.yaml", starter_policy(directory.resolve().name, categories, rules)
    )
    if draft is not None:
        write_atomic(directory / "datamap.yaml", render(draft))
    return targets


def starter_policy(name: str, categories: list[str], rules: list[str]) -> str:
    taxonomy = builtin()
    lines = [
        f"# Starter declaration for {name}: replace the Example names and check every section.",
        "policykeeper: 1",
        f"service: {{name: {name}}}",
        'version: "1"',
        "effective_date: 2026-01-01",
        "languages: {authoritative: ja, published: [ja, en]}",
        "jurisdictions: [appi]",
        "operators:",
        "  - id: operator",
        "    name: {ja: 株式会社Example, en: Example Inc.}",
        '    address: {ja: 東京都千代田区千代田1-1, en: "1-1 Chiyoda, Chiyoda-ku, Tokyo"}',
        "    representative: {ja: 代表 太郎, en: Taro Daihyo}",
        "contacts:",
        "  - id: privacy",
        "    kind: email",
        "    value: privacy@example.com",
        "complaints: {contact: privacy}",
        "security:",
        "  - kind: organizational",
        "    text: {ja: 個人データの取扱いの責任者を定めています。, en: We have a person responsible for personal data.}",
        "categories:",
    ]
    for key in categories:
        label = (
            taxonomy.categories.get(key)
            or taxonomy.categories[taxonomy.builtin_ancestor(key) or "user"]
        )
        lines += [
            f"  - key: {key}",
            f"    label: {{ja: {label.ja}, en: {label.en}}}",
            "    sources: [provided]",
        ]
    lines += [
        "purposes:",
        "  - id: service",
        "    label: {ja: サービスの提供, en: Providing the service}",
        "    uses: [essential.service]",
        f"    categories: [{', '.join(categories)}]",
        "retention:",
    ]
    entries = [
        (rule, RULES.get(rule, (rule, rule, "clock: collection\n    period: 1 year")))
        for rule in rules
    ]
    for rule, (ja, en, body) in entries or [WHILE_ACTIVE]:
        lines += [
            f"  - id: {rule}",
            f"    label: {{ja: {ja}, en: {en}}}",
            f"    {body}",
        ]
    lines.append("rights:")
    for right in RIGHTS:
        lines += [
            f"  - kind: {right}",
            "    channels: [{contact: privacy}]",
            "    verification: [account_login]",
            "    deadline: {period: 2 weeks}",
        ]
    return "\n".join(lines) + "\n"
