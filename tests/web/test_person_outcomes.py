"""What the person is told at the end (issue 18): no retained personal data as an outcome of its
own, an erasure's deletions and legal holds with their dates, and the erasure form's warning
and confirmation before anything is submitted.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from store.kit import drain
from web_kit import Site, form_fields, submit


def completed(site: Site, lang: str, kind: str, email: str) -> tuple[str, str]:
    """Submit, verify, approve and run one request; its status token and completion email."""
    client = site.client(**{"accept-language": lang})
    token, fields = submit(client, kind, email)
    verified = client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    assert verified.status_code == 303
    flow = site.app.state.workflow
    flow.decide(token.split(".")[0], "staff:test", approve=True)
    drain(flow)
    mail = [b for to, _s, b in site.mail.messages if to == email]
    return token, mail[-1]


def a_person_with_coins(site: Site, skip: int) -> tuple[int, str]:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT u.id, u.email FROM users u WHERE EXISTS (SELECT 1 FROM coin_ledger c "
                "WHERE c.user_id = u.id) AND NOT EXISTS (SELECT 1 FROM coin_ledger p WHERE "
                "p.user_id = u.id AND p.payment_method = 'paypay') AND NOT EXISTS (SELECT 1 "
                "FROM creator_profiles c JOIN payouts o ON o.creator_id = c.id WHERE "
                "c.user_id = u.id AND o.method = 'digico') ORDER BY u.id LIMIT 1 OFFSET :skip"
            ),
            {"skip": skip},
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1])


def test_access_for_an_unknown_address_ends_in_no_retained_data(site: Site) -> None:
    for lang, state, said in (
        (
            "ja",
            "完了しました（保有個人データはありません）",
            "保有個人データは、当社では保有しておりません",
        ),
        ("en", "Completed (no personal data held)", "We hold no personal data about you"),
    ):
        email = f"nobody-{lang}@example.jp"
        token, mail = completed(site, lang, "access", email)
        page = site.client(**{"accept-language": lang}).get(f"/status/{token}").text
        assert 'data-outcome="no_data"' in page and state in page and said in page
        assert "/download/" not in page  # nothing to download: the answer is the outcome
        assert said in mail and "/download/" not in mail


def test_a_completed_erasure_says_what_went_and_what_the_law_keeps_until_when(
    site: Site,
) -> None:
    _id, email = a_person_with_coins(site, 0)
    token, mail = completed(site, "ja", "erasure", email)
    page = site.client(**{"accept-language": "ja"}).get(f"/status/{token}").text
    for text in (page, mail):
        assert "削除した情報" in text and "視聴履歴" in text
        assert "法令により保存する情報" in text and "利用を停止しています" in text
        kept = re.search(r"取引履歴[^<\n]*：(\d{4})年(\d{1,2})月(\d{1,2})日まで保存します", text)
        assert kept, text
        assert int(kept.group(1)) >= site.clock().year + 7  # the 7-year books rule
    _id, email = a_person_with_coins(site, 1)
    token, mail = completed(site, "en", "erasure", email)
    page = site.client(**{"accept-language": "en"}).get(f"/status/{token}").text
    for text in (page, mail):
        assert "What we deleted" in text and "its use is stopped" in text
        assert re.search(r"kept until \d{1,2} [A-Z][a-z]+ \d{4}", text), text


def test_the_erasure_form_warns_and_needs_a_confirmation(site: Site) -> None:
    for lang, balance, title, summary in (
        ("ja", "未使用の残高は、削除とともに失効し", "<title>エラー：", "入力内容に問題があります"),
        ("en", "Any unused balance in Coin balance", "<title>Error: ", "There is a problem"),
    ):
        client = site.client(**{"accept-language": lang})
        form = client.get("/requests/erasure").text
        assert balance in form  # from the declaration's balance: true on coins
        assert re.search(
            r'<input type="checkbox" id="confirm" name="confirm" value="1" required', form
        )
        fields = form_fields(form)
        refused = client.post(
            "/requests/erasure", data={**fields, "email": f"unsure-{lang}@example.jp"}
        )
        assert refused.status_code == 422
        html = refused.text
        assert title in html and summary in html
        # The summary comes before the heading and links to the checkbox.
        assert html.index("error-summary") < html.index("<h1>")
        assert 'href="#confirm"' in html and 'aria-invalid="true"' in html
        both = client.post("/requests/erasure", data={**fields, "email": "not-an-address"})
        assert 'href="#email"' in both.text and 'href="#confirm"' in both.text
        assert not [m for m in site.mail.messages if m[0] == f"unsure-{lang}@example.jp"]
