"""Resident memory of processes from /proc (Linux): a process's RSS and peak, and the
children a supervisor started."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def status_kib(pid: int, field: str, proc: Path = PROC) -> int | None:
    """A ``kB`` field of /proc/PID/status (``VmRSS``, ``VmHWM``); None if the process is gone."""
    try:
        text = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0])
    return None


def children(pid: int, proc: Path = PROC) -> list[int]:
    """The direct children of ``pid`` (every thread's list)."""
    out: list[int] = []
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return sorted(set(out))
