"""General rules added in the quality round of issue 16, each as the README states it."""

from __future__ import annotations

from draft_kit import write

from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source


def found(tmp_path, text: str):
    return extract(read_source(write(tmp_path, "p.md", text)).sentences)


def test_a_heading_that_is_a_purpose_is_one_and_its_paragraph_is_not_another(tmp_path) -> None:
    text = (
        "# 通知\n\n## データの処理方法\n\n### セキュリティを改善するため\n\n"
        "当社は、不正なアクセスを検出するために、IP アドレスを利用します。\n"
    )
    extraction = found(tmp_path, text)
    assert [f.value["label"] for f in extraction.of("purpose")] == ["セキュリティを改善するため"]
    assert "user.device.ip_address" in extraction.keys("category")


def test_a_heading_that_names_data_is_not_a_purpose(tmp_path) -> None:
    text = "# 利用目的\n\n## サービスの提供のため\n\n### 技術データ\n\n- 端末情報\n"
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert "技術データ" not in labels and "サービスの提供のため" in labels


def test_a_date_alone_at_the_head_is_the_date_of_the_version(tmp_path) -> None:
    assert "updated=2025-11-05" in found(
        tmp_path, "# Notice\n\nNovember 5, 2025\n\nWe care.\n"
    ).keys("date")
    assert "effective=2025-04-22" in found(
        tmp_path, "# 通知\n\n発効日 2025 年 4 月 22 日\n\n当社は個人情報を適切に取り扱います。\n"
    ).keys("date")
    assert "effective=2024-04-01" in found(
        tmp_path, "# 方針\n\n当社は個人情報を適切に取り扱います。\n\n2024年4月1日施行\n"
    ).keys("date")


def test_a_link_to_a_policy_page_is_not_a_contact_form(tmp_path) -> None:
    text = (
        "# Notice\n\nOur [Privacy Policy](https://example.org/privacy/) describes how we handle "
        "information.\n\nUse our [contact form](https://example.org/contact-form) to reach us.\n"
    )
    assert found(tmp_path, text).keys("contact") == ["url:https://example.org/contact-form"]


def test_a_linked_service_used_to_handle_data_is_a_recipient(tmp_path) -> None:
    text = (
        "# Applicants\n\nWe use [Greenhouse](https://www.greenhouse.io/privacy-policy) to handle "
        "employment applications.\n\n応募の処理にあたっては、[Fluxx.io](https://www.fluxx.io/privacy-policy) を利用します。\n"
    )
    assert {"entrustment:greenhouse", "entrustment:fluxx.io"} <= set(
        found(tmp_path, text).keys("recipient")
    )


def test_an_unlinked_or_unused_name_is_not_a_recipient(tmp_path) -> None:
    text = "# About\n\nWe use Markdown to write this notice.\n"
    assert found(tmp_path, text).keys("recipient") == []
