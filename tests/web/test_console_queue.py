"""References and the queue: short human references (AIN-2026-000123, the prefix from the data
map) on every console page, the status page and the emails; search by reference or email; a
requester column; requests the person has not confirmed stay out of the deadline counts."""

from __future__ import annotations

import re

from test_console_language import made
from web_kit import Site, sign_in

from policykeeper.workflow.service import NewRequest

REFERENCE = re.compile(r"AIN-\d{4}-\d{6}")


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'<li class="sla-(\w+)"><span class="count">(\d+)</span>', html)
    return {level: int(n) for level, n in found}


def test_short_references_everywhere_and_search(site: Site) -> None:
    flow = site.app.state.workflow
    request_id = made(site, "access", "Reference.Person@example.jp")
    row = flow.get(request_id)
    reference = flow.reference(row)
    year = row.received_at.year
    assert re.fullmatch(rf"AIN-({year}|{year + 1})-\d{{6}}", reference)
    assert reference.endswith(f"{row.number:06d}")
    flow.send_notification(request_id, "received")  # the worker's job, run here
    received = site.mail.messages[-1][2]
    assert f"受付番号：{reference}" in received and f"受付番号：{request_id}" not in received
    staff = sign_in(site, "viewer", **{"accept-language": "ja"})
    queue = staff.get("/admin/requests").text
    assert reference in queue and row.email in queue
    assert "請求者" in queue
    detail = staff.get(f"/admin/requests/{request_id}").text
    assert f'<span class="mono small">{reference}</span>' in detail
    assert reference in staff.get(f"/admin/requests/{request_id}/tasks").text
    person = site.client(**{"accept-language": "ja"})
    status = person.get(f"/status/{flow.secrets.status_token(request_id)}").text
    assert reference in status
    for query in (reference, reference.lower(), str(row.number), "REFERENCE.person@example.jp"):
        found = staff.get("/admin/requests", params={"q": query}).text
        assert f"/admin/requests/{request_id}" in found, query
    other = staff.get("/admin/requests", params={"q": "AIN-2026-999999"}).text
    assert f"/admin/requests/{request_id}" not in other and "条件に合う請求はありません" in other
    assert staff.get("/admin/requests", params={"q": "' OR 1=1 --"}).status_code == 200
    # Serials are handed out once each, in order.
    second = made(site, "access", "reference.second@example.jp")
    assert flow.get(second).number == row.number + 1


def test_unconfirmed_requests_are_left_out_of_the_deadline_counts(site: Site) -> None:
    flow = site.app.state.workflow
    staff = sign_in(site, "viewer", **{"accept-language": "en"})
    before = counts(staff.get("/admin/requests").text)
    submitted = flow.submit(NewRequest(kind="erasure", email="unsure@example.jp"), "10.2.2.2")
    after_html = staff.get("/admin/requests").text
    after = counts(after_html)
    assert after["unconfirmed"] == before["unconfirmed"] + 1
    assert {k: after[k] for k in ("overdue", "soon", "on_time")} == {
        k: before[k] for k in ("overdue", "soon", "on_time")
    }
    row = re.search(
        rf'<tr class="row-(\w+)">(?:(?!</tr>).)*/admin/requests/{submitted.request_id}"',
        after_html,
        re.S,
    )
    assert row and row.group(1) == "unconfirmed"
    flow.verify_code(submitted.status_token, site.mail.code("unsure@example.jp"), "10.2.2.2")
    confirmed = counts(staff.get("/admin/requests").text)
    assert confirmed["unconfirmed"] == before["unconfirmed"]
    assert confirmed["on_time"] + confirmed["soon"] == before["on_time"] + before["soon"] + 1
