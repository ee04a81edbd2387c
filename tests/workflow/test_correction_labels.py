"""Correctable items are named for the person from the declaration, never two alike
(issue 18, item 3): the column's label, else the category's; a shared name is qualified by the
table's label, and one still shared is numbered."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykeeper.policy.loading import load_policy
from policykeeper.policy.types import Text
from policykeeper.workflow.inputs import CorrectableField, correction_labels

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ainema"
EMAIL = "user.contact.email"


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return load_policy(EXAMPLE)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ja",
            {
                "users.email": "メールアドレス（会員情報）",
                "inquiries.email": "メールアドレス（お問い合わせ）",
                "users.alt_email": "予備のアドレス",
                "notes.a": "メールアドレス（メモ）（1）",
                "notes.b": "メールアドレス（メモ）（2）",
            },
        ),
        (
            "en",
            {
                "users.email": "Email address (Your account)",
                "inquiries.email": "Email address (Inquiries)",
                "users.alt_email": "Spare address",
                "notes.a": "Email address (Notes) (1)",
                "notes.b": "Email address (Notes) (2)",
            },
        ),
    ],
)
def test_labels_are_declared_and_distinct(policy, lang: str, expected: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    account = Text(ja="会員情報", en="Your account")
    fields = [
        CorrectableField("users.email", EMAIL, None, account),
        CorrectableField("inquiries.email", EMAIL, None, Text(ja="お問い合わせ", en="Inquiries")),
        CorrectableField(
            "users.alt_email", EMAIL, Text(ja="予備のアドレス", en="Spare address"), account
        ),
        CorrectableField("notes.a", EMAIL, None, Text(ja="メモ", en="Notes")),
        CorrectableField("notes.b", EMAIL, None, Text(ja="メモ", en="Notes")),
    ]
    labels = correction_labels(fields, policy, lang)
    assert labels == expected
    assert len(set(labels.values())) == len(labels)


def test_a_label_used_once_is_left_as_declared(policy) -> None:  # type: ignore[no-untyped-def]
    fields = [CorrectableField("users.email", EMAIL, None, Text(ja="会員情報", en="Your account"))]
    assert correction_labels(fields, policy, "ja") == {"users.email": "メールアドレス"}
