"""A PostgreSQL server of the test's own, started and stopped by the test (initdb, pg_ctl).

The Debian postgresql package's binaries are used; initdb refuses to run as root, so as root
the server runs as the `postgres` user (runuser) in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from servers import unavailable


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    bin: Path
    folder: Path
    port: int
    as_user: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        subprocess.run(
            [*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop")


def start_instance() -> Instance:
    """initdb into a new folder and start the server on a free port (skips without the
    binaries outside CI, as every real-server test does)."""
    binaries = _binaries()
    if binaries is None:
        unavailable("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    assert binaries is not None
    as_user = "postgres" if os.geteuid() == 0 else None
    if as_user and shutil.which("runuser") is None:
        unavailable("running as root without runuser: initdb cannot run")
    folder = Path(tempfile.mkdtemp(prefix="pk-outage-"))
    if as_user:
        shutil.chown(folder, as_user)
    instance = Instance(binaries, folder, _free_port(), as_user)
    instance._run(
        str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust"
    )
    instance.start()
    return instance


def remove(instance: Instance) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        instance.stop()
    shutil.rmtree(instance.folder, ignore_errors=True)
