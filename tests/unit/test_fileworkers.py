"""``cdr process --workers N``: the output and the dead letters of one process, byte for
byte; a worker that fails or dies fails the run and leaves no output behind."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from bench.workloads import write_declarations as write_shop_declarations
from bench.workloads import write_file as write_shop_file
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.runtime import fileworkers
from pipeline.runtime.filemode import FileLoopError, line_limit
from pipeline.runtime.fileworkers import Router, WorkerSetup, process_file_parallel
from tests.support import HASH_KEY, SHARED_EVENTS

CDR = (sys.executable, "-m", "pipeline")


def _decl(topic: str, table: str) -> Declaration:
    return Declaration(
        table=table,
        source_topic=topic,
        cdr_topic=f"cdr.{table}.v1",
        owner="t",
        undeclared="detect",
        format="auto",
        columns=MappingProxyType({}),
        path="t.yaml",
    )


def _router(workers: int, default: bool = False, **topics: str) -> Router:
    decls = {topic.replace("_", "."): _decl(topic.replace("_", "."), table) for topic, table in topics.items()}
    return Router(DeclarationSet(MappingProxyType(decls)), default, workers)


def _line(topic: str, extra: str = "") -> bytes:
    return json.dumps({"topic": topic, "partition": 0, "offset": 1, "value": None}).encode() + extra.encode()


# -- routing (pure) ----------------------------------------------------------------------


def test_a_table_is_read_by_one_worker_and_new_tables_go_to_the_least_given() -> None:
    router = _router(2, s_a="public.a", s_b="public.b", s_c="public.c")
    first = [router.worker(_line(t), n) for n, t in enumerate(["s.a", "s.a", "s.a", "s.b", "s.c"], 1)]
    assert first == [0, 0, 0, 1, 1]  # a: worker 0; b: worker 1 (0 lines); c: worker 1 (1 line against 3)
    assert [router.worker(_line(t), 9) for t in ["s.c", "s.a", "s.b"]] == [1, 0, 1]


def test_topics_of_one_table_share_a_worker() -> None:
    """Under the default declaration, two topics of one table share its column verdicts."""
    router = Router(DeclarationSet(MappingProxyType({})), True, 4)
    assert router.table("east.public.users") == router.table("west.public.users") == "public.users"
    workers = {router.worker(_line(t), 1) for t in ["east.public.users", "west.public.users"] * 3}
    assert len(workers) == 1


def test_a_topic_not_written_first_is_found_by_parsing_the_line() -> None:
    router = _router(2, s_a="public.a", s_b="public.b")
    router.worker(_line("s.a"), 1)  # a -> 0
    late = json.dumps({"partition": 0, "offset": 1, "value": None, "topic": "s.b"}).encode()
    spaced = b'{ "topic" : "s.a", "value": null}'
    assert router.worker(late, 2) == 1
    assert router.worker(spaced, 3) == 0
    assert router.worker(b"not json", 4) == 0  # not a record: any worker dead-letters it alike
    assert router.worker(b'{"topic":"s.b","topic":"s.a"}', 5) == 1  # refused by the worker that reads it


def test_tables_past_the_bound_go_by_a_digest_of_their_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileworkers, "TABLES_MAX", 2)
    router = Router(DeclarationSet(MappingProxyType({})), False, 3)
    for t in ["t1", "t2"]:
        router.worker(_line(t), 1)
    later = {t: router.worker(_line(t), 1) for t in [f"x{i}" for i in range(20)]}
    assert len(router.assigned) == 2
    assert later == {t: router.worker(_line(t), 1) for t in later}  # always the same worker
    assert len(set(later.values())) > 1


# -- whole runs (real workers) -----------------------------------------------------------


def _shared_lines() -> list[bytes]:
    """Every shared Debezium example that is a record value, on a topic of its own (the
    default declaration makes each a table)."""
    lines = []
    for path in sorted(SHARED_EVENTS.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        values = [doc.get("value", doc)] if isinstance(doc, dict) else []
        for offset, value in enumerate(values):
            topic = f"dbserver1.examples.{path.stem}"
            lines.append(json.dumps({"topic": topic, "partition": 0, "offset": offset, "value": value}).encode())
    return lines


def _input(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Five tables with free text and verdicts to settle, the shared examples, and lines
    that are not records (blank, broken, too long, a name given twice), mixed."""
    schemas = tmp_path / "schemas"
    write_shop_declarations(schemas, "detect", prose=True)
    shop = tmp_path / "shop.jsonl"
    write_shop_file(shop, 1200, seed=3, prose=True)
    lines = shop.read_bytes().splitlines()
    extra = [
        *_shared_lines(),
        b"",
        b'{"topic": "shop.public.customers", "value": {"op": "c", "after": {"email": "x',
        b'{"topic":"shop.public.tickets","topic":"shop.public.devices","value":null}',
        b"[1, 2]",
        b'{"topic":"shop.public.payments","partition":0,"offset":9,"value":"' + b"z" * 9000 + b'"}',
    ]
    for i, line in enumerate(extra):
        lines.insert(37 * (i + 1), line)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    config = tmp_path / "cdr.yaml"
    config.write_text(
        f"schemas: {schemas}\nmax_record_bytes: 4096\n"
        "undeclared_topics: {policy: default, cdr_topic: 'cdr.{topic}', undeclared: detect}\n"
    )
    return source, config, schemas


