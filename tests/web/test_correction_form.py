"""The person's correction form (issue 18, item 3): items named by the declaration's labels,
never two alike; several items per request ("add another item", without JavaScript); a
reason; one item named twice is refused rather than one value silently dropped."""

from __future__ import annotations

import re

import pytest
from web_kit import Site, form_fields

from policykeeper.store.models import Request as RequestRow


def options(html: str) -> list[str]:
    select = html[html.index('<select id="field"') : html.index("</select>")]
    return [
        label
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
        if value
    ]


def rows(html: str) -> int:
    return len(re.findall(r'<fieldset class="correction-row"', html))


def member(offset: int) -> str:
    """An address of our own: a request is recorded whether or not the service knows it."""
    return f"correction-{offset}@example.jp"


def recorded(site: Site, email: str) -> list[RequestRow]:
    return site.app.state.workflow.find(email)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ja",
            [
                "メールアドレス（会員情報）",
                "氏名（表示名）",
                "ハンドル名",
                "自己紹介",
                "メールアドレス（お問い合わせ）",
            ],
        ),
        (
            "en",
            [
                "Email address (Your account)",
                "Name (display name)",
                "Handle",
                "Bio",
                "Email address (Inquiries)",
            ],
        ),
    ],
)
def test_items_are_named_by_declared_labels_each_once(
    site: Site, lang: str, expected: list[str]
) -> None:
    html = site.client(**{"accept-language": lang}).get("/requests/rectification").text
    labels = options(html)
    assert labels == expected
    assert len(set(labels)) == len(labels)
    assert rows(html) == 1
    assert 'name="reason"' in html


@pytest.mark.parametrize(
    ("lang", "offset", "add", "reason"),
    [
        ("ja", 21, "訂正する項目を追加する", "旧姓のままになっています"),
        ("en", 22, "Add another item", "My name changed when I married"),
    ],
)
def test_several_items_and_a_reason_in_one_request(
    site: Site, lang: str, offset: int, add: str, reason: str
) -> None:
    client = site.client(**{"accept-language": lang})
    email = member(offset)
    html = client.get("/requests/rectification").text
    assert add in html
    fields = form_fields(html)
    first = {**fields, "email": email, "field": "users.display_name", "value": "新しい 名前"}
    more = client.post("/requests/rectification", data={**first, "add_item": "1"})
    # Another row, the first one kept as typed, and nothing recorded yet.
    assert more.status_code == 200 and rows(more.text) == 2
    assert "新しい 名前" in more.text and not recorded(site, email)
    sent = client.post(
        "/requests/rectification",
        data={
            **fields,
            "email": email,
            "field": ["users.display_name", "creator_profiles.bio"],
            "value": ["新しい 名前", "映画が好きです"],
            "reason": reason,
        },
    )
    assert sent.status_code == 303, sent.text
    (row,) = recorded(site, email)
    assert row.details["changes"] == {
        "users.display_name": "新しい 名前",
        "creator_profiles.bio": "映画が好きです",
    }
    assert row.details["reason"] == reason


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("ja", "同じ項目が2回以上選ばれています。"),
        ("en", "The same item is chosen more than once."),
    ],
)
def test_an_item_named_twice_is_refused(site: Site, lang: str, message: str) -> None:
    client = site.client(**{"accept-language": lang})
    email = member(23 if lang == "ja" else 24)
    fields = form_fields(client.get("/requests/rectification").text)
    response = client.post(
        "/requests/rectification",
        data={
            **fields,
            "email": email,
            "field": ["users.display_name", "users.display_name"],
            "value": ["一つ目", "二つ目"],
        },
    )
    assert response.status_code == 422 and message in response.text
    assert 'href="#field"' in response.text  # the error summary links to the items
    assert rows(response.text) == 2 and "二つ目" in response.text
    assert not recorded(site, email)


def test_blank_extra_rows_are_ignored(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    email = member(25)
    fields = form_fields(client.get("/requests/rectification").text)
    sent = client.post(
        "/requests/rectification",
        data={
            **fields,
            "email": email,
            "field": ["users.display_name", ""],
            "value": ["山田 一郎", ""],
        },
    )
    assert sent.status_code == 303
    (row,) = recorded(site, email)
    assert row.details["changes"] == {"users.display_name": "山田 一郎"}
    assert "reason" not in row.details


@pytest.mark.parametrize(
    ("lang", "correct", "not_offered"),
    [
        ("ja", "訂正", ("追加又は削除", "削除", "追加・")),
        ("en", "correct", ("add or delete", "addition", "deletion")),
    ],
)
def test_the_form_itself_offers_correction_only(
    site: Site, lang: str, correct: str, not_offered: tuple[str, ...]
) -> None:
    """The declaration's own title and description may name addition and deletion; the form's
    words say only what it does: correct."""
    html = site.client(**{"accept-language": lang}).get("/requests/rectification").text
    form = html[html.index('<form method="post"') : html.index("</form>")]
    words = re.sub(r"<[^>]+>", " ", form)
    assert correct in words.lower()
    assert not any(word in words.lower() for word in not_offered)
