"""The policy's life: published versions, the differences between them, and change notices."""

from policykeeper.lifecycle.diff import Change, describe, diff
from policykeeper.lifecycle.versions import (
    NoticeTooShort,
    Published,
    changes_between,
    in_force,
    list_versions,
    publish,
    publish_project,
    published_text,
    upcoming,
    version_text,
)

__all__ = [
    "Change",
    "NoticeTooShort",
    "Published",
    "changes_between",
    "describe",
    "diff",
    "in_force",
    "list_versions",
    "publish",
    "publish_project",
    "published_text",
    "upcoming",
    "version_text",
]
