"""``cdr process --workers N``: file mode on N worker processes, with the output, line for
line and byte for byte, of one process.

What one record's treatment depends on, beyond the record, is its table's state: the
column profiles and verdicts, which change as the table's values are sampled. So the
file is split by table, never within one: every record of a table goes to the same
worker, in the order of the file, and in the batches one process would have made (each
batch of the file is cut where one process cuts it, then split by table). Each table's
verdicts then change on the same records as in one process, and this process writes
every line's output in the order of the input. The rest of the state a worker keeps
(parsed schemas, NER results by digest, names) makes it faster, never different.

- A line's table is found from its topic without parsing the line: a line that opens
  ``{"topic":"<name>"`` names it (a valid object with a name given twice is refused
  by whichever worker reads it); any other line is parsed here to find it, and one
  that does not parse goes to the first worker, which dead-letters it as one process
  would. A line longer than the limit is dead-lettered here, unread.
- A table goes to the worker that has been given the fewest lines when the table is
  first seen. At most :data:`TABLES_MAX` tables are remembered; the ones after them go
  by a digest of their name (still always to the same worker).
- At most :data:`IN_FLIGHT` batches are out at once (each at most ``BATCH_BYTES``), so
  memory stays bounded whatever the file's size.
- Each worker builds its own processor from the same config (the model loads in each,
  at the same time). One that fails to start, fails, or dies stops the run with the
  line it was on, and no output file replaces its target (as in one process).

The output equals one process's unless a bound shared by all tables is reached (more
column profiles than ``DetectionSettings.max_profiles``: one process forgets the oldest of
all tables', a worker the oldest of its own tables'). The NER budget is not such a bound: file mode reads each
batch table by table (``Processor.process_tables``) and charges a batch for every text it
holds, the cached ones too, so a table's share meets the same budget on any worker.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import re
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from pipeline.core.declaration import DeclarationSet
from pipeline.errors import DecodeError
from pipeline.runtime.deadletter import DeadLetterSealer
from pipeline.runtime.filemode import (
    READ_BUFFER,
    FileLoopError,
    FileRunStats,
    _read,
    _Unread,
    batch_lines,
    check_paths,
    line_limit,
    loop_failed,
    parse_line,
    private_output,
    read_batches,
    unread_line,
)
from pipeline.tracebacks import diagnostic

WORKERS_MAX = 64
TABLES_MAX = 65_536  # tables given a worker by name; more go by a digest of the name
IN_FLIGHT = 2  # batches out at once
_POLL_S = 0.5  # how often a worker that has not answered is checked for life
_STARTUP_S = 600.0  # a worker's model load and declarations

# A line as JsonConverter-minded tools write it names its topic first: read without parsing.
_TOPIC_FIRST = re.compile(rb'[ \t]*\{[ \t]*"topic"[ \t]*:[ \t]*"([^"\\\x00-\x1f]{1,249})"')

Batch = list[tuple[int, bytes]]  # (line number, line)
Lines = list[tuple[int, bytes, bytes]]  # (line number, output lines, dead-letter line)


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker builds its processor from (the config is read again there)."""

    config: Path | None
    schemas: Path | None


class WorkerFailed(FileLoopError):
    """A worker could not start, failed on a batch, or died."""


@dataclass
class Router:
    """Which worker reads a table's records: the same one for the whole file."""

    declarations: DeclarationSet
    default: bool  # topics nobody declared are tables of their own (undeclared_topics: default)
    workers: int
    # a topic's safe form (the workers' SafeNames.topic): a default table is named after it
    shown: Callable[[str], str] | None = None
    assigned: dict[str, int] = field(default_factory=dict)
    given: list[int] = field(default_factory=list)  # lines given to each worker

    def __post_init__(self) -> None:
        self.given = [0] * self.workers

    def table(self, topic: str) -> str:
        return self.declarations.table_of(topic, self.default, self.shown)

    def worker(self, line: bytes, lineno: int) -> int:
        topic = _topic(line, lineno)
        if topic is None:
            return 0  # not a record: any worker dead-letters it alike
        table = self.table(topic)
        index = self.assigned.get(table)
        if index is None:
            if len(self.assigned) < TABLES_MAX:
                index = self.given.index(min(self.given))
                self.assigned[table] = index
            else:
                index = zlib.crc32(table.encode("utf-8", "surrogatepass")) % self.workers
        self.given[index] += 1
        return index


def _topic(line: bytes, lineno: int) -> str | None:
    match = _TOPIC_FIRST.match(line)
    if match is not None:
        try:
            return match.group(1).decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return parse_line(line, lineno).topic
    except DecodeError:
        return None


def _serve(setup: WorkerSetup, tasks: Any, results: Connection, parent: int) -> None:
    """A worker: builds its processor, then treats the batches it is sent, in order."""
    from pipeline.config import load_config
    from pipeline.runtime.bootstrap import build_file_processor, freeze_start_up, record_bytes_limit
    from pipeline.runtime.workers import term_with_parent

    term_with_parent()  # no orphan if the reading process is killed
    if os.getppid() != parent:
        return  # it died before that took hold
    try:
        config = load_config(setup.config, schemas=setup.schemas)
        processor = build_file_processor(config)
        sealer = DeadLetterSealer.from_config(config.dlq_encryption_key)
        limit = line_limit(record_bytes_limit(config))
    except Exception as exc:
        results.send(("failed", _portable(exc)))
        return
    freeze_start_up()
    results.send(("ready", None))
    stats = FileRunStats()
    while True:
        batch: Batch | None = tasks.get()
        if batch is None:
            results.send(("done", stats))
            return
        try:
            items = [(lineno, _read(line, lineno, limit)) for lineno, line in batch]
            results.send(("lines", list(batch_lines(processor, items, sealer, stats))))
        except Exception as exc:
            # A third-party message can quote the value that caused it: type and frames only.
            first = batch[0][0] if batch else 0
            results.send(("failed", f"the batch from line {first}: {diagnostic(exc)}"))
            return


