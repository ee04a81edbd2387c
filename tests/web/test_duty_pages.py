"""The pages for the duties around the policy: the center's history, and the console's
versions, incidents and provision records with the roles of the request pages (viewer reads,
handler acts, admin publishes), CSRF on every form, and friendly pages for bad input.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from web_kit import Site, form_fields, sign_in

from policykeeper.web import incidents, provisions, versions

ACTIONS = {
    "/admin/versions": "admin",
    "/admin/versions/{number}/resume": "handler",
    "/admin/incidents": "handler",
    "/admin/incidents/{incident_id}/reports": "handler",
    "/admin/incidents/{incident_id}/notify": "handler",
    "/admin/incidents/{incident_id}/announcement": "handler",
    "/admin/incidents/{incident_id}/close": "handler",
    "/admin/provisions": "handler",
}


def console_csrf(client: TestClient) -> str:
    return form_fields(client.get("/admin/password").text)["csrf"]


def console_routes() -> list[tuple[str, str]]:
    found = []
    for router in (versions.router, incidents.router, provisions.router):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.path.startswith("/admin"):
                found += [(method, route.path) for method in route.methods]
    return found


def test_every_duty_page_refuses_anonymous_and_lower_roles(site: Site) -> None:
    anonymous = site.client()
    viewer, handler = sign_in(site, "viewer"), sign_in(site, "handler")
    checked = 0
    for method, path in console_routes():
        url = path.replace("{number}", "1").replace("{incident_id}", "x")
        response = anonymous.request(method, url, data={})
        assert response.status_code == (303 if method == "GET" else 401), (method, path)
        if method == "GET":
            continue
        needed = ACTIONS[path]
        assert viewer.post(url, data={"csrf": console_csrf(viewer)}).status_code == 403, path
        if needed == "admin":
            assert handler.post(url, data={"csrf": console_csrf(handler)}).status_code == 403
        checked += 1
    assert checked == len(ACTIONS)
    for page in ("/admin/versions", "/admin/incidents", "/admin/provisions"):
        shown = viewer.get(page)
        assert shown.status_code == 200 and 'href="/admin/incidents"' in shown.text, page
    assert viewer.get("/admin/incidents/new").status_code == 403


def test_an_admin_publishes_and_everyone_reads_the_history(site: Site) -> None:
    admin = sign_in(site, "admin")
    today = site.clock().date().isoformat()
    refused = admin.post("/admin/versions", data={"effective": today})
    assert refused.status_code == 403  # no CSRF token
    published = admin.post(
        "/admin/versions", data={"effective": today, "csrf": console_csrf(admin)}
    )
    assert published.status_code == 303, published.text
    listing = sign_in(site, "viewer").get("/admin/versions?lang=ja").text
    assert "第1版（2026-03-23）" in listing and "現在の版" in listing
    detail = sign_in(site, "viewer").get("/admin/versions/1?lang=en").text
    assert "The first version we published." in detail
    again = admin.post("/admin/versions", data={"effective": today, "csrf": console_csrf(admin)})
    assert again.status_code == 422 and "<h1>" in again.text  # nothing changed: refused

    center = site.client()
    history = center.get("/policy/history?lang=ja")
    assert history.status_code == 200 and "第1版（2026-03-23）" in history.text
    assert 'href="/policy/history"' in center.get("/policy?lang=ja").text
    for bad in ("?to=abc", "?to=99", "?from=7&to=1"):
        missing = center.get(f"/policy/history{bad}")
        assert missing.status_code == 404 and "<h1>" in missing.text, bad
    assert sign_in(site, "viewer").get("/admin/versions/99").status_code == 404


def test_a_handler_records_an_incident_and_reads_the_report_fields(site: Site) -> None:
    handler = sign_in(site, "handler")
    fields = form_fields(handler.get("/admin/incidents/new").text)
    form = {
        **fields,
        "title": "誤送信による漏えい",
        "discovered_at": "2026-05-01T10:00",
        "cause": "misdelivery",
        "table": "users",
        "columns": "email",
        "where_column": "id",
        "where_from": "1",
        "where_until": "4",
        "ja_summary": "お知らせメールを、宛先を誤って他の会員に送信しました。",
    }
    missing = handler.post("/admin/incidents", data={**form, "title": ""})
    assert missing.status_code == 422 and "title" in missing.text
    recorded = handler.post("/admin/incidents", data=form)
    assert recorded.status_code == 303, recorded.text
    page = handler.get(recorded.headers["location"] + "?lang=ja").text
    assert "誤送信による漏えい" in page and "報告対象外" in page
    assert ">3<" in page.replace(" ", "")
    listing = sign_in(site, "viewer").get("/admin/incidents?lang=en").text
    assert "誤送信による漏えい" in listing and "Not reportable" in listing


def test_provision_records_in_the_console(site: Site) -> None:
    handler = sign_in(site, "handler")
    fields = form_fields(handler.get("/admin/provisions").text)
    refused = handler.post(
        "/admin/provisions",
        data={
            **fields,
            "direction": "provided",
            "recipient": "stripe",
            "subjects": "user_id=1",
            "items": "user.contact.email",
            "at": "2026-04-01T10:00",
        },
    )
    assert refused.status_code == 422 and "APPI Art. 29 asks no provision record" in refused.text
    received = handler.post(
        "/admin/provisions",
        data={
            **fields,
            "direction": "received",
            "provider_name": "提携先株式会社",
            "provider_address": "東京都港区1-1",
            "acquisition": "提携先の会員から同意を得て取得",
            "basis": "consent",
            "subjects": "user_id=2",
            "items": "user.contact.email",
            "at": "2026-04-01T10:00",
        },
    )
    assert received.status_code == 303, received.text
    listing = sign_in(site, "viewer").get("/admin/provisions?subject=user_id%3D2&lang=ja").text
    assert "提携先株式会社" in listing and "第三者からの受領" in listing
    ropa = sign_in(site, "viewer").get("/admin/ropa")
    assert ropa.status_code == 422  # AInema does not declare the GDPR


def test_a_version_that_no_longer_reads_as_a_declaration_is_served_as_published(
    site: Site,
) -> None:
    from policykeeper.lifecycle import in_force, version_text
    from policykeeper.store.lifecycle_models import PolicyVersion

    store = site.app.state.workflow.store
    current = in_force(store, site.clock())
    assert current is not None  # published by the test above
    with store.transaction() as session:
        row = session.get(PolicyVersion, current.number)
        kept, row.declaration = row.declaration, {**row.declaration, "renamed_field": 1}
    try:
        served = site.client().get("/policy?lang=ja")
        assert served.status_code == 200
        assert served.text == version_text(store, current.number, "ja", "html")
        assert site.client().get("/?lang=ja").status_code == 200
    finally:
        with store.transaction() as session:
            session.get(PolicyVersion, current.number).declaration = kept
