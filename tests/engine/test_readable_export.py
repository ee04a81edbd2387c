"""The access archive a person can read (issue 18): README.html in their language, headers from
the declared labels, episode titles instead of ids, times with their zone, and no secrets."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from policykeeper.engine import Identity, access
from policykeeper.engine.readable import readme
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project


def secrets_of(url: str) -> tuple[int, list[str]]:
    """Someone with purchases and sign-ins; their secrets, and the titles they bought ('|')."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        user = connection.execute(
            sa.text(
                "SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM purchases p WHERE "
                "p.user_id = u.id) AND EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id) "
                "AND u.password_hash IS NOT NULL ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()
        tokens = connection.execute(
            sa.text("SELECT token FROM sessions WHERE user_id = :u"), {"u": user}
        ).scalars()
        found = [str(t) for t in tokens]
        found.append(
            str(
                connection.execute(
                    sa.text("SELECT password_hash FROM users WHERE id = :u"), {"u": user}
                ).scalar_one()
            )
        )
        titles = connection.execute(
            sa.text(
                "SELECT e.title FROM purchases p JOIN episodes e ON e.id = p.episode_id "
                "WHERE p.user_id = :u"
            ),
            {"u": user},
        ).scalars()
        found_titles = [str(t) for t in titles]
    engine.dispose()
    assert found and found_titles
    return int(user), found + ["|" + t for t in found_titles]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_archive_explains_itself_and_holds_no_secret(ainema: Project, tmp_path: Path) -> None:
    url = runtime(ainema).sources["main"].url
    user, values = secrets_of(url)
    secrets = [v for v in values if not v.startswith("|")]
    titles = [v[1:] for v in values if v.startswith("|")]
    result = access(ainema, Identity("user_id", str(user)))
    for lang, header, readme_words in (
        ("ja", "購入したエピソード", ("同梱のファイル", "各列の意味", "ログイン用のトークン")),
        ("en", "Episode", ("Files in this archive", "What each column means", "Sign-in token")),
    ):
        path = tmp_path / f"{lang}.zip"
        result.write_zip(path, lang, "Asia/Tokyo")
        archive = zipfile.ZipFile(path)
        assert archive.namelist()[0] == "README.html"
        readme = archive.read("README.html").decode("utf-8")
        assert f'<html lang="{lang}">' in readme
        for words in readme_words:
            assert words in readme, words
        for name in archive.namelist():
            if name.endswith(".csv"):
                assert f"{name}</td>" in readme  # every file is explained
        everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
        for secret in secrets:
            assert secret not in everything
        purchases = list(csv.reader(io.StringIO(archive.read("purchases.csv").decode("utf-8-sig"))))
        assert header in purchases[0] and "episode_id" not in purchases[0]
        member = "会員ID" if lang == "ja" else "Member ID"
        assert member in purchases[0] and "user_id" not in purchases[0]  # the join, by name
        column = purchases[0].index(header)
        assert {row[column] for row in purchases[1:]} <= set(titles)
        when = purchases[1][-1]
        assert when.endswith(" JST"), when  # times carry their zone
        # access.json keeps machine values, with the zone too.
        assert '"created_at": "' in everything and "+00:00" in everything


def test_a_name_from_an_unlisted_table_is_a_map_problem() -> None:
    from policykeeper.datamap.checks import check_datamap
    from policykeeper.datamap.models import DataMap

    datamap = DataMap.model_validate(
        {
            "connections": {"main": "sqlite://"},
            "identities": {"email": "users.email"},
            "tables": {
                "users": {
                    "rows": "owned",
                    "columns": {"favourite": {"shows": "episodez.title"}},
                },
                "episodes": {"rows": "reference"},
            },
        }
    )
    problems = [message for _where, message in check_datamap(datamap, None)]
    assert any("unknown table 'episodez'" in m and "episodes" in m for m in problems), problems


def test_a_file_from_another_store_is_named_by_the_service_not_as_a_company() -> None:
    """The archive names no operator: 当社 would be wrong for an association or a ministry."""
    about = {"service": {"ja": "AInema", "en": "AInema"}, "generated_at": "2026-03-02T09:00:00Z"}
    ja = readme(about, {}, {}, {}, ["avatars/1.png"], "ja", "Asia/Tokyo")
    assert "<td>avatars/1.png</td><td>AInemaのデータベース以外の保管場所から取得した情報</td>" in ja
    assert "当社" not in ja
    en = readme(about, {}, {}, {}, ["avatars/1.png"], "en", "Asia/Tokyo")
    assert "<td>avatars/1.png</td><td>Data from places other than our database</td>" in en
