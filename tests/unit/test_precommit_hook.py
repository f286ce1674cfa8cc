"""The shipped .pre-commit-hooks.yaml, installed with the pre-commit framework in a
temporary git repository: a good change commits, a breaking one is refused with the rule
id shown. `language: system`: no hook environment is built (nothing to download)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

GOOD = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.shop.customers.v1
owner: crm
columns:
  id:    {pii: none}
  email: {pii: EMAIL_ADDRESS, treatment: hash}
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PYTHONPATH": str(REPO),  # the `cdr` on PATH runs this tree's code
        "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "CDR_HASH_KEY": os.environ.get("CDR_HASH_KEY", ""),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }


def _run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_hook_passes_a_good_change_and_refuses_a_breaking_one(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert shutil.which("cdr", path=env["PATH"]), "the cdr console script must be installed next to python"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-qm", "hooks")):
        assert _run(hooks, env, "git", *args).returncode == 0
    rev = _run(hooks, env, "git", "rev-parse", "HEAD").stdout.strip()

    project = tmp_path / "project"
    (project / "schemas").mkdir(parents=True)
    (project / "schemas" / "customers.yaml").write_text(GOOD)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: cdr-check\n"
    )
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-qm", "first")):
        assert _run(project, env, "git", *args).returncode == 0
    installed = _run(project, env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stderr

    # A good change: a new column, declared.
    (project / "schemas" / "customers.yaml").write_text(GOOD + "  plan:  {pii: none}\n")
    _run(project, env, "git", "add", "-A")
    good = _run(project, env, "git", "commit", "-m", "declare plan")
    assert good.returncode == 0, good.stdout + good.stderr
    shown = good.stdout + good.stderr  # git runs the hook with its output on stderr
    assert "cdr check (data contracts)" in shown and "Passed" in shown

    # A breaking change: hashed e-mail published as is.
    (project / "schemas" / "customers.yaml").write_text(
        GOOD.replace("treatment: hash", "treatment: pass") + "  plan:  {pii: none}\n"
    )
    _run(project, env, "git", "add", "-A")
    bad = _run(project, env, "git", "commit", "-m", "publish e-mails")
    assert bad.returncode != 0
    shown = bad.stdout + bad.stderr
    assert "Failed" in shown
    assert "PROTECTION_TREATMENT_NO_WEAKEN" in shown and "customers.yaml:7" in shown
    assert _run(project, env, "git", "rev-list", "--count", "HEAD").stdout.strip() == "2"  # not committed
    # language: system: pre-commit built no environment for the hook (nothing to download)
    cache = Path(env["PRE_COMMIT_HOME"])
    assert not list(cache.rglob("pyvenv.cfg"))
