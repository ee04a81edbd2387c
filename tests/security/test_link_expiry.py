"""Status and download links expire: a download link after its stamp, a freshly minted one once
the export is older than its lifetime, and a status link some time after its request closed
(an open request's link keeps working however long it takes)."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import Served

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker

Serve = Callable[..., Served]
PERSON = "nobody-here@example.jp"


def completed_access(site: Served) -> str:
    """An access request run to completion (for someone the service does not hold: the answer
    is still an export); its status token."""
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": PERSON})
    token = site.status_token(PERSON)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    decided = http.post(
        f"/api/staff/requests/{token.split('.')[0]}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.json()["state"] == "executing", decided.text
    Worker(site.workflow, JOB_HANDLERS).run_until_idle()
    assert http.get(f"/api/status/{token}").json()["state"] == "completed"
    return token


def test_download_links_expire_and_the_export_outlives_no_link(serve: Serve) -> None:
    site = serve()  # downloads last 7 days by default
    token = completed_access(site)
    http = site.http()
    mailed = site.last_mail(PERSON).split("/api/download/")[1].split()[0]
    assert http.get(f"/api/download/{mailed}").status_code == 200
    site.clock.advance(days=7, seconds=1)
    assert http.get(f"/api/download/{mailed}").status_code == 410
    # A link minted now (as the status page does) does not outlive the export's lifetime.
    fresh = site.workflow.staff_download_token(token.split(".")[0])
    assert http.get(f"/api/download/{fresh}").status_code == 410
    page = http.get(f"/status/{token}").text
    assert "/download/" not in page


def test_a_status_link_expires_after_its_request_closed(serve: Serve) -> None:
    site = serve()
    token = completed_access(site)
    http = site.http()
    site.clock.advance(days=29)
    assert http.get(f"/api/status/{token}").status_code == 200
    assert http.get(f"/status/{token}").status_code == 200  # now cached
    site.clock.advance(days=1, seconds=1)
    assert http.get(f"/api/status/{token}").status_code == 410
    assert http.get(f"/status/{token}").status_code == 410


def test_an_open_request_keeps_its_status_link(serve: Serve) -> None:
    site = serve()
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": PERSON})
    token = site.status_token(PERSON)
    site.clock.advance(days=400)
    assert http.get(f"/api/status/{token}").status_code == 200
