"""Starting and stopping the stack's child processes without leaving any behind."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn``: the child gets SIGKILL when the process that started it dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); look at its state.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def stop_process(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM the process group, wait, then SIGKILL it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 10)
        while time.monotonic() < deadline:
            try:
                waited, _ = os.waitpid(pid, os.WNOHANG)
                if waited == pid:
                    return
            except ChildProcessError:
                pass
            if not alive(pid):
                return
            time.sleep(0.1)


@dataclass(kw_only=True)
class ChildProcess:
    """A stack component run as a child process: its pid (also after the stack tool is
    restarted: ``stack.json`` keeps it) and, in the process that started it, its handle."""

    pid: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM its process group, then SIGKILL; forget it."""
        if self.pid is not None:
            stop_process(self.pid, timeout)
        if self.process is not None:
            self.process.wait(timeout=5)
        self.process = None
        self.pid = None
