"""The leak register beyond the headline case: who counts (through `via` joins, both people of
a tip, encrypted data exempt), what is not reportable, the final report rolled past a holiday,
the GDPR's 72 hours, and the rules of the actions (reports, announcements, closing).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from records_kit import EXAMPLES, copy_ainema, query

from policykeeper.examples.generation import generate
from policykeeper.project import load_project
from policykeeper.records.incidents import (
    IncidentClocks,
    NewIncident,
    announce,
    close,
    deadlines,
    record_incident,
    record_report,
)
from policykeeper.store import Store
from policykeeper.workflow.errors import Conflict, Invalid

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def ainema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    return copy_ainema(tmp_path, 60, monkeypatch)


def incident(**fields: Any) -> NewIncident:
    base: dict[str, Any] = {
        "title": "誤送信",
        "discovered_at": "2026-05-01T10:00:00+09:00",
        "cause": "misdelivery",
        "texts": {"ja": {"summary": "メールを誤った宛先に送信しました。"}},
    }
    return NewIncident.model_validate(base | fields)


def test_a_small_misdelivery_is_recorded_but_not_reportable(
    ainema: tuple[Path, str], store: Store
) -> None:
    project, _ = ainema
    found = record_incident(
        load_project(project),
        store,
        incident(tables=[{"table": "users", "columns": ["email"], "where": {"id": [1, 2, 3]}}]),
        now=NOW,
        actor="staff:alice",
    )
    assert found.persons == 3 and found.categories == ["user.contact.email"]
    assert found.appi_reportable is False and found.assessment["appi"]["reasons"] == []
    assert (found.preliminary_due, found.final_due, found.gdpr_due) == (None, None, None)
    with pytest.raises(Conflict, match="no preliminary report"):
        record_report(store, found.id, "preliminary", at=NOW, now=NOW, actor="staff:alice")
    assert close(store, found.id, now=NOW, actor="staff:alice").state == "closed"


def test_rows_of_other_tables_count_the_people_they_belong_to(
    ainema: tuple[Path, str], store: Store
) -> None:
    project, url = ainema
    week = {"from": "2026-02-01T00:00:00", "until": "2026-02-08T00:00:00"}
    logs = record_incident(
        load_project(project),
        store,
        incident(tables=[{"table": "access_logs", "where": {"created_at": week}}]),
        now=NOW,
        actor="t",
    )
    (people,) = query(
        url,
        "SELECT COUNT(DISTINCT user_id) FROM access_logs WHERE created_at >= :a AND created_at < :b",
        a=datetime(2026, 2, 1),
        b=datetime(2026, 2, 8),
    )[0]
    assert logs.persons == people and 0 < people < 60
    assert set(logs.categories) == {
        "user.device.ip_address",
        "user.device.browser",
        "user.behavior.browsing_history",
    }
    tips = record_incident(
        load_project(project), store, incident(tables=[{"table": "tips"}]), now=NOW, actor="t"
    )
    senders = {r[0] for r in query(url, "SELECT from_user_id FROM tips")}
    creators = {
        r[0]
        for r in query(
            url, "SELECT c.user_id FROM tips t JOIN creator_profiles c ON c.id = t.to_creator_id"
        )
    }
    assert tips.persons == len(senders | creators) > len(senders)


def test_encrypted_data_counts_but_is_exempt_and_card_data_is_financial(
    ainema: tuple[Path, str], store: Store
) -> None:
    project, _ = ainema
    encrypted = record_incident(
        load_project(project),
        store,
        incident(
            cause="unauthorized_access",
            tables=[{"table": "users", "columns": ["email"], "encrypted": True}],
        ),
        now=NOW,
        actor="t",
    )
    assert encrypted.persons == 60 and encrypted.appi_reportable is False
    cards = record_incident(
        load_project(project),
        store,
        incident(
            cause="loss",
            elsewhere=[
                {
                    "name": "Stripe",
                    "recipient": "stripe",
                    "categories": ["user.financial.credit_card"],
                    "persons": 4,
                }
            ],
        ),
        now=NOW,
        actor="t",
    )
    assert cards.persons == 0 and cards.persons_elsewhere == 4
    assert cards.assessment["appi"]["reasons"] == ["financial"]
    assert cards.final_due == datetime(2026, 5, 31, 23, 59, 59, tzinfo=TOKYO) + timedelta(
        days=1
    )  # day 30 is a Sunday: due on Monday 1 June


def test_final_report_rolls_past_holidays_and_the_year_end_closure() -> None:
    reportable = {"appi": {"reportable": True}, "wrongful": False, "gdpr": None}
    clocks = IncidentClocks()
    year_end = deadlines(datetime(2026, 11, 30, 12, 0, tzinfo=TOKYO), reportable, clocks)
    assert year_end["final"] == datetime(2027, 1, 4, 23, 59, 59, tzinfo=TOKYO)  # 30 Dec → 4 Jan
    flat = deadlines(
        datetime(2026, 11, 30, 12, 0, tzinfo=TOKYO),
        reportable,
        IncidentClocks(roll_final_to_business_day=False, preliminary_by=4),
    )
    assert flat["final"] == datetime(2026, 12, 30, 23, 59, 59, tzinfo=TOKYO)
    assert flat["preliminary"] == datetime(2026, 12, 4, 23, 59, 59, tzinfo=TOKYO)


def test_reports_announcements_and_closing_follow_the_rules(
    ainema: tuple[Path, str], store: Store
) -> None:
    project, _ = ainema
    found = record_incident(
        load_project(project),
        store,
        incident(cause="unauthorized_access", tables=[{"table": "users", "columns": ["email"]}]),
        now=NOW,
        actor="t",
    )
    assert found.assessment["appi"]["reasons"] == ["wrongful_purpose"]
    with pytest.raises(Invalid, match="in the future"):
        record_report(
            store, found.id, "preliminary", at=NOW + timedelta(hours=1), now=NOW, actor="t"
        )
    record_report(store, found.id, "preliminary", at=NOW, now=NOW, actor="t")
    with pytest.raises(Conflict, match="already recorded"):
        record_report(store, found.id, "preliminary", at=NOW, now=NOW, actor="t")
    with pytest.raises(Conflict, match="final report"):
        close(store, found.id, now=NOW, actor="t")
    with pytest.raises(Invalid, match="needs where it was published"):
        announce(store, found.id, now=NOW, actor="t", url="", reason="連絡先不明")
    announced = announce(
        store,
        found.id,
        now=NOW,
        actor="t",
        url="https://ainema.tv/news/1",
        reason="退会済みの方の連絡先が残っていないため",
    )
    assert announced.announcement and announced.announcement["url"] == "https://ainema.tv/news/1"
    record_report(store, found.id, "final", at=NOW, now=NOW, actor="t")
    assert close(store, found.id, now=NOW, actor="t").state == "closed"


def test_bad_scopes_are_refused_with_one_clear_line(ainema: tuple[Path, str], store: Store) -> None:
    project = load_project(ainema[0])
    for scope, message in (
        ({"table": "episodes"}, "'episodes' holds no one's own rows"),
        ({"table": "nope"}, "the data map has no table 'nope'"),
        ({"table": "users", "columns": ["shoe_size"]}, "'users' has no column 'shoe_size'"),
        ({"table": "users", "where": {"id": {"from": "abc"}}}, "users.id:"),
    ):
        with pytest.raises(Invalid, match=message):
            record_incident(project, store, incident(tables=[scope]), now=NOW, actor="t")


def test_gdpr_breach_clock_is_72_hours_unless_unlikely_to_be_a_risk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    project = tmp_path / "jasminai"
    shutil.copytree(EXAMPLES / "jasminai", project, ignore=shutil.ignore_patterns("*.sqlite3"))
    url = f"sqlite:///{tmp_path / 'jasminai.sqlite3'}"
    generate("jasminai", url, 10, progress=False)
    monkeypatch.setenv("JASMINAI_DATABASE_URL", url)
    scope = [{"table": "members", "columns": ["email", "sexual_preferences"]}]
    breach = record_incident(
        load_project(project), store, incident(tables=scope), now=NOW, actor="t"
    )
    assert breach.appi_reportable is False and breach.assessment["appi"]["applies"] is False
    assert breach.gdpr_reportable is True
    assert breach.gdpr_due == datetime(2026, 5, 4, 10, 0, tzinfo=TOKYO)
    assert breach.preliminary_due is None and breach.final_due is None
    unlikely = record_incident(
        load_project(project),
        store,
        incident(tables=scope, gdpr_risk="unlikely"),
        now=NOW,
        actor="t",
    )
    assert unlikely.gdpr_reportable is False and unlikely.gdpr_due is None


def test_sensitive_personal_information_is_the_appi_list_not_every_special_category(
    ainema: tuple[Path, str], store: Store
) -> None:
    project = load_project(ainema[0])

    def reasons(key: str) -> list[str]:
        elsewhere = [{"name": "Backup", "categories": [key], "persons": 2}]
        found = record_incident(project, store, incident(elsewhere=elsewhere), now=NOW, actor="t")
        return list(found.assessment["appi"]["reasons"])

    assert reasons("user.health.medical_history") == ["sensitive"]
    assert reasons("user.criminal_history") == ["sensitive"]
    assert reasons("user.demographic.sexual_orientation") == []  # GDPR Art. 9, not 要配慮
    assert reasons("user.contact.email") == []


def test_clock_levels_move_from_on_time_to_due_soon_to_overdue(
    ainema: tuple[Path, str], store: Store
) -> None:
    from policykeeper.records.incidents import clock_states

    found = record_incident(
        load_project(ainema[0]),
        store,
        incident(cause="theft", tables=[{"table": "users", "columns": ["email"]}]),
        now=NOW,
        actor="t",
    )
    clocks = IncidentClocks()

    def levels(at: datetime) -> dict[str, str]:
        return {s.stage: s.level for s in clock_states(found, at, clocks)}

    assert levels(NOW) == {"preliminary": "on_time", "final": "on_time"}
    assert levels(datetime(2026, 5, 4, 9, 0, tzinfo=TOKYO))["preliminary"] == "soon"
    assert levels(datetime(2026, 5, 7, 0, 0, tzinfo=TOKYO))["preliminary"] == "overdue"
    assert levels(datetime(2026, 6, 28, 0, 0, tzinfo=TOKYO))["final"] == "soon"
    record_report(store, found.id, "preliminary", at=NOW, now=NOW, actor="t")
    reported = next(s for s in clock_states(load(store, found.id), NOW, clocks))
    assert reported.level == "done"


def load(store: Store, incident_id: str):  # type: ignore[no-untyped-def]
    from policykeeper.records.incidents import get_incident

    return get_incident(store, incident_id)


def test_every_affected_person_is_told_and_the_unreachable_are_reported(
    ainema: tuple[Path, str], store: Store, smtp_server: tuple[str, int, Any]
) -> None:
    from collections import Counter

    from policykeeper.records.incidents import notify_persons
    from policykeeper.records.jobs import people_of
    from policykeeper.records.mailings import get_mailing, run_mailing
    from policykeeper.records.ppc import ppc_report
    from policykeeper.workflow.mail import SmtpMailer

    project, url = ainema
    host, port, mailbox = smtp_server
    query(url, "UPDATE users SET deleted_at = created_at WHERE id = 2")
    query(url, "UPDATE users SET processing_restricted = :t WHERE id = 3", t=True)
    query(url, "UPDATE users SET email = 'e3b0c44298fc' WHERE id = 4")
    found = record_incident(
        load_project(project),
        store,
        incident(cause="theft", tables=[{"table": "users", "where": {"id": [1, 2, 3, 4]}}]),
        now=NOW,
        actor="t",
    )
    mailing_id = notify_persons(
        load_project(project), store, found.id, now=NOW, actor="t", pace=100
    )
    with pytest.raises(Conflict, match="already being told"):
        notify_persons(load_project(project), store, found.id, now=NOW, actor="t")
    run_mailing(
        store,
        SmtpMailer(host, port, "privacy@example.test"),
        mailing_id,
        clock=lambda: NOW,
        lease=timedelta(minutes=5),
        people=people_of(project, store, mailing_id),
    )
    told = {str(r[0]) for r in query(url, "SELECT email FROM users WHERE id IN (1, 2, 3)")}
    assert Counter(str(m["To"]) for m in mailbox.messages) == Counter(told)
    mailing = get_mailing(store, mailing_id)
    assert mailing.skipped == {"no_address": 1}
    fields = {
        f.label: f.value
        for f in ppc_report(load_project(project).policy, load(store, found.id), mailing, "final")
    }
    assert fields["（6）本人への対応の実施状況"] == (
        "2026年5月1日、対象となる本人3人にメールで通知しました（送信できなかった方：0人）。\n"
        "連絡先が判明しない本人が1人います。"
    )
