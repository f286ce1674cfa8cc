"""A repository snapshot as the ``fetch`` tool leaves one (a bare git directory at
``<mirror>/<owner>+<name>/repo``), made from inline files, for the corpus readers' tests."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def git_snapshot(mirror: Path, repository: str, files: dict[str, str]) -> str:
    """A bare repository whose HEAD commit holds ``files`` (path, nested or not -> text);
    returns that commit."""
    git_dir = mirror / repository.replace("/", "+") / "repo"
    subprocess.run(["git", "init", "--bare", "--quiet", str(git_dir)], check=True)
    with tempfile.TemporaryDirectory() as work:
        for path, body in files.items():
            target = Path(work) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        base = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "--git-dir", str(git_dir), "--work-tree", work]
        subprocess.run([*base, "add", "--all"], check=True, capture_output=True)
        subprocess.run([*base, "commit", "--quiet", "-m", "test"], check=True, capture_output=True)
        done = subprocess.run([*base, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return done.stdout.strip()
