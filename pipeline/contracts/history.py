"""A declaration's history from git, for the catalog: the commits that changed the file
(date, subject) and the ``cdr_topic`` it named at each, hence the topic's versions."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.contracts.gitrev import GIT_TIMEOUT_S, RevisionError, repo_root
from pipeline.errors import SourceFileError
from pipeline.yamlfile import MAX_FILE_BYTES, parse_located

MAX_COMMITS = 50


@dataclass(frozen=True, slots=True)
class Change:
    commit: str
    date: str  # YYYY-MM-DD
    subject: str
    cdr_topic: str | None  # as the file named it then (None: unreadable)


def declaration_history(path: Path, limit: int = MAX_COMMITS) -> list[Change]:
    """Newest first; empty outside git or for a file never committed."""
    try:
        root = repo_root(path.resolve())
    except RevisionError:
        return []
    relative = path.resolve().relative_to(root).as_posix()
    log = _run(
        root,
        "log",
        "--follow",
        "--name-only",
        f"-n{limit}",
        "--date=short",
        "--format=%x1e%H%x1f%ad%x1f%s",
        "--",
        relative,
    )
    out = []
    for block in log.split("\x1e")[1:]:
        head, _, names = block.partition("\n")
        commit, date, subject = [*head.split("\x1f"), "", ""][:3]
        name = next((n for n in names.splitlines() if n.strip()), relative)
        out.append(Change(commit, date, subject, _topic_at(root, commit, name)))
    return out


def _run(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _topic_at(root: Path, commit: str, name: str) -> str | None:
    size = _run(root, "cat-file", "-s", f"{commit}:{name}").strip()
    if not size.isdigit() or int(size) > MAX_FILE_BYTES:
        return None
    try:  # the project's bounded loader: no aliases, limited depth
        data = parse_located(_run(root, "show", f"{commit}:{name}"), name).data
    except SourceFileError:
        return None
    topic = data.get("cdr_topic") if isinstance(data, dict) else None
    return topic if isinstance(topic, str) else None


def versions(history: list[Change], current: str) -> list[tuple[str, str]]:
    """(cdr_topic, first date) oldest first, the current topic last."""
    seen: dict[str, str] = {}
    for change in reversed(history):
        if change.cdr_topic is not None and change.cdr_topic not in seen:
            seen[change.cdr_topic] = change.date
    seen.setdefault(current, "uncommitted")
    ordered = [(t, d) for t, d in seen.items() if t != current]
    return [*ordered, (current, seen[current])]
