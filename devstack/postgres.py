"""A throwaway PostgreSQL cluster from Debian's packages, ready for logical decoding
(``wal_level=logical``), on 127.0.0.1 and a free port.

PostgreSQL refuses to run as root, so when this process is root the server (and
``initdb``) run as the ``postgres`` system user the Debian package creates. Its data
directory lives in the run directory when that user can reach it, otherwise in a
private directory under /tmp that the run directory links to (pytest's temporary
directories are mode 0700, for instance).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import free_port
from devstack.process import ChildProcess, alive, die_with_parent

SUPERUSER = "postgres"
DATABASE = "shop"
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "wal_level": "logical",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    # A throwaway cluster: durability buys nothing here and costs the 2 cores time.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "64MB",
    "max_connections": "50",
    "log_min_messages": "warning",
}


class PostgresError(RuntimeError):
    pass


def bin_dir() -> Path:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if versions:
        return versions[-1].parent
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    raise PostgresError("no PostgreSQL server found: run `bash deploy/local/install-system-deps.sh`")


def _server_user() -> pwd.struct_passwd | None:
    """The user to run the server as, or None to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("running as root and there is no unprivileged user to run PostgreSQL as")


def _as_user(user: pwd.struct_passwd | None, with_parent: bool) -> Callable[[], None] | None:
    def switch() -> None:
        if user is not None:
            os.setgid(user.pw_gid)
            os.setgroups([])
            os.setuid(user.pw_uid)
        if with_parent:  # after setuid: changing credentials clears the parent-death signal
            die_with_parent()

    return switch if user is not None or with_parent else None


@dataclass
class LocalPostgres(ChildProcess):
    run_dir: Path
    port: int = 0

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def server_dir(self) -> Path:
        """The data directory as the server sees it (the link resolved: it may not be
        allowed to walk the run directory's path)."""
        return self.data_dir.resolve()

    @property
    def log_file(self) -> Path:
        return self.run_dir / "postgres.log"

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _prepare_data_dir(self, user: pwd.struct_passwd | None) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists() or self.data_dir.is_symlink():
            return
        if user is None:
            self.data_dir.mkdir(mode=0o700)
            return
        probe = subprocess.run(["test", "-w", str(self.run_dir)], preexec_fn=_as_user(user, False), check=False)
        if probe.returncode == 0:
            self.data_dir.mkdir(mode=0o700)
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)
            return
        private = Path(tempfile.mkdtemp(prefix="cdr-pg-"))
        os.chown(private, user.pw_uid, user.pw_gid)
        self.data_dir.symlink_to(private, target_is_directory=True)

    def start(self, timeout: float = 60.0, detached: bool = False) -> None:
        """initdb (first start only), start the server, create the database; returns once
        it accepts connections. ``detached``: the server outlives this process."""
        user = _server_user()
        self._prepare_data_dir(user)
        binaries = bin_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            init = subprocess.run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(self.server_dir),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
                capture_output=True,
                text=True,
                preexec_fn=_as_user(user, False),
                check=False,
            )
            if init.returncode != 0:
                raise PostgresError(f"initdb failed: {init.stderr[-2000:]}")
        self.port = self.port or free_port()
        settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": str(self.server_dir)}
        args = [str(binaries / "postgres"), "-D", str(self.server_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        log = self.log_file.open("ab")
        if user is not None:
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_as_user(user, not detached),
        )
        log.close()
        self.pid = self.process.pid
        self.wait_ready(timeout)
        self._create_database()

    def _psql(self, sql: str, database: str = "postgres") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", self.dsn(database), "-c", sql],
            capture_output=True,
            text=True,
            check=False,
        )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PostgresError(f"postgres exited with {self.process.returncode}; see {self.log_file}")
            if self._psql("select 1").returncode == 0:
                return
            time.sleep(0.2)
        self.stop()
        raise PostgresError(f"postgres did not accept connections within {timeout:.0f}s; see {self.log_file}")

    def _create_database(self) -> None:
        created = self._psql(f"create database {DATABASE}")
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise PostgresError(f"could not create database {DATABASE}: {created.stderr.strip()}")

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT: disconnect clients, checkpoint, exit), then SIGKILL."""
        pid = self.pid
        if pid is None:
            return
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    break
                if self.process is None and not alive(pid):
                    break
                time.sleep(0.1)
            else:
                continue
            break
        self.process = None
        self.pid = None

    def remove(self) -> None:
        """Delete the cluster's files (the private /tmp directory too)."""
        if self.data_dir.is_symlink():
            shutil.rmtree(self.data_dir.resolve(), ignore_errors=True)
            self.data_dir.unlink()
        shutil.rmtree(self.data_dir, ignore_errors=True)
