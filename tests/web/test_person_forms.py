"""Forms and errors in the GOV.UK style (issue 18): an error summary linking to the field and
「エラー：」 in the title, tries left and "too many attempts" on the code page, a confirmation
before withdrawing, and banners shown once through a cookie, never through the URL.
"""

from __future__ import annotations

from web_kit import Site, submit


def test_wrong_codes_say_how_many_tries_are_left_then_too_many(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    email = "tries@example.jp"
    token, fields = submit(client, "access", email)

    def wrong() -> str:
        page = client.post(
            f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": "000000"}
        )
        return page.text

    first = wrong()
    assert "<title>エラー：ご請求の状況" in first
    assert first.index("error-summary") < first.index("<h1>") and 'href="#code"' in first
    assert "あと4回入力できます" in first
    for left in (3, 2, 1):
        assert f"あと{left}回入力できます" in wrong()
    last = wrong()
    assert "誤った回数が上限に達したため" in last
    assert "確認コードの有効期限が切れているか" not in last  # not told it "expired"
    again = client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    assert again.status_code == 410 and "誤った回数が上限に達したため" in again.text


def test_withdrawing_asks_first_and_the_banner_shows_once(site: Site) -> None:
    client = site.client(**{"accept-language": "en"})
    token, fields = submit(client, "access", "withdraw@example.jp")
    status = client.get(f"/status/{token}").text
    assert f'href="/status/{token}/withdraw"' in status
    assert f'action="/status/{token}/withdraw"' not in status  # no one-click withdrawal
    unconfirmed = client.post(f"/status/{token}/withdraw", data={"csrf": fields["csrf"]})
    assert unconfirmed.headers["location"] == f"/status/{token}/withdraw"
    assert site.app.state.workflow.status(token)["state"] == "verifying"
    asked = client.get(f"/status/{token}/withdraw").text
    assert "Withdraw your request?" in asked and 'name="confirm" value="1"' in asked
    done = client.post(f"/status/{token}/withdraw", data={"csrf": fields["csrf"], "confirm": "1"})
    assert done.headers["location"] == f"/status/{token}"  # nothing in the URL
    assert site.app.state.workflow.status(token)["state"] == "withdrawn"
    shown = client.get(done.headers["location"])
    assert "Your request has been withdrawn." in shown.text
    assert shown.text.count('class="alert success"') == 1
    assert "pk_flash" in shown.headers["set-cookie"]  # the banner's cookie is cleared
    assert client.get(f"/status/{token}").text.count('class="alert success"') == 0


def test_a_completed_page_asks_for_no_code(site: Site) -> None:
    from store.kit import drain

    client = site.client(**{"accept-language": "ja"})
    email = "done@example.jp"
    token, fields = submit(client, "access", email)
    client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    site.app.state.workflow.decide(token.split(".")[0], "staff:test", approve=True)
    drain(site.app.state.workflow)
    page = client.get(f"/status/{token}?sent=1").text
    assert 'data-state="completed"' in page
    assert "下の欄にコードを入力して" not in page and "確認コードを入力してください" not in page


def test_cookie_settings_follow_the_browser_and_the_center_links_to_them(site: Site) -> None:
    for header, lang in (("ja,en;q=0.5", "ja"), ("en-GB,en;q=0.9", "en")):
        client = site.client(**{"accept-language": header})
        page = client.get("/consent/preferences")
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        home = client.get("/").text
        assert 'href="/consent/preferences"' in home
    chosen = site.client(**{"accept-language": "ja"}).get("/consent/preferences?lang=en")
    assert '<html lang="en">' in chosen.text  # the visible switch still wins
