"""ALLIN STUDIO on a real WordPress, and what WordPress core's own privacy tools do with it.

The site is installed by WordPress's installer and filled by its own functions (kit.py). The
export and erasure are WordPress's, driven as wp-admin drives them. Every expectation is SQL
written here, so these tests document WordPress's behaviour: what its tools find, what they
change, and the person's rows they never look at.
"""

from __future__ import annotations

import zipfile
from typing import Any

from kit import ACCOUNTS, WordPressSite

from policykeeper.examples.wordpress import allin
from policykeeper.examples.wordpress.privacy import (
    Row,
    rows_changed,
    rows_found,
    run_privacy,
    snapshot,
)

MEMBER = 2
"""Changed their email after commenting, commented once logged out, sent an inquiry."""
CREATOR = 1
"""Publishes WORKS with images, sent the creators' entry form."""

CORE_TABLES = {
    "wp_commentmeta",
    "wp_comments",
    "wp_links",
    "wp_options",
    "wp_postmeta",
    "wp_posts",
    "wp_term_relationships",
    "wp_term_taxonomy",
    "wp_termmeta",
    "wp_terms",
    "wp_usermeta",
    "wp_users",
}


def rows(wp: WordPressSite, table: str, sql: str, **params: Any) -> set[Row]:
    return {(table, (int(r[0]),)) for r in wp.query(sql, **params)}


def meta(wp: WordPressSite, user: int, *keys: str) -> set[Row]:
    found: set[Row] = set()
    for key in keys:
        found |= rows(
            wp,
            "wp_usermeta",
            "SELECT umeta_id FROM wp_usermeta WHERE user_id = :u AND meta_key = :k",
            u=user,
            k=key,
        )
    return found


def entries(wp: WordPressSite, email: str) -> set[Row]:
    """Contact-form entries sent from `email`, and every meta row of those entries."""
    posts = rows(
        wp,
        "wp_posts",
        "SELECT p.ID FROM wp_posts p JOIN wp_postmeta m ON m.post_id = p.ID "
        "WHERE p.post_type = 'allin_entry' AND m.meta_key = '_from_email' AND m.meta_value = :e",
        e=email,
    )
    metas = rows(
        wp,
        "wp_postmeta",
        "SELECT meta_id FROM wp_postmeta WHERE post_id IN "
        "(SELECT post_id FROM wp_postmeta WHERE meta_key = '_from_email' AND meta_value = :e)",
        e=email,
    )
    return posts | metas


def test_the_installer_and_wordpress_functions_built_the_site(wordpress: WordPressSite) -> None:
    assert set(wordpress.site.table_names()) == CORE_TABLES
    content = wordpress.content
    assert allin.content(ACCOUNTS) == content  # the same site for the same seed
    count = {
        "users": "SELECT count(*) FROM wp_users",
        "creators": "SELECT count(*) FROM wp_usermeta WHERE meta_key = 'wp_capabilities' "
        "AND meta_value LIKE '%author%'",
        "phones": "SELECT count(*) FROM wp_usermeta WHERE meta_key = 'billing_phone'",
        "works": "SELECT count(*) FROM wp_posts p JOIN wp_term_relationships r ON r.object_id = p.ID "
        "JOIN wp_term_taxonomy t ON t.term_taxonomy_id = r.term_taxonomy_id "
        "JOIN wp_terms w ON w.term_id = t.term_id WHERE w.slug = 'works' AND p.post_type = 'post'",
        "media": "SELECT count(*) FROM wp_posts WHERE post_type = 'attachment'",
        "comments": "SELECT count(*) FROM wp_comments WHERE comment_post_ID IN "
        "(SELECT ID FROM wp_posts WHERE post_type = 'post' AND post_author <> 1)",
        "entries": "SELECT count(*) FROM wp_posts WHERE post_type = 'allin_entry'",
        "sessions": "SELECT count(*) FROM wp_usermeta WHERE meta_key = 'session_tokens'",
    }
    found = {name: wordpress.query(sql)[0][0] for name, sql in count.items()}
    assert found == {
        "users": ACCOUNTS + 1,  # and the administrator the installer created
        "creators": sum(1 for i in range(1, ACCOUNTS + 1) if allin.is_creator(i)),
        "phones": ACCOUNTS,
        "works": len(content["works"]),
        "media": sum(len(w["media"]) for w in content["works"]),
        "comments": len(content["comments"]),
        "entries": len(content["entries"]),
        "sessions": sum(1 for u in content["users"] if u["sessions"]),
    }
    member = wordpress.user(MEMBER)
    assert wordpress.query("SELECT user_email FROM wp_users WHERE ID = :u", u=member["ID"]) == [
        (member["email"],)
    ]
    old = wordpress.query(
        "SELECT count(*) FROM wp_comments WHERE user_id = :u AND comment_author_email = :e",
        u=member["ID"],
        e=member["initial_email"],
    )[0][0]
    assert old >= 2
    uploads = list((wordpress.site.content_dir / "uploads").rglob("*.png"))
    assert len(uploads) == found["media"]


