"""The declarations as they were at a git revision (``git show REV:path``), loaded with
the same loader as today's, so both sides of ``cdr check --against`` read alike."""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from pipeline.core.declaration import DeclarationSet
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.declarations.loader import SUFFIXES, load_declarations
from pipeline.errors import CdrError, InvalidFilesError
from pipeline.yamlfile import MAX_FILE_BYTES

GIT_TIMEOUT_S = 60
MAX_FILES = 10_000  # declarations at one revision


class RevisionError(CdrError):
    """The revision cannot be read (not a git repository, unknown revision, ...)."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RevisionError(f"git {args[0]}: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise RevisionError(f"git {' '.join(args[:2])}: {last}")
    return done.stdout


def repo_root(path: Path) -> Path:
    where = path if path.is_dir() else path.parent
    return Path(_git(where, "rev-parse", "--show-toplevel").strip())


def default_revision(root: Path) -> str | None:
    """The merge base with HEAD's upstream, else with main (or master); HEAD itself when
    neither exists (a pre-commit hook on the main branch); None before the first commit."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except RevisionError:
        return None
    for other in ("@{upstream}", "main", "origin/main", "master", "origin/master"):
        try:
            return _git(root, "merge-base", "HEAD", other).strip()
        except RevisionError:
            continue
    return "HEAD"


def declarations_at(
    rev: str,
    schemas_dir: Path,
    entities: Iterable[str],
    defaults: Mapping[str, TreatmentSpec],
) -> DeclarationSet:
    """Load the declarations under ``schemas_dir`` as they were at ``rev``; a directory that
    did not exist then gives an empty set. Each declaration's path reads ``REV:path``."""
    root = repo_root(schemas_dir.resolve())
    relative = schemas_dir.resolve().relative_to(root).as_posix() if schemas_dir.resolve() != root else "."
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except RevisionError:
        raise RevisionError(f"unknown git revision {rev!r}") from None
    names = [
        n
        for n in _git(root, "ls-tree", "-r", "--name-only", commit, "--", relative).splitlines()
        if n.endswith(SUFFIXES) and not n.endswith(".schema.json")
    ]
    if len(names) > MAX_FILES:
        raise RevisionError(f"{rev}: more than {MAX_FILES} declaration files under {relative}")
    with tempfile.TemporaryDirectory(prefix="cdr-check-") as tmp:
        base = Path(tmp)
        for name in names:
            target = base / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_show(root, commit, name))
        top = base / relative
        if not top.exists():
            return DeclarationSet(MappingProxyType({}))
        try:
            loaded = load_declarations(top, entities, defaults)
        except InvalidFilesError as exc:
            shown = [f"{rev}:{Path(e.file).relative_to(base).as_posix()}:{e.line}: {e.message}" for e in exc.errors]
            raise RevisionError(f"the declarations at {rev} do not load: " + "; ".join(shown[:5])) from None
        prefix = f"{rev}:"
        return DeclarationSet(
            MappingProxyType(
                {
                    t: dataclasses.replace(d, path=prefix + Path(d.path).relative_to(base).as_posix())
                    for t, d in loaded.by_topic.items()
                }
            )
        )


def _show(root: Path, commit: str, name: str) -> bytes:
    size = _git(root, "cat-file", "-s", f"{commit}:{name}").strip()
    if not size.isdigit() or int(size) > MAX_FILE_BYTES:
        raise RevisionError(f"{name} at {commit[:12]} is larger than {MAX_FILE_BYTES} bytes")
    try:
        done = subprocess.run(
            ["git", "show", f"{commit}:{name}"], cwd=root, capture_output=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RevisionError(f"git show: {exc}") from None
    if done.returncode != 0:
        raise RevisionError(f"git show {name} at {commit[:12]} failed")
    return done.stdout


def file_at(rev: str, path: Path) -> bytes | None:
    """``path`` as it was at ``rev``: None when it is outside the repository or did not
    exist then; raises RevisionError for an unknown revision."""
    resolved = path.resolve()
    root = repo_root(resolved.parent)
    try:
        relative = resolved.relative_to(root).as_posix()
    except ValueError:
        return None
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except RevisionError:
        raise RevisionError(f"unknown git revision {rev!r}") from None
    if not _git(root, "ls-tree", "--name-only", commit, "--", relative).strip():
        return None
    return _show(root, commit, relative)


def undo_command(rev: str, root: Path, files: Iterable[str]) -> list[str] | None:
    """The git command that puts ``files`` (working-tree paths, or ``REV:path`` for a
    deleted one) back as they were at ``rev``: None when there is nothing to restore."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except RevisionError:
        return None
    relative: list[str] = []
    for file in files:
        # a deleted file is named REV:<path under the repository>; any other, as loaded
        resolved = root / file.split(":", 1)[1] if file.startswith(f"{rev}:") else Path(file).resolve()
        try:
            name = resolved.relative_to(root).as_posix()
        except ValueError:
            continue
        try:
            present = bool(_git(root, "ls-tree", "--name-only", commit, "--", name).strip())
        except RevisionError:
            present = False
        if present and name not in relative:
            relative.append(name)
    return ["git", "-C", str(root), "checkout", commit[:12], "--", *sorted(relative)] if relative else None
