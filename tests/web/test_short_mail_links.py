"""The links in the person's emails are short (issue 18, item 8) and open the pages they
name: the status page and the download, in Japanese and English."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from store.kit import drain
from web_kit import Site, submit

LINK = re.compile(r"https?://\S+")


def member(site: Site, offset: int) -> str:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(
            sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET :n"), {"n": offset}
        ).scalar_one()
    engine.dispose()
    return str(email)


@pytest.mark.parametrize(("lang", "offset"), [("ja", 8), ("en", 9)])
def test_status_and_download_links_are_short_and_work(site: Site, lang: str, offset: int) -> None:
    client = site.client(**{"accept-language": lang})
    email = member(site, offset)
    token, fields = submit(client, "access", email)
    client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    flow = site.app.state.workflow
    flow.decide(token.split(".")[0], "staff:test", approve=True)
    drain(flow)
    bodies = [body for to, _subject, body in site.mail.messages if to == email]
    links = {link for body in bodies for link in LINK.findall(body)}
    base = flow.settings.base_url
    ours = [link[len(base) :] for link in links if link.startswith(base)]
    status = [path for path in ours if path.startswith("/status/")]
    download = [path for path in ours if path.startswith("/download/")]
    assert status and download
    for path in status:
        assert len(path) <= len("/status/") + 55 and not re.search(r"[0-9a-f]{64}", path)
        assert client.get(path).status_code == 200
    for path in download:
        assert len(path) <= len("/download/") + 66 and not re.search(r"[0-9a-f]{64}", path)
        response = client.get(path)
        assert response.status_code == 200 and response.content[:2] == b"PK"
