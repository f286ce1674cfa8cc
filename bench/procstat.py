"""Processes from /proc (Linux): a process's resident memory and CPU time, and the
children a supervisor started."""

from __future__ import annotations

import os
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


def cpu_seconds(pid: int, proc: Path = PROC) -> float | None:
    """User + system CPU time of ``pid`` so far (/proc/PID/stat); None if it is gone."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
