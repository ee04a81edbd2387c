"""Verification a scanner cannot complete, and a status link only the address's owner gets:
played against a served instance over HTTP, with the email read from a real SMTP server."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from argon2 import PasswordHasher
from security_kit import PASSWORD, STATUS, Served, form_fields, submit_form

Serve = Callable[..., Served]
VICTIM = "victim@example.jp"


def test_a_mail_scanner_opening_the_link_confirms_nothing(serve: Serve, state_store) -> None:
    site = serve(state_url=state_store)
    attacker = site.http()
    response, _ = submit_form(attacker, "access", VICTIM)
    assert response.status_code == 303
    link = site.link(VICTIM)
    token = site.status_token(VICTIM)
    scanner = site.http(**{"user-agent": "SafeLinks/1.0", "accept": "text/html"})
    for method, path in [
        ("GET", f"/verify/{link}"),
        ("HEAD", f"/verify/{link}"),
        ("GET", f"/api/verify/{link}"),
        ("HEAD", f"/api/verify/{link}"),
    ]:
        scanner.request(method, path, follow_redirects=True)
    prefetch = site.http(**{"sec-purpose": "prefetch", "purpose": "prefetch"})
    prefetch.get(f"/verify/{link}")
    assert site.http().get(f"/api/verify/{link}").status_code == 405
    assert site.workflow.status(token)["state"] == "verifying"
    # A POST without the page's CSRF pair is refused; the page's own button confirms.
    assert site.http().post(f"/verify/{link}").status_code in (403, 415, 411)
    person = site.http()
    page = person.get(f"/verify/{link}")
    confirmed = person.post(f"/verify/{link}", data=form_fields(page.text))
    assert confirmed.status_code == 303
    assert site.workflow.status(token)["state"] == "in_review"


def test_whoever_submits_for_someone_else_never_sees_status_or_download(serve: Serve) -> None:
    site = serve()
    attacker = site.http()
    response, _ = submit_form(attacker, "access", VICTIM)
    assert response.status_code == 303 and response.headers["location"].startswith("/confirm")
    landing = attacker.get(response.headers["location"])
    token = site.status_token(VICTIM)
    request_id = token.split(".")[0]
    assert not STATUS.search(landing.text) and request_id not in landing.text
    api = attacker.post("/api/requests", json={"kind": "access", "email": VICTIM})
    assert api.status_code == 202
    assert api.json()["status_token"] is None and "/status/" not in api.text
    # Even typing the code (told by a tricked victim) confirms without revealing anything.
    submission = api.json()["submission_token"]
    code = site.code(VICTIM)
    confirmed = attacker.post(f"/api/submissions/{submission}/verify", json={"code": code})
    assert confirmed.status_code == 200 and set(confirmed.json()) == {"state", "message"}
    assert "/status/" not in confirmed.text and "/download/" not in confirmed.text
    # The submission token is not a status token.
    assert attacker.get(f"/api/status/{submission}").status_code == 404
    assert attacker.get(f"/status/{submission}").status_code == 404
    # The form's browser gets the code box on /confirm, bound to its cookie; it shows no status.
    first = site.workflow.list_requests()[0].id
    page = attacker.get("/confirm")
    assert 'action="/confirm"' in page.text and first not in page.text
    assert site.http().get("/confirm").text.count('name="code"') == 0
    # The status link went to the victim's mailbox, and nowhere else.
    assert all(STATUS.search(body) for body in site.mails(VICTIM))


def test_the_code_typed_where_the_request_was_made(serve: Serve) -> None:
    site = serve()
    browser = site.http()
    submit_form(browser, "erasure", VICTIM)
    page = browser.get("/confirm?sent=1")
    fields = form_fields(page.text)
    wrong = browser.post("/confirm", data={**fields, "code": "000000"})
    assert wrong.status_code in (410, 422)
    code = site.code(VICTIM)
    right = browser.post("/confirm", data={**fields, "code": code})
    assert right.status_code == 303
    done = browser.get(right.headers["location"])
    assert 'data-state="confirmed"' in done.text and not STATUS.search(done.text)
    assert site.workflow.status(site.status_token(VICTIM))["state"] == "in_review"
    # Another browser (no submission cookie) cannot type a code at all.
    stranger = site.http()
    fields = form_fields(stranger.get("/requests/access").text)
    assert stranger.post("/confirm", data={**fields, "code": code}).status_code == 404


def test_guessed_tampered_and_borrowed_links_are_not_found(serve: Serve) -> None:
    """IDOR: status and download links are unguessable, bound to one request, and expire."""
    site = serve()
    for person in ("one@example.jp", "two@example.jp"):
        site.http().post("/api/requests", json={"kind": "access", "email": person})
    one, two = site.status_token("one@example.jp"), site.status_token("two@example.jp")
    http = site.http()
    borrowed = f"{two.split('.')[0]}.{one.split('.')[1]}"
    for token in (borrowed, one[:-1] + ("0" if one[-1] != "0" else "1"), "0" * 32 + "." + "f" * 64):
        assert http.get(f"/api/status/{token}").status_code == 404
        assert http.get(f"/status/{token}").status_code == 404
    assert http.get(f"/api/status/{one}").status_code == 200
    request_id = one.split(".")[0]
    download = site.workflow.secrets.download_token(request_id, site.clock() + _days(1))
    forged = download.rsplit(".", 1)[0] + "." + "0" * 64
    assert http.get(f"/api/download/{forged}").status_code == 404
    other = f"{two.split('.')[0]}.{download.split('.', 1)[1]}"
    assert http.get(f"/api/download/{other}").status_code == 404
    assert http.get("/api/download/ünïcode.1.x").status_code == 404


def test_codes_cannot_be_brute_forced(serve: Serve) -> None:
    site = serve()
    site.http().post("/api/requests", json={"kind": "access", "email": VICTIM})
    token = site.status_token(VICTIM)
    code = site.code(VICTIM)
    http = site.http()
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 7)]
    answers = [http.post(f"/api/status/{token}/verify", json={"code": c}) for c in wrong]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert answers[5].status_code == 410  # the code is spent: a new one must be asked for
    late = http.post(f"/api/status/{token}/verify", json={"code": code})
    assert late.status_code == 410
    assert site.workflow.status(token)["state"] == "verifying"
    # Asking for new codes to keep guessing is limited per address.
    answers = [http.post(f"/api/status/{token}/code") for _ in range(6)]
    assert answers[-1].status_code == 429


def test_csrf_is_required_on_every_person_form(serve: Serve) -> None:
    site = serve()
    browser = site.http()
    submit_form(browser, "access", VICTIM)
    token, link = site.status_token(VICTIM), site.link(VICTIM)
    forged = site.http()  # another site's form: no CSRF cookie, no token
    for path, data in [
        ("/requests/access", {"email": "x@example.jp"}),
        (f"/status/{token}/verify", {"code": site.code(VICTIM)}),
        (f"/status/{token}/withdraw", {}),
        (f"/verify/{link}", {}),
        ("/confirm", {"code": site.code(VICTIM)}),
    ]:
        assert forged.post(path, data=data or {"x": "1"}).status_code == 403, path
    assert site.workflow.status(token)["state"] == "verifying"


def test_csrf_is_required_on_staff_actions(serve: Serve) -> None:
    """The console checks the form's token; the API's session cookie is SameSite=Strict and
    only JSON bodies are read, which a cross-site form cannot send."""
    site = serve()
    http = site.http()
    http.post("/api/requests", json={"kind": "access", "email": VICTIM})
    token = site.status_token(VICTIM)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(VICTIM)})
    request_id = token.split(".")[0]
    console = site.http()
    fields = form_fields(console.get("/admin/login").text)
    console.post("/admin/login", data={**fields, "username": "handler", "password": PASSWORD})
    stolen = console.post(f"/admin/requests/{request_id}/decision", data={"outcome": "approve"})
    assert stolen.status_code == 403
    api = site.http()
    signed = api.post("/api/staff/login", json={"username": "handler", "password": PASSWORD})
    assert "samesite=strict" in signed.headers["set-cookie"].lower()
    plain = api.post(
        f"/api/staff/requests/{request_id}/decision",
        content=b'{"outcome": "approve"}',
        headers={"content-type": "text/plain"},
    )
    assert plain.status_code == 422
    assert site.workflow.get(request_id).state == "in_review"


def test_the_answer_and_its_time_do_not_depend_on_the_address(serve: Serve) -> None:
    """Enumeration: a member of the service and a stranger get the same answer in about the
    same time (nothing about the service's data is looked up before verification)."""
    from security_kit import a_person

    site = serve(users=30, codes_per_ip=1000, codes_per_address=1000)
    _id, member = a_person(site.service_url)
    http = site.http()

    def timed(email: str) -> tuple[float, dict]:
        started = time.perf_counter()
        response = http.post("/api/requests", json={"kind": "access", "email": email})
        return time.perf_counter() - started, response.json()

    timings: dict[str, list[float]] = {"member": [], "stranger": []}
    answers = []
    for n in range(8):
        for who, email in (("member", member), ("stranger", f"nobody{n}@example.jp")):
            spent, body = timed(email)
            timings[who].append(spent)
            answers.append((body["message"], tuple(sorted(body))))
    assert len(set(answers)) == 1
    member_median = statistics.median(timings["member"])
    stranger_median = statistics.median(timings["stranger"])
    assert 0.5 < member_median / stranger_median < 2.0, timings


def test_staff_login_takes_as_long_for_an_unknown_name(serve: Serve) -> None:
    site = serve(password_hasher=PasswordHasher())  # a deployment's cost: what timing reveals
    http = site.http()

    def timed(username: str) -> float:
        started = time.perf_counter()
        response = http.post("/api/staff/login", json={"username": username, "password": "x" * 12})
        assert response.status_code == 401 and response.json()["message"] == (
            "wrong username or password"
        )
        return time.perf_counter() - started

    known = statistics.median(timed("admin") for _ in range(4))
    unknown = statistics.median(timed(f"ghost{n}") for n in range(4))
    assert 0.5 < known / unknown < 2.0


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)
