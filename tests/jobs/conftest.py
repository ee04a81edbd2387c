from store.kit import (
    clock,
    mailbox,
    mailer,
    make_client,
    make_workflow,
    smtp_server,
    sqlite_state_url,
    state_url,
    store,
)

__all__ = [
    "clock",
    "mailbox",
    "mailer",
    "make_client",
    "make_workflow",
    "smtp_server",
    "sqlite_state_url",
    "state_url",
    "store",
]
