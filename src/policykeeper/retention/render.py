"""The retention plan as a table for people; `--json` gives the same facts to programs."""

from __future__ import annotations

from rich.table import Table

from policykeeper.retention.plan import RetentionPlan


def plan_table(plan: RetentionPlan) -> Table:
    table = Table(title=f"Retention as of {plan.as_of:%Y-%m-%d %H:%M} UTC")
    headings = (
        "rule",
        "table.clock",
        "period",
        "action",
        "due",
        "held",
        "kept",
        "notice",
        "next due",
    )
    for heading in headings:
        right = heading in ("due", "held", "kept", "notice")
        table.add_column(heading, justify="right" if right else "left")
    for item in plan.sweeps:
        data = item.to_json()
        held = item.held + item.kept_longer
        kept = item.waiting_with + sum(k.rows for k in item.kept_for)
        table.add_row(
            item.sweep.rule.id,
            f"{item.sweep.table}.{item.sweep.clock}",
            data["period"],
            item.sweep.kind.replace("_", " "),
            str(item.due),
            str(held) if held else "",
            str(kept) if kept else "",
            str(item.awaiting_notice) if item.awaiting_notice else "",
            item.next_due.strftime("%Y-%m-%d") if item.next_due else "",
        )
    for rule in plan.unswept:
        table.add_row(rule.rule.id, "", str(rule.rule.period or ""), rule.how, *[""] * 5)
    return table
