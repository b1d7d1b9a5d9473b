"""A throwaway PostgreSQL server on 127.0.0.1 for tests and benchmarks (Debian's postgresql package).

It lives in a temporary folder, listens on a free port, trusts local connections and is stopped and
removed on exit. As root it runs as the ``postgres`` system user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (install Debian's postgresql package)."""


def server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    # runuser lives in sbin, which a trimmed PATH may leave out.
    runuser = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if runuser is None:
        raise PostgresUnavailable("runuser is missing: PostgreSQL cannot be started as root without it")
    return [runuser, "-u", "postgres", "--", *command]


@contextlib.contextmanager
def temporary_postgres(database: str = "sparring") -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database."""
    bin_dir = server_bin()
    root = Path(tempfile.mkdtemp(prefix="sparring-pg-"))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")

    def run(*args: object) -> None:
        subprocess.run(_as_server_user([str(a) for a in args]), check=True, capture_output=True, text=True)

    try:
        run(bin_dir / "initdb", "-D", data, "-U", "sparring", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start")
        run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "sparring", database)
        yield f"postgresql+psycopg://sparring@127.0.0.1:{port}/{database}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