def test_the_exporter_finds_the_profile_sessions_and_comments_under_the_current_email(
    wordpress: WordPressSite,
) -> None:
    member = wordpress.user(MEMBER)
    run = run_privacy(wordpress.site, "export", member["email"])
    assert run.status == "request-confirmed"  # an export is marked complete by hand in wp-admin
    assert [t.key for t in run.tools] == ["wordpress-user", "wordpress-comments", "wordpress-media"]

    found = rows_found(wordpress.site, run)
    expected = (
        {("wp_users", (member["ID"],))}
        | meta(wordpress, member["ID"], "nickname", "first_name", "last_name", "session_tokens")
        | rows(
            wordpress,
            "wp_comments",
            "SELECT comment_ID FROM wp_comments WHERE comment_author_email = :e",
            e=member["email"],
        )
    )
    assert set(found) == expected
    assert found[("wp_users", (member["ID"],))] >= {"user_email", "user_login", "display_name"}

    assert run.export_file is not None and run.export_file.is_file()
    with zipfile.ZipFile(run.export_file) as archive:
        page = archive.read("index.html").decode("utf-8")
    assert member["email"] in page and member["last_name"] in page
    assert member["initial_email"] not in page


def test_the_eraser_anonymises_the_comments_under_the_email_and_nothing_else(
    wordpress: WordPressSite,
) -> None:
    member = wordpress.user(MEMBER)
    mine = rows(
        wordpress,
        "wp_comments",
        "SELECT comment_ID FROM wp_comments WHERE comment_author_email = :e",
        e=member["email"],
    )
    assert mine
    before = snapshot(wordpress.site)
    run = run_privacy(wordpress.site, "erase", member["email"])
    after = snapshot(wordpress.site)

    assert run.removed() == {"wordpress-comments": (True, False)}
    changed = rows_changed(before, after, run.request_id)
    assert set(changed) == mine
    for (_, key), columns in changed.items():
        assert columns <= {
            "comment_author",
            "comment_author_email",
            "comment_author_url",
            "comment_author_IP",
            "comment_agent",
            "user_id",
        }
        comment = after["wp_comments"][key]
        assert comment["comment_author"] == "Anonymous"
        assert comment["comment_author_email"] == "" and comment["comment_agent"] == ""
        assert comment["comment_author_IP"].endswith(".0")
        assert comment["comment_content"] == before["wp_comments"][key]["comment_content"]
    assert [m["to"] for m in run.mail] == [member["email"]]


def test_what_wordpress_tools_never_look_at(wordpress: WordPressSite) -> None:
    """The member's and the creator's rows that WordPress's export misses and its eraser leaves."""
    member, creator = wordpress.user(MEMBER), wordpress.user(CREATOR)

    missed_member = (
        rows(
            wordpress,
            "wp_comments",
            "SELECT comment_ID FROM wp_comments WHERE user_id = :u AND comment_author_email <> :e",
            u=member["ID"],
            e=member["email"],
        )
        | meta(wordpress, member["ID"], "billing_phone", "billing_postcode", "billing_address_1")
        | meta(wordpress, member["ID"], "birth_date")
        | entries(wordpress, member["email"])
    )
    missed_creator = (
        rows(
            wordpress,
            "wp_posts",
            "SELECT ID FROM wp_posts WHERE post_author = :u AND post_type = 'post'",
            u=creator["ID"],
        )
        | meta(wordpress, creator["ID"], "allin_stage_name", "allin_expertise", "allin_ai_tools")
        | meta(wordpress, creator["ID"], "allin_achievements", "billing_phone", "birth_date")
        | entries(wordpress, creator["email"])
    )
    kinds = {table for table, _ in missed_member}
    assert kinds == {"wp_comments", "wp_usermeta", "wp_posts", "wp_postmeta"}
    assert {table for table, _ in missed_creator} == {"wp_posts", "wp_usermeta", "wp_postmeta"}

    exported: dict[str, set[Row]] = {}
    for person, missed in ((member, missed_member), (creator, missed_creator)):
        export = run_privacy(wordpress.site, "export", person["email"])
        exported[person["login"]] = set(rows_found(wordpress.site, export))
        assert not missed & exported[person["login"]], person["login"]
        before = snapshot(wordpress.site)
        erased = run_privacy(wordpress.site, "erase", person["email"])
        changed = rows_changed(before, snapshot(wordpress.site), erased.request_id)
        assert not missed & set(changed), person["login"]
        # The account itself, its meta and what it published all stay.
        assert ("wp_users", (person["ID"],)) not in changed
    media = rows(
        wordpress,
        "wp_posts",
        "SELECT ID FROM wp_posts WHERE post_author = :u AND post_type = 'attachment'",
        u=creator["ID"],
    )
    assert media and media <= exported[creator["login"]]  # the media exporter lists their images
