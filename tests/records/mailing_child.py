"""A sender process the mailing tests kill with SIGKILL at an exact point of its work.

    python mailing_child.py STATE_URL PROJECT MAILING_ID SMTP_HOST SMTP_PORT WHEN N

WHEN is `after_record` (killed once the Nth send is recorded, with the next recipient already
claimed) or `before_send` (killed inside the mailer, before the Nth email leaves).
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policykeeper.records.jobs import people_of
from policykeeper.records.mailings import send_slice
from policykeeper.store import Store
from policykeeper.workflow.mail import SmtpMailer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from store.kit import AUDIT_KEY


def main() -> None:
    state_url, project, mailing_id, host, port, when, count = sys.argv[1:]
    limit = int(count)
    store = Store(state_url, audit_key=AUDIT_KEY)
    smtp = SmtpMailer(host, int(port), "privacy@example.test")
    calls = 0

    class Dying:
        def send(self, to: str, subject: str, body: str) -> None:
            nonlocal calls
            calls += 1
            if when == "before_send" and calls == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            smtp.send(to, subject, body)

    def progress(done: int, total: int) -> None:
        if when == "after_record" and done == limit:
            os.kill(os.getpid(), signal.SIGKILL)

    send_slice(
        store,
        Dying(),
        mailing_id,
        clock=lambda: datetime.now(UTC),
        lease=timedelta(minutes=5),
        people=people_of(Path(project), store, mailing_id),
        progress=progress,
    )


if __name__ == "__main__":
    main()