def _portable(exc: Exception) -> Exception | str:
    """The start-up error itself when it crosses processes intact (the config's and the
    declarations' errors name the file and line), else what :func:`diagnostic` says."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return f"worker did not start: {diagnostic(exc)}"
    return exc


class _Pool:
    """The workers, each with a queue of batches in (never blocks this process) and a pipe
    of answers out (this process holds only its reading end, so a worker that dies,
    even halfway through an answer, is seen as gone, never waited on)."""

    def __init__(self, setup: WorkerSetup, workers: int) -> None:
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no state shared by fork
        self.tasks = [ctx.Queue() for _ in range(workers)]
        pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
        self.results = [reader for reader, _ in pipes]
        self.procs: list[BaseProcess] = [
            ctx.Process(target=_serve, args=(setup, tasks, writer, os.getpid()), name=f"cdr-process-{i}", daemon=True)
            for i, (tasks, (_, writer)) in enumerate(zip(self.tasks, pipes, strict=True))
        ]
        for p in self.procs:
            p.start()
        for _, writer in pipes:
            writer.close()

    def answer(self, index: int, timeout: float | None = None) -> tuple[str, Any]:
        waited = 0.0
        conn = self.results[index]
        while True:
            try:
                if conn.poll(_POLL_S):
                    return conn.recv()
            except (EOFError, OSError):
                pass  # the worker is gone: said below
            else:
                waited += _POLL_S
                if timeout is not None and waited >= timeout:
                    raise WorkerFailed(f"worker {index} did not start within {timeout:.0f} s") from None
                if self.procs[index].is_alive():
                    continue
            proc = self.procs[index]
            proc.join(timeout=5)
            raise WorkerFailed(f"worker {index} stopped (exit code {proc.exitcode})") from None

    def started(self) -> None:
        for i in range(len(self.procs)):
            kind, detail = self.answer(i, _STARTUP_S)
            if kind == "failed":
                if isinstance(detail, Exception):
                    raise detail
                raise WorkerFailed(f"worker {i}: {detail}")

    def lines(self, index: int) -> Lines:
        kind, detail = self.answer(index)
        if kind != "lines":
            raise WorkerFailed(f"worker {index}: {detail}")
        return detail

    def finish(self, stats: FileRunStats) -> None:
        for t in self.tasks:
            t.put(None)
        for i in range(len(self.procs)):
            kind, detail = self.answer(i)
            if kind != "done":
                raise WorkerFailed(f"worker {i}: {detail}")
            stats.add(detail)

    def close(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
        for q in self.tasks:
            q.cancel_join_thread()  # what a stopped worker never read is dropped, not waited on
            q.close()
        for conn in self.results:
            conn.close()


def process_file_parallel(
    setup: WorkerSetup,
    workers: int,
    router: Router,
    input_path: Path,
    output_path: Path,
    dlq_path: Path,
    limit: int,
    on_progress: Callable[[int], object] | None = None,
    sealer: DeadLetterSealer | None = None,
) -> FileRunStats:
    """:func:`~pipeline.runtime.filemode.process_file` on ``workers`` processes."""
    check_paths(input_path, output_path, dlq_path)
    stats = FileRunStats()
    pool = _Pool(setup, workers)
    try:
        pool.started()  # a config or declaration error is raised as one process raises it
        try:
            with (
                input_path.open("rb", buffering=READ_BUFFER) as src,
                private_output(output_path) as out,
                private_output(dlq_path) as dlq,
            ):
                pending: deque[tuple[Lines, list[int]]] = deque()

                def write_oldest() -> None:
                    own, sent = pending.popleft()
                    for _lineno, published, dead in heapq.merge(own, *(pool.lines(i) for i in sent)):
                        if published:
                            out.write(published)
                        if dead:
                            dlq.write(dead)

                for lines in read_batches(src, limit, stats, on_progress):
                    parts: list[Batch] = [[] for _ in range(workers)]
                    own: Lines = []
                    for lineno, line in lines:
                        if line is None:  # too long: not read, dead-lettered here
                            unread = _read(None, lineno, limit)
                            assert isinstance(unread, _Unread)
                            stats.malformed += 1
                            stats.dead_reasons[unread.reason] += 1
                            own.append((lineno, b"", unread_line(unread, lineno, sealer)))
                        else:
                            parts[router.worker(line, lineno)].append((lineno, line))
                    sent = [i for i, part in enumerate(parts) if part]
                    for i in sent:
                        pool.tasks[i].put(parts[i])
                    pending.append((own, sent))
                    if len(pending) >= IN_FLIGHT:
                        write_oldest()
                while pending:
                    write_oldest()
                pool.finish(stats)
        except FileLoopError:
            raise
        except Exception as exc:
            raise loop_failed(stats, exc) from None
    finally:
        pool.close()
    return stats
