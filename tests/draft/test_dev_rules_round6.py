"""Rules of the sixth quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-6 development documents use (a
command-line tool's telemetry page, in English and in Microsoft's Japanese); none is taken from
the held-out policies.
"""

from __future__ import annotations

from draft_kit import found


def test_kaishu_is_a_japanese_verb_of_collection(tmp_path) -> None:
    # 回収 says the tool collects, as 収集 does: what it names is collected, and 「個人データは
    # 回収されません」 denies collecting personal information
    extraction = found(
        tmp_path,
        "# テレメトリ\n\nこの機能は次のデータを回収します。\n\n- 使用されているコマンド\n- 位置情報\n\n"
        "この機能では、ユーザー名や電子メールなど、個人データは回収されません。\n",
    )
    assert "user.location" in extraction.keys("category")
    assert "personal information" in extraction.keys("negation")
    assert "user.contact.email" not in extraction.keys("category")


def test_a_passing_mention_of_kaishu_without_personal_data_denies_nothing(tmp_path) -> None:
    # the denial needs both the personal data and the verb: a sentence about recovering a device
    # names neither
    extraction = found(
        tmp_path, "# テレメトリ\n\nこの機能は次のデータを回収します。\n\n- 位置情報\n"
    )
    assert "personal information" not in extraction.keys("negation")


def test_seihin_riyou_toukei_jouhou_is_telemetry(tmp_path) -> None:
    # 製品利用統計情報 is Microsoft's Japanese word for telemetry
    extraction = found(
        tmp_path,
        "# 概要\n\n.NET ツールには、製品利用統計情報を収集する機能があります。\n",
    )
    assert "user.device.telemetry" in extraction.keys("category")
    negated = found(
        tmp_path,
        "# 概要\n\n`dotnet` コマンド自体は製品利用統計情報を収集しません。\n",
        "q.md",
    )
    assert "user.device.telemetry" not in negated.keys("category")


def test_data_shared_with_the_community_names_the_community_as_recipient(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "# Telemetry\n\nThe tools collect usage data. The data is collected by Example and "
        "shared with the community.\n",
    )
    assert any("community" in key for key in extraction.keys("recipient"))
    denied = found(
        tmp_path,
        "# Telemetry\n\nThe tools collect usage data. The data is never shared with the "
        "community.\n",
        "q.md",
    )
    assert not any("community" in key for key in denied.keys("recipient"))


def test_other_community_members_are_not_the_community(tmp_path) -> None:
    # only "the community" as a whole is a recipient, not members named beside the operator
    extraction = found(
        tmp_path,
        "# Sharing\n\nYour posts are shared with Example and other community members.\n",
    )
    assert not any("community" in key for key in extraction.keys("recipient"))
