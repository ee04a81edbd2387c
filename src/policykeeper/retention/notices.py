"""Notice before an inactive account is deleted: sent once per period of inactivity, recorded.

An account is erased only after its notice has been out for the whole notice period, so a
missed run or a newly enabled rule never deletes an account whose owner was not warned.
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.values import jsonable
from policykeeper.engine.keys import Key
from policykeeper.engine.runtime import Runtime
from policykeeper.policy.models import Clock
from policykeeper.policy.types import Duration
from policykeeper.retention.accounts import AccountRow, due_accounts
from policykeeper.retention.conditions import as_utc
from policykeeper.retention.rules import Sweep
from policykeeper.store import Store
from policykeeper.store.retention_models import RetentionNotice
from policykeeper.workflow.mail import Mailer

EMAIL_CATEGORY = "user.contact.email"
DEFAULT_NOTICE = Duration(30, "day")

SUBJECT = {
    "en": "{service}: your account will be deleted on {date}",
    "ja": "{service}：アカウントは{date}に削除されます",
}
BODY = {
    "en": (
        "Your {service} account has not been used for a long time. Under our privacy policy, "
        "accounts unused for {period} are deleted.\n\n"
        "It will be deleted on or after {date}. To keep it, sign in before then.\n"
    ),
    "ja": (
        "{service}のアカウントは長期間ご利用がありません。プライバシーポリシーに基づき、"
        "{period}ご利用のないアカウントは削除されます。\n\n"
        "{date}以降に削除されます。継続してご利用になる場合は、それまでにログインしてください。\n"
    ),
}


def needs_notice(sweep: Sweep) -> bool:
    return sweep.kind == "erase_account" and sweep.rule.clock is Clock.last_activity


def notice_period(sweep: Sweep, default: Duration | None) -> Duration:
    return sweep.rule.notice_before or default or DEFAULT_NOTICE


@dataclass
class Notices:
    """Sends and checks the notices of one account sweep."""

    rt: Runtime
    sweep: Sweep
    store: Store
    mailer: Mailer | None
    period: Duration
    now: datetime

    def send_due(self, held: set[Key], size: int) -> tuple[int, list[str]]:
        """Warn every account that will be due within the notice period; (sent, problems)."""
        email = _email_column(self.rt, self.sweep.table)
        if email is None:
            return 0, [f"{self.sweep.table} has no column with category {EMAIL_CATEGORY}"]
        ahead = self.period.after(self.now)
        clock = self.sweep.clock
        sent, problems = 0, []
        for page in due_accounts(self.rt, self.sweep, ahead, size, [clock, email]):
            for account in page:
                if account.key in held or self._recorded(account) is not None:
                    continue
                if not account.row.get(email):
                    continue
                if self.mailer is None:
                    problems.append("no mailer configured: notices were not sent")
                    return sent, problems
                try:
                    self._send(account, str(account.row[email]))
                except (OSError, smtplib.SMTPException) as exc:
                    problems.append(
                        f"could not send deletion notices ({exc}); those accounts wait for theirs"
                    )
                    return sent, problems
                sent += 1
        return sent, problems

    def may_erase(self, account: AccountRow) -> bool:
        """True once the notice has been out for the whole notice period."""
        sent_at = self._recorded(account)
        return sent_at is not None and self.period.after(sent_at) <= self.now

    def _send(self, account: AccountRow, address: str) -> None:
        start = as_utc(account.row[self.sweep.clock])
        period = self.sweep.rule.period
        assert start is not None and period is not None and self.mailer is not None
        delete_after = max(period.after(start), self.period.after(self.now))
        policy = self.rt.project.policy
        lang = policy.languages.authoritative.value
        fields = {
            "service": policy.service.name.get(lang),
            "date": delete_after.date().isoformat(),
            "period": str(self.sweep.rule.period),
        }
        with self.store.transaction() as session:
            session.add(
                RetentionNotice(
                    rule=self.sweep.rule.id,
                    table_name=self.sweep.table,
                    row_key=_key(account.key),
                    clock_value=_clock(account.row[self.sweep.clock]),
                    delete_after=delete_after,
                    sent_at=self.now,
                )
            )
            session.flush()
            self.mailer.send(address, SUBJECT[lang].format(**fields), BODY[lang].format(**fields))

    def _recorded(self, account: AccountRow) -> datetime | None:
        with self.store.transaction() as session:
            return session.execute(
                sa.select(RetentionNotice.sent_at).where(
                    RetentionNotice.rule == self.sweep.rule.id,
                    RetentionNotice.table_name == self.sweep.table,
                    RetentionNotice.row_key == _key(account.key),
                    RetentionNotice.clock_value == _clock(account.row.get(self.sweep.clock)),
                )
            ).scalar_one_or_none()


def _email_column(rt: Runtime, table: str) -> str | None:
    for name, column in rt.project.datamap.tables[table].columns.items():
        if column.category == EMAIL_CATEGORY:
            return name
    return None


def _key(key: Key) -> str:
    return json.dumps([jsonable(v) for v in key])


def _clock(value: Any) -> str:
    moment = as_utc(value)
    return moment.isoformat() if moment else ""