def _process(config: Path, source: Path, out: Path, workers: int, env: dict[str, str] | None = None) -> Any:
    cmd = [*CDR, "process", "--config", str(config), "--input", str(source), "--output", str(out)]
    full_env = {**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [*cmd, "--workers", str(workers)], capture_output=True, text=True, env=full_env, check=False, timeout=300
    )


def test_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    source, config, _ = _input(tmp_path)
    one = _process(config, source, tmp_path / "one.jsonl", 1)
    three = _process(config, source, tmp_path / "three.jsonl", 3)
    assert one.returncode == three.returncode == 0, (one.stderr[-2000:], three.stderr[-2000:])
    published, dead = (tmp_path / "one.jsonl").read_bytes(), (tmp_path / "one.dlq.jsonl").read_bytes()
    assert published.count(b"\n") > 1000 and dead.count(b"\n") >= 4  # the run did treat and refuse
    assert b"<PERSON>" in published  # NER read the free text
    # byte for byte (a difference is reported by line number only: the lines hold data)
    got, want = (tmp_path / "three.jsonl").read_bytes().splitlines(), published.splitlines()
    differ = [i + 1 for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b]
    assert (len(got), differ[:5]) == (len(want), [])
    assert (tmp_path / "three.dlq.jsonl").read_bytes() == dead, "dead-letter lines differ"
    summary = [line for line in one.stderr.splitlines() if " published to " in line]
    assert summary and summary[-1].replace("one.", "three.") in three.stderr


def test_a_worker_that_cannot_start_stops_the_run_as_one_process_does(tmp_path: Path) -> None:
    source, config, _ = _input(tmp_path)
    one = _process(config, source, tmp_path / "one.jsonl", 1, env={"CDR_HASH_KEY": ""})
    two = _process(config, source, tmp_path / "two.jsonl", 2, env={"CDR_HASH_KEY": ""})
    assert one.returncode == two.returncode != 0
    problem = [line for line in one.stderr.splitlines() if "hash key" in line]
    assert problem and problem[0] in two.stderr
    assert not (tmp_path / "two.jsonl").exists() and not list(tmp_path.glob(".two*partial"))


def test_a_worker_that_dies_fails_the_run_and_leaves_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = tmp_path / "schemas"
    write_shop_declarations(schemas, "detect")
    source = tmp_path / "in.jsonl"
    write_shop_file(source, 6000, seed=5)
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    router = Router(DeclarationSet(MappingProxyType({})), False, 2)
    killed: list[int] = []

    def kill_a_worker(_nbytes: int) -> None:
        children = multiprocessing.active_children()
        if not killed and children and router.given[0] > 2000:
            killed.append(children[0].pid or 0)
            os.kill(children[0].pid or 0, signal.SIGKILL)

    out = tmp_path / "out.jsonl"
    with pytest.raises(FileLoopError) as failed:
        process_file_parallel(
            WorkerSetup(None, schemas), 2, router, source, out, tmp_path / "dlq.jsonl", line_limit(None), kill_a_worker
        )
    assert killed and "stopped (exit code -9)" in str(failed.value)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    assert multiprocessing.active_children() == []  # every worker started is gone


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_run_and_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """SIGTERM (``timeout``, a job stopped) ended ``cdr process`` where it was: the
    ``.partial`` files beside the targets, the dead-letter one holding raw input, stayed."""
    from pipeline.runtime.bootstrap import build_file_processor
    from pipeline.runtime.filemode import process_file
    from pipeline.tools.loading import config_from
    from pipeline.tools.process import sigterm_raises

    schemas = tmp_path / "schemas"
    write_shop_declarations(schemas, "detect")
    source = tmp_path / "in.jsonl"
    write_shop_file(source, 3000, seed=5)
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    out, dlq = tmp_path / "out.jsonl", tmp_path / "dlq.jsonl"

    def terminate(_nbytes: int) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # what `timeout` or a job's stop sends

    with pytest.raises(KeyboardInterrupt), sigterm_raises() as received:
        if workers == 1:
            process_file(build_file_processor(config_from(None, schemas)), source, out, dlq, terminate)
        else:
            router = Router(DeclarationSet(MappingProxyType({})), False, workers)
            process_file_parallel(
                WorkerSetup(None, schemas), workers, router, source, out, dlq, line_limit(None), terminate
            )
    assert received == [signal.SIGTERM] and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back
    assert not out.exists() and not dlq.exists() and not list(tmp_path.glob(".*partial"))
    assert multiprocessing.active_children() == []
