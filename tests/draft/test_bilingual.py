"""A Japanese and an English version given together make one draft in both languages."""

from __future__ import annotations

from draft_kit import BILINGUAL

from policykeeper.draft import init_from
from policykeeper.draft.roundtrip import roundtrip
from policykeeper.policy.loading import load_policy
from policykeeper.render import render_policy


def test_aligned_sections_give_each_language_its_own_words(tmp_path) -> None:
    directory = tmp_path / "project"
    init_from(directory, [str(p) for p in BILINGUAL])
    policy = load_policy(directory)
    assert [lang.value for lang in policy.languages.published] == ["ja", "en"]
    operator = policy.operators[0]
    assert (operator.name.ja, operator.name.en) == ("株式会社サンプル", "Sample Inc.")
    assert operator.representative.ja == "山田太郎" and operator.representative.en == "Taro Yamada"
    first = policy.purposes[0]
    assert first.label.ja == "本サービスの提供および本人確認のため"
    assert first.label.en == "To provide the Service and to verify your identity"
    access = policy.right("access")
    assert access.fee.amount == 1000 and "円" in access.fee.note.ja and "yen" in access.fee.note.en
    assert {c.key for c in policy.categories} >= {
        "user.name",
        "user.contact.email",
        "user.device.ip_address",
    }
    assert "user.government_id.my_number" not in {c.key for c in policy.categories}


def test_both_renderings_keep_the_facts(tmp_path) -> None:
    directory = tmp_path / "project"
    sources = [str(p) for p in BILINGUAL]
    init_from(directory, sources)
    comparisons = roundtrip(
        directory, sources, lambda policy, lang: render_policy(policy, lang, "md")
    )
    assert [c.lang for c in comparisons] == ["ja", "en"]
    for comparison in comparisons:
        assert comparison.passed
        assert [d for d in comparison.lost if d.detail != "needs model support"] == []
