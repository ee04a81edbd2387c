"""Mail carries verification codes and status links: TLS to the relay verifies the server's
certificate and name (STARTTLS and SMTPS), a relay that does not offer STARTTLS is an error,
and a password never crosses the network in clear."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from store.kit import Mailbox, _Collector, free_port

from policykeeper.errors import InputError
from policykeeper.workflow.mail import SmtpMailer


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (as a relay with an unknown CA would have)."""
    cert, key = tmp_path / "relay.pem", tmp_path / "relay.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Implicit(Controller):
    """An SMTPS relay: TLS from the first byte. Its readiness probe (the test's, not the
    mailer's) reads the banner without checking the certificate."""

    def __init__(self, handler: object, context: ssl.SSLContext) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=free_port(), ssl_context=context)

    def _trigger_server(self) -> None:
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.check_hostname, probe.verify_mode = False, ssl.CERT_NONE
        with (
            socket.create_connection((self.hostname, self.port), timeout=10) as raw,
            probe.wrap_socket(raw) as tls,
        ):
            tls.recv(1024)


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def starttls_relay(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(
        _Collector(mailbox),
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=_server_context(certificate),
        require_starttls=True,
    )
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtps_relay(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    controller = _Implicit(_Collector(mailbox), _server_context(certificate))
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


def test_starttls_refuses_a_relay_whose_certificate_does_not_verify(starttls_relay) -> None:
    port, mailbox = starttls_relay
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{port}?starttls=1", "privacy@example.test")
    with pytest.raises(ssl.SSLCertVerificationError):
        mailer.send("person@example.jp", "code", "Verification code: 123456")
    assert mailbox.messages == []


def test_starttls_sends_to_a_relay_it_can_verify(starttls_relay, certificate) -> None:
    port, mailbox = starttls_relay
    url = f"smtp://127.0.0.1:{port}?starttls=1&cafile={certificate[0]}"
    SmtpMailer.from_url(url, "privacy@example.test").send("person@example.jp", "s", "body")
    assert [m["To"] for m in mailbox.messages] == ["person@example.jp"]


def test_smtps_verifies_the_relay(smtps_relay, certificate) -> None:
    port, mailbox = smtps_relay
    untrusted = SmtpMailer.from_url(f"smtps://127.0.0.1:{port}", "privacy@example.test")
    with pytest.raises(ssl.SSLCertVerificationError):
        untrusted.send("person@example.jp", "code", "Verification code: 123456")
    assert mailbox.messages == []
    trusted = SmtpMailer.from_url(
        f"smtps://127.0.0.1:{port}?cafile={certificate[0]}", "privacy@example.test"
    )
    trusted.send("person@example.jp", "s", "body")
    assert len(mailbox.messages) == 1


def test_asking_for_starttls_of_a_relay_without_it_is_an_error(smtp_server) -> None:
    host, port, mailbox = smtp_server
    mailer = SmtpMailer.from_url(f"smtp://{host}:{port}?starttls=1", "privacy@example.test")
    with pytest.raises(Exception, match="STARTTLS"):
        mailer.send("person@example.jp", "code", "Verification code: 123456")
    assert mailbox.messages == []


def test_a_password_is_never_sent_without_tls() -> None:
    with pytest.raises(InputError, match="needs TLS"):
        SmtpMailer.from_url("smtp://user:secret@mail.example.jp:587", "privacy@example.test")
    assert SmtpMailer.from_url("smtp://user:secret@mail.example.jp:587?starttls=1", "p@x.jp")
