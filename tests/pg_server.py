"""A real PostgreSQL server for the tests: started in a temporary directory on a free
loopback port, stopped afterwards.  It uses the Debian `postgresql` package's binaries."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


class PostgresMissing(RuntimeError):
    pass


def find_bin() -> Path:
    """The folder of initdb and pg_ctl: $URPAQ_PG_BIN, else the newest Debian install."""
    configured = os.environ.get("URPAQ_PG_BIN")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for folder in reversed([c for c in candidates if c]):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    raise PostgresMissing(
        "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/initdb): "
        "install the Debian package `postgresql`, as .ci/run does"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TemporaryPostgres:
    """One PostgreSQL cluster, alive for a test session."""

    def __init__(self) -> None:
        self.bin = find_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="urpaq-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.counter = 0

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.as_root:  # the server refuses to run as root: run it as `postgres`
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self, *, durable: bool = False) -> TemporaryPostgres:
        """Start the server; `durable` keeps fsync on and gives it memory, as in production."""
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
            "--no-locale", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
        if durable:
            options += (
                "-c shared_buffers=2GB -c work_mem=256MB -c maintenance_work_mem=1GB "
                "-c max_wal_size=8GB -c checkpoint_timeout=30min"
            )
        else:  # tests: speed over durability
            options += (
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=100 -c shared_buffers=128MB"
            )
        self._run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-w", "-l",
                  self.folder / "server.log", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        self.counter += 1
        name = f"test_{os.getpid()}_{self.counter}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            suffix = f" TEMPLATE {template}" if template else ""
            connection.execute(f"CREATE DATABASE {name}{suffix}")
        return self.url(name)


def drop_other_connections(url: str) -> None:
    """What a restart of the server does to the connections of this test's process."""
    others = (
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) AS o")
        for _ in range(100):  # until they are gone
            if not admin.execute(others).fetchall():
                return
            time.sleep(0.05)
