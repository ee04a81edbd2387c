"""The secret of the keyed hash (HMAC-SHA256) that masks values in rows that stay.

The data map's `hash_key` (usually `${NAME}`) wins. Without it, a random key is created once
in the project's state folder, readable by its owner only, so `init` then `erase` works with
nothing to configure; the same key must then stay with the project (back the folder up), or
later hashes of the same value will differ.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from policykeeper.datamap.connections import expand
from policykeeper.datamap.loading import datamap_path, read_datamap
from policykeeper.engine.state import STATE_DIR, state_directory
from policykeeper.errors import display_path
from policykeeper.policy.loading import project_directory
from policykeeper.project import Project

KEY_FILE = "hash.key"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def key_path(directory: Path) -> Path:
    return directory / STATE_DIR / KEY_FILE


def hash_secret(project: Project) -> str:
    """The data map's hash_key, else the project's own key file, created on first use."""
    if project.datamap.hash_key:
        return expand(project.datamap.hash_key, "hash_key")
    path = key_path(project.directory)
    if not path.is_file():
        _create(path)
    return path.read_text(encoding="ascii").strip()


def _create(path: Path) -> None:
    """Write a new key atomically: concurrent first uses all end up with the same key."""
    folder = state_directory(path.parent.parent)
    temporary = folder / f".{KEY_FILE}.{secrets.token_hex(8)}.part"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def hash_key_location(directory: Path) -> str | None:
    """Where the project's hash key comes from, in one line for `validate` (None: no data map)."""
    if not datamap_path(directory).is_file():
        return None
    datamap, problems = read_datamap(directory, None)
    if datamap is None or problems:
        return None
    if datamap.hash_key:
        names = ", ".join(f"${{{name}}}" for name in _VARIABLE.findall(datamap.hash_key))
        return "hash key: hash_key in datamap.yaml" + (f" ({names})" if names else "")
    path = key_path(project_directory(directory))
    made = "" if path.is_file() else " (created by the first erasure)"
    return f"hash key: {display_path(path)}, owner-only; keep it with the project{made}"
