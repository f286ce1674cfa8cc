"""A schema registry with the Confluent-compatible REST API on 127.0.0.1: Apicurio
Registry from Maven Central, no Docker, in-memory storage.

Apicurio 3.x (``deploy/local/maven/registry``) needs Java 21+: a JDK of that version is
looked for (``CDR_REGISTRY_JAVA``, ``JAVA_HOME``, ``/usr/lib/jvm/*``). Without one the
2.6 app (``deploy/local/maven/registry-java17``) runs on the machine's Java 17 with the
same API, and the fallback is said on stderr. Both are Maven ``tar.gz`` archives,
unpacked once under ``~/.cache/cdr-pipeline/apicurio/``. Both the HTTP and the management port are bound to
loopback on free ports (Quarkus would open 0.0.0.0:9000 for management otherwise).

The Confluent API is at ``<url>`` = ``http://127.0.0.1:<port>/apis/ccompat/v7``; the
registry is ready when ``GET <url>/subjects`` answers with a JSON list.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack import maven
from devstack.ports import free_port
from devstack.process import ChildProcess, die_with_parent

REGISTRY_HEAP = os.environ.get("CDR_STACK_REGISTRY_HEAP", "-Xms64m -Xmx512m")
CCOMPAT_PATH = "/apis/ccompat/v7"
UNPACKED = Path.home() / ".cache" / "cdr-pipeline" / "apicurio"
JVM_DIRS = Path("/usr/lib/jvm")
MODERN_JAVA = 21  # Apicurio 3.x's class files


class RegistryStartError(RuntimeError):
    pass


def java_major(java: str) -> int | None:
    """The major version of a ``java`` executable, or None if it does not run."""
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def modern_java() -> str | None:
    """A ``java`` of version 21 or later, or None."""
    candidates = [os.environ.get("CDR_REGISTRY_JAVA", "")]
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    if JVM_DIRS.is_dir():
        candidates.extend(str(p / "bin" / "java") for p in sorted(JVM_DIRS.iterdir(), reverse=True))
    candidates.append(shutil.which("java") or "")
    for java in dict.fromkeys(c for c in candidates if c):
        if Path(java).is_file() and (java_major(java) or 0) >= MODERN_JAVA:
            return java
    return None


def _launcher(app: Path) -> Path | None:
    """The jar that runs an unpacked app: 3.x ``quarkus-run.jar``, 2.6 ``*-runner.jar``."""
    if (app / "quarkus-run.jar").is_file():
        return app / "quarkus-run.jar"
    return next(iter(sorted(app.glob("*-runner.jar"))), None)


def _extract(tar: tarfile.TarFile, into: Path) -> None:
    """Unpack ``tar`` under ``into`` and nowhere else: the standard library's ``data``
    filter where it has one (3.11.4+); before it (Debian 12's 3.11.2), only regular
    files and directories whose names stay inside, anything else refused, each written
    as the ``data`` filter writes it: owned by whoever unpacks, no setuid, setgid or
    write bit for others (0o755 or 0o644 by the owner's execute bit)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(into, filter="data")
        return
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise RegistryStartError(f"refused to unpack {member.name!r}: not a plain file inside the archive")
        if not name.parts:
            continue  # '.': the destination itself, made here
        member.mode = 0o755 if member.isdir() or member.mode & 0o100 else 0o644
        member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
        members.append(member)
    tar.extractall(into, members=members)  # every member checked above


def _unpacked_app(archive: Path) -> Path:
    """The jar that runs the app unpacked from its Maven archive (unpacked once, renamed
    into place atomically)."""
    target = UNPACKED / archive.name.removesuffix(".tar.gz")
    launcher = _launcher(target) if target.is_dir() else None
    if launcher is not None:
        return launcher
    UNPACKED.mkdir(parents=True, exist_ok=True)
    partial = UNPACKED / f".{target.name}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        _extract(tar, partial)
    try:
        partial.rename(target)
    except OSError:  # another process unpacked it first
        shutil.rmtree(partial, ignore_errors=True)
    launcher = _launcher(target)
    if launcher is None:
        raise RegistryStartError(f"{archive.name} holds no quarkus-run.jar or *-runner.jar")
    return launcher


def fetch() -> tuple[list[str], str]:
    """(the command prefix that runs the registry, what it is), fetching it into ~/.m2."""
    java = modern_java()
    if java is not None:
        app = _unpacked_app(Path(maven.classpath("registry").split(":")[0]))
        return [java, "-jar", str(app)], f"Apicurio Registry 3 ({java})"
    runner = _unpacked_app(Path(maven.classpath("registry-java17").split(":")[0]))
    print(
        f"devstack.registry: no Java {MODERN_JAVA}+ found (CDR_REGISTRY_JAVA, JAVA_HOME, {JVM_DIRS}); "
        "running Apicurio Registry 2.6 on the default Java instead",
        file=sys.stderr,
    )
    return ["java", "-jar", str(runner)], "Apicurio Registry 2.6 (Java 17 fallback)"


@dataclass
class LocalRegistry(ChildProcess):
    run_dir: Path
    port: int = 0
    management_port: int = 0
    description: str = ""

    @property
    def url(self) -> str:
        """The Confluent-compatible API's base URL (what clients are given)."""
        return f"http://127.0.0.1:{self.port}{CCOMPAT_PATH}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "registry.log"

    def start(self, timeout: float = 180.0, detached: bool = False) -> None:
        """Start the registry; returns once its Confluent API answers. ``detached``: it
        outlives this Python process (``stack up``); otherwise it dies with it."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        command, self.description = fetch()
        self.port = self.port or free_port()
        self.management_port = self.management_port or free_port()
        java, *rest = command
        argv = [
            java,
            *REGISTRY_HEAP.split(),
            "-Djava.awt.headless=true",
            "-Dquarkus.http.host=127.0.0.1",
            f"-Dquarkus.http.port={self.port}",
            "-Dquarkus.management.host=127.0.0.1",
            f"-Dquarkus.management.port={self.management_port}",
            "-Dquarkus.log.console.color=false",
            *rest,
        ]
        out = self.log_file.open("ab")
        self.process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.run_dir,
            start_new_session=True,
            preexec_fn=None if detached else die_with_parent,
        )
        out.close()
        self.pid = self.process.pid
        (self.run_dir / "registry.pid").write_text(str(self.pid))
        self.wait_ready(timeout)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/subjects", timeout=2) as resp:
                return resp.status == 200 and isinstance(json.loads(resp.read()), list)
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RegistryStartError(f"the registry exited with {self.process.returncode}; see {self.log_file}")
            if self.ready():
                return
            time.sleep(0.3)
        self.stop()
        raise RegistryStartError(f"the registry did not answer within {timeout:.0f}s; see {self.log_file}")

    def __enter__(self) -> LocalRegistry:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


if __name__ == "__main__":  # python -m devstack.registry: fetch only, say which one runs here
    _, what = fetch()
    print(f"registry: {what}, fetched from Maven Central into ~/.m2")
