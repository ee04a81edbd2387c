"""The correction's outcome in the person's email (issue 18, item 3; APPI Art. 34(3)): each
item as old → new, or not corrected with the reason staff gave, in the person's language, from
the decision the status page shows too."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store.kit import drain
from web_kit import Site

from policykeeper.workflow.service import NewRequest


def asked(site: Site, email: str, lang: str, changes: dict[str, str]) -> str:
    flow = site.app.state.workflow
    submitted = flow.submit(
        NewRequest(kind="rectification", email=email, language=lang, details={"changes": changes}),
        "10.1.2.3",
    )
    flow.verify_code(submitted.status_token, site.mail.code(email), "10.1.2.3")
    return submitted.request_id  # type: ignore[no-any-return]


def member(site: Site, offset: int) -> str:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(
            sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET :n"), {"n": offset}
        ).scalar_one()
    engine.dispose()
    return str(email)


def last_mail(site: Site, email: str) -> str:
    return next(body for to, _subject, body in reversed(site.mail.messages) if to == email)


@pytest.mark.parametrize(
    ("lang", "heading", "changed", "kept"),
    [
        (
            "ja",
            "【訂正の結果】ご請求の一部を訂正しました。",
            "・氏名（表示名）：山田 太郎 → 山田 花子",
            "・メールアドレス（会員情報）：訂正していません（理由：ご登録のアドレスは確認済みです）",
        ),
        (
            "en",
            "The outcome: partly corrected.",
            "- Name (display name): 山田 太郎 → 山田 花子",
            "- Email address (Your account): not corrected (reason: ご登録のアドレスは確認済みです)",
        ),
    ],
)
def test_a_partly_corrected_request_tells_each_item(
    site: Site, lang: str, heading: str, changed: str, kept: str
) -> None:
    flow = site.app.state.workflow
    email = member(site, 3 if lang == "ja" else 4)
    request_id = asked(
        site,
        email,
        lang,
        {"users.display_name": "山田 花子", "users.email": "other@example.jp"},
    )
    flow.decide(
        request_id,
        "staff:test",
        approve=True,
        items={
            "users.display_name": {"accept": True, "old": "山田 太郎"},
            "users.email": {"accept": False, "reason": "ご登録のアドレスは確認済みです"},
        },
    )
    drain(flow)
    body = last_mail(site, email)
    assert heading in body and changed in body and kept in body
    assert "other@example.jp" not in body  # a value not written is not echoed as if it were


@pytest.mark.parametrize(
    ("lang", "heading", "kept"),
    [
        (
            "ja",
            "【訂正の結果】訂正は行いませんでした。",
            "・自己紹介：訂正していません（理由：内容は正確です）",
        ),
        ("en", "The outcome: not corrected.", "- Bio: not corrected (reason: 内容は正確です)"),
    ],
)
def test_a_declined_correction_tells_why_per_item(
    site: Site, lang: str, heading: str, kept: str
) -> None:
    flow = site.app.state.workflow
    email = member(site, 5 if lang == "ja" else 6)
    request_id = asked(site, email, lang, {"creator_profiles.bio": "別の文章"})
    flow.decide(
        request_id,
        "staff:test",
        approve=True,
        items={"creator_profiles.bio": {"accept": False, "reason": "内容は正確です"}},
    )
    drain(flow)
    assert flow.get(request_id).state == "denied"
    body = last_mail(site, email)
    assert heading in body and kept in body


def test_other_requests_carry_no_correction_block(site: Site) -> None:
    flow = site.app.state.workflow
    email = member(site, 7)
    submitted = flow.submit(NewRequest(kind="access", email=email, language="ja"), "10.1.2.4")
    flow.verify_code(submitted.status_token, site.mail.code(email), "10.1.2.4")
    flow.decide(submitted.request_id, "staff:test", approve=True)
    drain(flow)
    assert "訂正の結果" not in last_mail(site, email)
