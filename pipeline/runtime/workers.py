"""``cdr run --workers N``: N worker processes, each a member of the consumer group (the
GIL is per process), under one supervisor.

- Worker ``i`` runs ``cdr run --config FILE --worker-id i``: its own consumer, its own
  producer (exactly-once: ``transactional.id`` = prefix + ``i``), its metrics and health
  endpoints on ``metrics.port + i``.
- SIGTERM/SIGINT to the supervisor is passed to every worker; each finishes its batch,
  commits and leaves the group; the supervisor exits with the worst exit code.
- Workers get SIGTERM if the supervisor itself dies (``PR_SET_PDEATHSIG``): no orphans.
- A worker that dies (a signal, or any non-zero exit other than "fenced") is restarted
  with a growing delay (1 s up to 30 s); the group rebalances its partitions meanwhile.
  A fenced worker is not restarted: another instance owns its transactional.id.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.runtime.logs import log
from pipeline.vocabulary import ExitCode

logger = logging.getLogger("cdr.workers")
_PR_SET_PDEATHSIG = 1


def term_with_parent() -> None:
    """The calling process (a worker; a ``preexec_fn``) gets SIGTERM when its parent dies."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Worker:
    worker_id: int
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    done: bool = False
    codes: list[int] = field(default_factory=list)


class Supervisor:
    def __init__(self, config: Path, workers: int) -> None:
        self.config = config
        self.workers = [Worker(i) for i in range(workers)]
        self.stopping = False

    def _start(self, worker: Worker) -> None:
        cmd = [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--config",
            str(self.config),
            "--worker-id",
            str(worker.worker_id),
        ]
        worker.proc = subprocess.Popen(cmd, preexec_fn=term_with_parent)
        log(
            logger,
            logging.INFO,
            "worker_started",
            worker=worker.worker_id,
            pid=worker.proc.pid,
            restarts=worker.restarts,
        )

    def request_stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        log(logger, logging.INFO, "stopping_workers", workers=len(self.workers))
        for w in self.workers:
            if w.proc is not None and w.proc.poll() is None:
                w.proc.send_signal(signal.SIGTERM)

    def run(self, stop_requested: bool = False) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        if stop_requested:  # asked to stop before it could listen: start nothing
            return ExitCode.OK
        for w in self.workers:
            self._start(w)
        while True:
            now = time.monotonic()
            running = 0
            for w in self.workers:
                if w.done:
                    continue
                if w.proc is None:
                    if self.stopping:
                        w.done = True
                    elif now >= w.next_start:
                        self._start(w)
                        running += 1
                    else:
                        running += 1
                    continue
                code = w.proc.poll()
                if code is None:
                    running += 1
                    continue
                w.codes.append(code)
                w.proc = None
                if self.stopping or code == 0:
                    w.done = True
                    log(logger, logging.INFO, "worker_exited", worker=w.worker_id, code=code)
                elif code == ExitCode.FENCED:
                    w.done = True
                    log(logger, logging.ERROR, "worker_fenced", worker=w.worker_id)
                else:
                    w.restarts += 1
                    w.next_start = now + min(30.0, float(2 ** min(w.restarts - 1, 5)))
                    log(logger, logging.WARNING, "worker_died", worker=w.worker_id, code=code, restarts=w.restarts)
                    running += 1
            if running == 0:
                break
            time.sleep(0.2)
        finals = [w.codes[-1] if w.codes else 0 for w in self.workers]
        worst = max((abs(c) for c in finals), default=0)
        log(logger, logging.INFO, "workers_stopped", codes=finals)
        return ExitCode.OK if worst == 0 else (worst if worst < 128 else ExitCode.ERROR)
