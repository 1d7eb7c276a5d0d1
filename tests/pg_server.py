"""A throwaway PostgreSQL server for the tests (a pytest plugin: ``pytest_plugins = ["tests.pg_server"]``).

``pg_server`` (session) starts a cluster from Debian's server binaries on a free loopback port
and stops it at the end; ``pg_url`` (per test) is a factory that creates a fresh database and
returns its SQLAlchemy URL. Without the binaries the tests that need them are skipped, unless
``CROSSCOUNT_REQUIRE_PG=1`` (as in CI), which makes that a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest

PG_GLOB = "/usr/lib/postgresql/*/bin/initdb"
REQUIRE_ENV = "CROSSCOUNT_REQUIRE_PG"


@dataclass
class PgServer:
    """A running throwaway cluster; ``url(db)`` is the SQLAlchemy URL of one of its databases."""

    host: str
    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # name is ours: hex only
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set {REQUIRE_ENV}=1 to make this a failure)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(cmd: list[str], as_postgres: bool) -> subprocess.CompletedProcess[str]:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """Start a throwaway PostgreSQL cluster for the session (skip, or fail under CI, without one)."""

    def version(path: str) -> int:
        major = Path(path).parts[-3]
        return int(major) if major.isdigit() else 0

    found = sorted(glob.glob(PG_GLOB), key=version)
    if not found:
        _unavailable(f"no server binaries match {PG_GLOB} (apt-get install postgresql)")
    bindir = Path(found[-1]).parent
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server as")
        if shutil.which("runuser") is None:
            _unavailable("running as root and runuser is missing")
    root = Path(tempfile.mkdtemp(prefix="crosscount-pg-"))
    if as_root:
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, log = root / "data", root / "server.log"
    started = False
    try:
        init = _run(
            [f"{bindir}/initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
            as_root,
        )
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}", pytrace=False)
        for _attempt in range(3):  # the free port can be taken between the probe and the start
            port = _free_port()
            options = (
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            start = _run(
                [f"{bindir}/pg_ctl", "-D", str(data), "-l", str(log), "-w", "-o", options, "start"],
                as_root,
            )
            if start.returncode == 0:
                started = True
                break
        if not started:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{server_log}", pytrace=False)
        yield PgServer(host="127.0.0.1", port=port)
    finally:
        if started:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], as_root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[Callable[[], str]]:
    """A factory: each call creates a fresh database and returns its URL; dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = pg_server.create_database()
        made.append(name)
        return pg_server.url(name)

    yield make
    for name in made:
        pg_server.drop_database(name)
