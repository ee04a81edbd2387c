"""Writing results: atomically, so an interrupted command never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from policykeeper.errors import InputError, display_path


def write_atomic(path: Path | str, content: str | bytes) -> None:
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(
            f"{display_path(target)}: directory {display_path(target.parent)} does not exist"
        )
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
