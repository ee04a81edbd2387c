"""The emitter: each fact the text states lands in its field, in the text's words, and nothing
the text does not state is written."""

from __future__ import annotations

from draft_kit import BILINGUAL, SEEDS, write
from ruamel.yaml import YAML

from policykeeper.draft import draft_policy, init_from
from policykeeper.draft.provenance import PROVENANCE_FILE, REVIEW_FILE
from policykeeper.draft.roundtrip import roundtrip
from policykeeper.policy.loading import load_policy
from policykeeper.render import render_policy

AINEMA, ALLIN, JASMINAI, AUDIOSTOCK, NICORI = SEEDS


def drafted(tmp_path, text: str, name: str = "p.md"):
    directory = tmp_path / "project"
    init_from(directory, [write(tmp_path, name, text)])
    return directory, load_policy(directory)


def test_qualifiers_land_on_the_deadline_the_retention_rule_and_the_change_notice(
    tmp_path,
) -> None:
    directory, policy = drafted(
        tmp_path,
        "# 保存期間\n\n- アクセスログ：原則として取得から12か月\n\n"
        "# 開示等の請求\n\n当社は、原則として、請求を受けた日から2週間以内に回答します。\n\n"
        "# 本ポリシーの変更\n\n当社は、変更の14日前までに本サービス上で通知するよう努めます。\n",
    )
    assert policy.rights[0].deadline.qualifier.value == "as_a_rule"
    assert policy.retention[0].qualifier.value == "as_a_rule"
    assert policy.changes.qualifier.value == "best_efforts"
    japanese = render_policy(policy, "ja", "md")
    assert "原則として2週間以内" in japanese
    assert "お知らせするよう努めます" in japanese
    sidecar = YAML(typ="safe").load((directory / PROVENANCE_FILE).read_text("utf-8"))
    assert sidecar["needs_model_support"] == []


def test_negative_promises_are_statements_in_the_texts_words() -> None:
    data = draft_policy([str(AINEMA)]).emitted.data
    card = next(s for s in data["statements"] if s["categories"] == ["user.financial.credit_card"])
    assert card["kind"] == "not_stored"
    assert card["text"] == {"en": "The Company does not store card numbers."}
    category = next(c for c in data["categories"] if c["key"] == "user.financial.credit_card")
    assert category["stored"] is False


def test_a_denial_the_rest_of_the_text_contradicts_is_listed_not_published(tmp_path) -> None:
    directory, policy = drafted(
        tmp_path,
        "# Information we collect\n\nWe collect your email address and your password.\n\n"
        "# Accounts\n\nWe do not receive or store your third-party account passwords.\n",
    )
    assert policy.statements == []
    assert next(c for c in policy.categories if c.key == "user.authorization.password").stored
    review = (directory / REVIEW_FILE).read_text("utf-8")
    notes = review[review.index("## Facts no field holds") : review.index("## Every sentence")]
    assert "negation `user.authorization.password`: a not_collected statement the draft " in notes


def test_the_operator_is_named_as_the_text_names_itself(tmp_path) -> None:
    _, policy = drafted(
        tmp_path,
        "一般社団法人サンプル協会（以下「当法人」といいます。）は、個人情報を適切に取り扱います。\n\n"
        "# 開示等の請求\n\nご本人は、保有個人データの開示を請求することができます。\n",
    )
    assert policy.self_reference == "当法人"
    assert "当法人に対し、保有個人データについて次の請求" in render_policy(policy, "ja", "md")


def test_a_text_that_mixes_self_references_keeps_the_default(tmp_path) -> None:
    _, policy = drafted(
        tmp_path,
        "# 取得する情報\n\n弊社は、氏名を取得します。\n\n当社は、メールアドレスを取得します。\n\n"
        "弊社は、電話番号を取得します。\n",
    )
    assert policy.self_reference == "当社"
    (tmp_path / "second").mkdir()
    _, used = drafted(
        tmp_path / "second",
        "# 取得する情報\n\n弊社は、氏名を取得します。\n\n弊社は、メールアドレスを取得します。\n",
    )
    assert used.self_reference == "弊社"


def test_lists_are_joined_with_or_and_and_exactly_as_the_text_joins_them() -> None:
    ainema = draft_policy([str(AINEMA)]).emitted.data
    assert ainema["rights"][0]["verification_join"] == "or"
    assert ainema["changes"]["channels"] == [
        "announcement on the Service",
        "notification to registered email addresses",
    ]
    assert ainema["changes"]["channels_join"] == "and"
    audiostock = draft_policy([str(AUDIOSTOCK)]).emitted.data
    access = next(r for r in audiostock["rights"] if r["kind"] == "access")
    assert access["verification"] == ["id_document", "postal_application"]
    assert access["verification_join"] == "and"
    assert [c["contact"] for c in access["channels"]] == ["postal"]
    jasminai = draft_policy([str(JASMINAI)]).emitted.data
    assert jasminai["changes"]["channels_join"] == "or"


