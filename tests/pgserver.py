"""A real PostgreSQL for the team tests, started and stopped by the test suite itself.

The cluster runs from the Debian ``postgresql`` binaries as the ``postgres`` OS user when the
tests run as root (PostgreSQL refuses to run as root), on a Unix socket only, with trust
authentication: a test connects as any role by naming it. Each test gets its own database.
Without the binaries the team tests skip, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PORT = 54329


def _bin_dir() -> Path | None:
    override = os.environ.get("DRILLBIT_PG_BIN")
    candidates = [override] if override else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


@dataclass
class Cluster:
    socket_dir: Path

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={PORT}"

    def admin(self, database: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_cluster(bin_dir: Path) -> tuple[Cluster, Callable[[], None]]:
    """Start a throwaway cluster; returns it and the function that stops and removes it."""
    root = Path(tempfile.mkdtemp(prefix="drillbit-pg-"))
    os.chmod(root, 0o755)
    data, sockets = root / "data", root / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        **quiet,  # type: ignore[arg-type]
    )
    options = (
        f"-k {sockets} -p {PORT} -c listen_addresses='' -c fsync=off"
        " -c max_connections=60 -c shared_buffers=128MB"
    )
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(data / "log"),
                "start",
            ]
        ),
        **quiet,  # type: ignore[arg-type]
    )

    def stop() -> None:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)

    return Cluster(sockets), stop


def find_server() -> Path | None:
    """The PostgreSQL binaries, if they and psycopg are installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None
    return _bin_dir()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bin_dir = find_server()
    if bin_dir is None:
        reason = "team tests need PostgreSQL (initdb, pg_ctl) and psycopg; .ci/run installs them"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    cluster, stop = start_cluster(bin_dir)
    try:
        yield cluster
    finally:
        stop()


@dataclass
class Database:
    cluster: Cluster
    name: str

    def url(self, user: str = "postgres") -> str:
        return self.cluster.url(self.name, user)

    def admin(self):  # type: ignore[no-untyped-def]
        return self.cluster.admin(self.name)


@pytest.fixture
def pg_database(pg_cluster: Cluster) -> Iterator[Database]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with pg_cluster.admin() as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield Database(pg_cluster, name)
    with pg_cluster.admin() as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def unique_role(prefix: str) -> str:
    """Roles belong to the cluster, not the database: each test names its own."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
