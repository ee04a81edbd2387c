"""Short links in emails (issue 18, item 8): the status and download links carry the HMAC cut
to 128 bits in base64url, still unguessable, compared in constant time and expiring as before;
links already sent in the long form keep working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policykeeper.workflow.errors import Expired, NotFound
from policykeeper.workflow.tokens import Secrets, new_id

KEY = b"k" * 64
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def flipped(token: str) -> str:
    """The token with its last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_a_status_token_is_short_and_names_its_request() -> None:
    secrets, request_id = Secrets(KEY), new_id()
    token = secrets.status_token(request_id)
    assert len(token) == 32 + 1 + 22  # was 32 + 1 + 64
    assert token.split(".")[0] == request_id
    assert secrets.request_for_status(token) == request_id


@pytest.mark.parametrize(
    "forged",
    [
        lambda s, r: flipped(s.status_token(r)),
        lambda s, r: s.submission_token(r),  # another purpose's token
        lambda s, r: Secrets(b"x" * 64).status_token(r),  # another key
        lambda s, r: s.status_token(r)[:-1],  # cut short
        lambda s, r: f"{new_id()}.{s.status_token(r).split('.')[1]}",  # another request's id
        lambda s, r: f"{r}.{'ü' * 22}",
    ],
)
def test_a_forged_status_token_is_not_found(forged) -> None:  # type: ignore[no-untyped-def]
    secrets, request_id = Secrets(KEY), new_id()
    with pytest.raises(NotFound):
        secrets.request_for_status(forged(secrets, request_id))


def test_a_long_status_link_sent_before_still_works() -> None:
    secrets, request_id = Secrets(KEY), new_id()
    legacy = f"{request_id}.{secrets.keyed_hash('status', request_id)}"
    assert secrets.request_for_status(legacy) == request_id
    with pytest.raises(NotFound):
        secrets.request_for_status(flipped(legacy))


def test_a_download_token_is_short_signed_and_expires() -> None:
    secrets, request_id = Secrets(KEY), new_id()
    expires = NOW + timedelta(days=7)
    token = secrets.download_token(request_id, expires)
    assert len(token) == 32 + 1 + 10 + 1 + 22
    assert secrets.request_for_download(token, NOW) == request_id
    with pytest.raises(Expired):
        secrets.request_for_download(token, expires + timedelta(seconds=1))
    request, stamp, mac = token.split(".")
    later = str(int(stamp) + 86400)
    with pytest.raises(NotFound):  # the expiry cannot be moved
        secrets.request_for_download(f"{request}.{later}.{mac}", NOW)
    with pytest.raises(NotFound):
        secrets.request_for_download(flipped(token), NOW)


def test_a_long_download_link_sent_before_still_works_until_it_expires() -> None:
    secrets, request_id = Secrets(KEY), new_id()
    stamp = str(int((NOW + timedelta(days=1)).timestamp()))
    legacy = f"{request_id}.{stamp}.{secrets.keyed_hash('download', request_id + '.' + stamp)}"
    assert secrets.request_for_download(legacy, NOW) == request_id
    with pytest.raises(Expired):
        secrets.request_for_download(legacy, NOW + timedelta(days=2))
