"""Sending email over SMTP, to the server and from the address the configuration names."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from policykeeper.config import Config
from policykeeper.errors import InputError


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """SMTP, STARTTLS or SMTPS (`smtps`). TLS always verifies the server's certificate and
    host name (against the system's CAs, or `cafile`): mail carries verification codes and
    status links, so a relay that cannot prove who it is gets nothing; a server that does not
    offer STARTTLS when asked is an error, never a plain-text fallback."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    smtps: bool = False
    cafile: str | None = None

    def __post_init__(self) -> None:
        if self.username and not (self.starttls or self.smtps):
            raise InputError(
                f"SMTP login to {self.host} needs TLS (starttls=1 or smtps://): "
                "the password would cross the network in clear"
            )

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpMailer:
        """smtp://user:password@host:port?starttls=1, smtps://user:password@host:465;
        `cafile=PATH` trusts a private CA instead of the system's."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise InputError(f"{parts.scheme or url}: the SMTP URL must start smtp:// or smtps://")
        query = parse_qs(parts.query)
        smtps = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if smtps else 25),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
            smtps=smtps,
            cafile=query.get("cafile", [None])[0],
        )

    @classmethod
    def from_config(cls, config: Config) -> SmtpMailer:
        return cls.from_url(config.smtp_url, config.mail_from)

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body, charset="utf-8")
        if self.smtps:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._tls()
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with connection as client:
            if self.starttls and not self.smtps:
                client.starttls(context=self._tls())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)

    def _tls(self) -> ssl.SSLContext:
        """A verifying context (certificate chain and host name), never smtplib's default,
        which accepts any certificate."""
        return ssl.create_default_context(cafile=self.cafile)
