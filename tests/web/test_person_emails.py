"""Emails like a Japanese company's (issue 18): the addressee, dates as 2026年12月1日, the
operator's name, address and contact from the declaration, a do-not-reply notice, links to
pages (never /api/), and a form page that names itself as the way to ask."""

from __future__ import annotations

import re

import sqlalchemy as sa
from store.kit import drain
from web_kit import Site, submit

from policykeeper.policy.models import Policy
from policykeeper.workflow.outcome import local_date, local_time


def mails_to(site: Site, email: str) -> list[str]:
    return [body for to, _subject, body in site.mail.messages if to == email]


def test_japanese_mail_has_addressee_dates_signature_and_no_reply_notice(site: Site) -> None:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users LIMIT 1 OFFSET 5")).scalar_one()
    engine.dispose()
    client = site.client(**{"accept-language": "ja"})
    token, fields = submit(client, "access", email)
    client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    flow = site.app.state.workflow
    flow.decide(token.split(".")[0], "staff:test", approve=True)
    drain(flow)
    policy: Policy = flow.policy
    operator = policy.operators[0]
    for body in mails_to(site, email):
        assert body.startswith(f"{email} 様\n")
        assert "送信専用のアドレス" in body
        assert operator.name.ja in body and operator.address.ja in body  # type: ignore[union-attr]
        assert "contact@ainema.tv" in body
        assert "/api/" not in body
        assert not re.search(r"\d{4}-\d{2}-\d{2}", body), body  # no ISO dates
    received = next(b for b in mails_to(site, email) if "受け付けました" in b)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（JST）", received)
    completed = mails_to(site, email)[-1]
    assert re.search(r"http://testserver/download/\S+", completed)


def test_english_mail_and_the_date_forms() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert local_date(moment, "Asia/Tokyo", "ja") == "2026年12月1日"
    assert local_date(moment, "Asia/Tokyo", "en") == "1 December 2026"
    assert local_time(moment, "Asia/Tokyo", "ja") == "2026年12月1日 12:00（JST）"
    assert local_time(moment, "Europe/London", "en") == "1 December 2026, 03:00 GMT"


def test_a_declaration_without_an_address_signs_without_one(site: Site) -> None:
    flow = site.app.state.workflow
    operator = flow.policy.operators[0]
    saved = operator.address
    try:
        object.__setattr__(operator, "address", None)
        lines = flow._signature("ja", "")
    finally:
        object.__setattr__(operator, "address", saved)
    assert lines == ["AInema", "AInema運営事務局"]  # nothing invented in its place


def test_the_form_names_itself_as_the_way_to_ask(site: Site) -> None:
    for lang, here in (("ja", "このページのフォーム"), ("en", "The form on this page")):
        html = site.client(**{"accept-language": lang}).get("/requests/erasure").text
        side = html[html.index('id="terms-heading"') :]
        assert here in side
        assert side.index(here) < side.index("contact@ainema.tv")


def test_no_do_not_reply_notice_where_replies_are_read() -> None:
    from policykeeper.workflow.notifications import render_email

    context = {
        "addressee": "a@example.jp",
        "signature": ["AInema"],
        "service": "AInema",
        "right": "開示",
        "request_id": "r",
        "received_at": "",
        "due_at": "",
        "acknowledge_by": "",
        "status_url": "http://testserver/status/x",
    }
    for lang in ("ja", "en"):
        read = render_email("received", lang, {**context, "no_reply": False})[1]
        unread = render_email("received", lang, {**context, "no_reply": True})[1]
        assert read != unread and len(unread) > len(read)
        assert ("送信専用" in unread) is (lang == "ja") and "送信専用" not in read