def test_a_longer_deadline_keeps_its_unit_and_its_condition(tmp_path) -> None:
    _, policy = drafted(
        tmp_path,
        "# 開示等の請求\n\nご本人は、保有個人データの開示を請求することができます。\n\n"
        "請求はメール（privacy@example.jp）で受け付けます。\n\n"
        "当社は、請求を受けた日から1ヶ月以内に回答します。"
        "複雑なリクエストや多数のリクエストが寄せられた場合、60日以内の回答とさせていただくこともあります。\n",
    )
    deadline = policy.rights[0].deadline
    assert (str(deadline.period), str(deadline.extended_to)) == ("1 month", "60 days")
    assert deadline.extension_when.ja == "複雑なリクエストや多数のリクエストが寄せられた場合"
    assert "複雑なリクエストや多数のリクエストが寄せられた場合は、請求の受領から60日以内" in (
        render_policy(policy, "ja", "md")
    )


def test_exceptions_keep_the_policys_own_words() -> None:
    allin = draft_policy([str(ALLIN)]).emitted.data["provision_exception_notes"]
    assert allin["life_body_property"]["en"].startswith(
        "Cases where it is necessary for the protection of human life"
    )
    ainema = draft_policy([str(AINEMA)]).emitted.data["provision_exception_notes"]
    assert ainema == {
        "law": {"en": "When required by law, by court order"},
        "protect_rights": {
            "en": "When necessary to protect the Company's rights, property, or safety."
        },
    }


def test_a_case_introducing_a_list_keeps_the_laws_wording() -> None:
    allin = draft_policy([str(ALLIN)]).emitted.data
    assert "opt_out" in allin["provision_exceptions"]
    assert "opt_out" not in allin["provision_exception_notes"]


def test_nothing_the_seeds_do_not_state_is_written() -> None:
    for seed in SEEDS:
        draft = draft_policy([str(seed)])
        text = draft.policy_yaml()
        assert "on_request" not in text and "unstated" not in text
        sidecar = YAML(typ="safe").load(draft.sidecar())
        traced = {v["field"] for v in sidecar["values"] if v["from"]}
        data = draft.emitted.data
        for index, recipient in enumerate(data.get("recipients", [])):
            for name in ("provision", "safeguards"):
                if name in recipient:
                    assert f"recipients[{index}].{name}" in traced, (seed.name, recipient)
        for index, right in enumerate(data["rights"]):
            for name in ("channels", "verification", "fee", "channels_join", "verification_join"):
                if name in right:
                    assert f"rights[{index}].{name}" in traced, (seed.name, name)


def test_the_house_style_of_the_text_is_kept(tmp_path) -> None:
    _, policy = drafted(
        tmp_path,
        "# 取得する情報\n\n当社は、氏名または電話番号を取得します。\n\n"
        "# 開示等の請求\n\nご本人は、保有個人データの開示および訂正を請求することができます。\n",
    )
    assert policy.style.conjunctions == "kana"
    assert "開示および訂正を請求" in render_policy(policy, "ja", "md")


def test_the_bilingual_draft_carries_each_languages_words_for_the_new_fields(tmp_path) -> None:
    directory = tmp_path / "project"
    init_from(directory, [str(p) for p in BILINGUAL])
    policy = load_policy(directory)
    [statement] = policy.statements
    assert statement.text.ja == "当社は、マイナンバーを取得しません。"
    assert statement.text.en == "The Company does not collect your My Number."
    assert policy.rights[0].deadline.qualifier.value == "as_a_rule"
    assert policy.changes.channels[0].ja == "本サービス"
    assert policy.right("access").fee.currency == "JPY"
    for comparison in roundtrip(
        directory, [str(p) for p in BILINGUAL], lambda p, lang: render_policy(p, lang, "md")
    ):
        assert "negation" not in {d.kind for d in comparison.lost}
        assert "qualifier" not in {d.kind for d in comparison.lost}


def test_nicori_without_a_request_channel_is_told_so(tmp_path) -> None:
    draft = draft_policy([str(NICORI)])
    assert all("channels" not in right for right in draft.emitted.data["rights"])
    missing = [f.message for f in draft.emitted.findings if f.severity == "law"]
    assert any("missing: a usable channel for 'access'" in m for m in missing)


def test_hours_written_with_ji_keep_that_style(tmp_path) -> None:
    _, policy = drafted(
        tmp_path,
        "# お問い合わせ窓口\n\nメール：privacy@example.jp\n\n電話：03-1234-5678（受付時間 平日10時〜18時）\n",
    )
    assert policy.style.time_ranges == "ji"
    assert "10時〜18時" in render_policy(policy, "ja", "md")


def test_an_analytics_vendor_without_a_word_about_cookies_is_no_tracker(tmp_path) -> None:
    source = (
        "# Example App Notice\n\n## What we collect\n\nWe collect your email address.\n\n"
        "**Analytics**: We use Google Analytics to better understand how you use the app.\n"
    )
    directory, policy = drafted(tmp_path, source)
    assert policy.trackers == []
    assert "Google Analytics" in [r.name.en for r in policy.recipients]
    (comparison,) = roundtrip(
        directory, [str(tmp_path / "p.md")], lambda p, lang: render_policy(p, lang, "md")
    )
    assert comparison.invented == []
    (tmp_path / "second").mkdir()
    _, with_cookies = drafted(
        (tmp_path / "second"), source + "\nGoogle Analytics places a cookie on your device.\n"
    )
    assert [t.name for t in with_cookies.trackers] == ["Google Analytics"]
