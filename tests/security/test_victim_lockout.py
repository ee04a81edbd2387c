"""Someone who files requests for a victim's address from their own addresses cannot spend the
victim's allowance: the victim, from where they are, can still ask and receive a code."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import Served

Serve = Callable[..., Served]
VICTIM = "victim@example.jp"


def test_a_third_party_cannot_lock_the_person_out(serve: Serve) -> None:
    site = serve(codes_per_address=3, codes_per_ip=50)
    for n in range(4):
        attacker = site.client(source=f"203.0.113.{n + 10}")
        answers = [
            attacker.post("/api/requests", json={"kind": "erasure", "email": VICTIM}).status_code
            for _ in range(4)
        ]
        assert answers == [202, 202, 202, 429]  # each source is still limited
    sent = len(site.mailbox.to(VICTIM))
    victim = site.client(source="192.0.2.44")
    filed = victim.post("/api/requests", json={"kind": "access", "email": VICTIM})
    assert filed.status_code == 202, filed.text
    assert len(site.mailbox.to(VICTIM)) == sent + 1
