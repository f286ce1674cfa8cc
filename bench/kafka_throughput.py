"""Through a real broker: ``cdr run`` (the CLI, as a subprocess) from a Debezium-shaped
source topic to its CDR topic, against a confluent-kafka consume->produce passthrough of
the same records, in the same run. Prints figures; never fails on time.

    .venv/bin/python bench/kafka_throughput.py [--events N] [--partitions P] [--rate R]
        [--latency-seconds S] [--bootstrap HOST:PORT]

Without ``--bootstrap`` a single-node KRaft broker (``devstack.kafka.LocalKafka``, the
Maven Central jars) is started in a temporary directory and stopped at the end; so is
every process the benchmark starts.

Every source and output topic uses ``LogAppendTime``: a record's timestamp is the
broker's clock when it was appended, so "in" and "out" are read on one clock. The
events are :class:`devstack.sample_events.CustomerEvents` (15 columns, snapshot reads,
inserts, updates, deletes and tombstones, a free-text note) keyed by id on P partitions;
the table is declared ``undeclared: detect`` with only its key declared
(``bench/schemas_detect``), so the profiler and the scanners run as in production.

Phases (each on fresh topics and a fresh consumer group; each process first drains a
warm-up stream, so the model is loaded and the column verdicts have settled):

1. throughput: a backlog of N events, written while the readers are stopped (SIGSTOP,
   after the warm-up; the writer would otherwise take CPU from them, and the
   passthrough's rate was the writer's); events/s = N / (SIGCONT -> the last output's
   arrival). ``cdr run --workers 1``,
   ``--workers 2`` and the passthrough (same producer settings as the service:
   idempotent, ``acks=all``, lz4, linger 5 ms; commits every second).
2. latency: ``cdr run --workers 1`` while events arrive at a paced R events/s (the
   warm-up too, at that pace); per
   record, the CDR record's append time minus its source record's append time (matched
   by the ``cdr.source`` header): p50, p99, max.
3. memory and CPU: the resident set (VmRSS, /proc) of every worker process, sampled
   every 0.5 s while it works off the timed stream (the largest sample per worker), and
   the CPU time it spent on it (events per CPU-second: on a shared machine the wall-clock
   figures depend on what else runs; the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ledger import Ledger, parse_coordinates, percentile  # noqa: E402
from bench.procstat import children, cpu_seconds, status_kib  # noqa: E402
from devstack.ports import free_port  # noqa: E402
from devstack.process import die_with_parent  # noqa: E402
from devstack.sample_events import CustomerEvents  # noqa: E402

HASH_KEY = "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG"
DECLARATION = ROOT / "bench" / "schemas_detect" / "customers.yaml"
LOG_APPEND = {"message.timestamp.type": "LogAppendTime"}
SOURCE_HEADER = "cdr.source"
# The service's producer settings (pipeline.runtime.producing, pipeline.config): the
# passthrough pays for the same delivery guarantees.
PRODUCER = {
    "linger.ms": 5,
    "compression.type": "lz4",
    "partitioner": "murmur2_random",
    "enable.idempotence": True,
    "acks": "all",
}

Item = tuple[int, bytes, bytes | None]  # partition, key, value


def workload(prefix: str, n: int, seed: int, partitions: int) -> list[Item]:
    gen = CustomerEvents(prefix=prefix, seed=seed, partitions=partitions, free_text=True)
    docs = list(gen.snapshot(n // 2)) + list(gen.changes(n - n // 2))
    dump = json.dumps
    return [
        (
            d["partition"],
            dump(d["key"], separators=(",", ":")).encode(),
            None if d["value"] is None else dump(d["value"], separators=(",", ":")).encode(),
        )
        for d in docs[:n]
    ]


# -- the passthrough (run as a child of this script) --------------------------------------


def passthrough_worker(bootstrap: str, group: str, source: str, out: str) -> int:
    """Consume ``source``, produce every record's key, value and headers to ``out`` (and
    its coordinates as ``cdr.source``); commit every second; stop on SIGTERM."""
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    producer = Producer({"bootstrap.servers": bootstrap, **PRODUCER})
    consumer.subscribe([source])
    last_commit = time.monotonic()
    pending = False  # records consumed since the last commit
    while not stopping:
        messages = consumer.consume(500, 0.2)
        pending = pending or bool(messages)
        for msg in messages:
            if msg.error() is not None:
                continue
            coords = f"{msg.topic()}/{msg.partition()}/{msg.offset()}".encode()
            headers = [*(msg.headers() or ()), (SOURCE_HEADER, coords)]
            while True:
                try:
                    producer.produce(out, value=msg.value(), key=msg.key(), headers=headers)
                    break
                except BufferError:
                    producer.poll(0.1)
        producer.poll(0)
        if pending and time.monotonic() - last_commit >= 1.0:
            producer.flush()  # at-least-once: commit only what was delivered
            consumer.commit(asynchronous=True)
            last_commit, pending = time.monotonic(), False
    producer.flush(30)
    with contextlib.suppress(KafkaException):
        consumer.commit(asynchronous=False)
    consumer.close()
    return 0


# -- processes ----------------------------------------------------------------------------


@dataclass
class Child:
    """A process this benchmark started (``cdr run`` or the passthrough), its log, and
    the resident memory of its workers while sampling is on."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    workers: int
    rss_kib: dict[int, int] = field(default_factory=dict)  # worker pid -> largest sample
    cpu_start: dict[int, float] = field(default_factory=dict)  # worker pid -> CPU seconds when sampling began
    cpu_spent: float = 0.0  # CPU seconds of every worker while sampling
    _sampling: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def worker_pids(self) -> list[int]:
        return [self.proc.pid] if self.workers == 1 else children(self.proc.pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def sample_rss(self) -> None:
        """Sample the workers' memory every 0.5 s, and count their CPU time, until
        :meth:`stop_sampling`."""
        for pid in self.worker_pids():
            spent = cpu_seconds(pid)
            if spent is not None:
                self.cpu_start[pid] = spent
        self._sampling.set()

        def run() -> None:
            while self._sampling.is_set():
                for pid in self.worker_pids():
                    rss = status_kib(pid, "VmRSS")
                    if rss is not None:
                        self.rss_kib[pid] = max(self.rss_kib.get(pid, 0), rss)
                time.sleep(0.5)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop_sampling(self) -> None:
        if self._sampling.is_set():
            for pid, start in self.cpu_start.items():
                spent = cpu_seconds(pid)
                if spent is not None:
                    self.cpu_spent += spent - start
        self._sampling.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def stop(self) -> int | None:
        """SIGTERM (the supervisor passes it on to its workers), then SIGKILL the group."""
        self.stop_sampling()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def pause(self) -> None:
        """SIGSTOP the process and its workers (their group), so a backlog can be written
        while nothing reads it. Kept well under the consumer's session timeout."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


class Bench:
    def __init__(self, bootstrap: str, workdir: Path, partitions: int, console: Console) -> None:
        self.bootstrap = bootstrap
        self.workdir = workdir
        self.partitions = partitions
        self.console = console
        self.admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        self.children: list[Child] = []
        self.run_id = uuid.uuid4().hex[:6]
        self.profile: Path | None = None  # write a cProfile of each one-worker cdr run here
        self.broker_pid: int | None = None  # the local broker's JVM, when this benchmark started it

    # topics

    def create_topics(self, *names: str) -> None:
        new = [NewTopic(n, self.partitions, 1, config=LOG_APPEND) for n in names]
        for future in self.admin.create_topics(new, operation_timeout=30).values():
            future.result(timeout=60)
        for name in names:  # wait until every partition has a leader
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                topic = self.admin.list_topics(name, timeout=10).topics.get(name)
                if (
                    topic is not None
                    and len(topic.partitions) == self.partitions
                    and all(p.leader >= 0 for p in topic.partitions.values())
                ):
                    break
                time.sleep(0.2)
        configs = self.admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, n) for n in names])
        for future in configs.values():
            assert future.result()["message.timestamp.type"].value == "LogAppendTime"

    def producer(self) -> Producer:
        return Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 1, "enable.idempotence": True})

    def produce(
        self,
        topic: str,
        items: list[Item],
        rate: float | None = None,
        tick: Callable[[], None] = lambda: None,
        producer: Producer | None = None,
    ):
        """Write ``items`` to their partitions: at once, or paced at ``rate`` per second.
        A paced stream should be given a ``producer`` that has already written: a new
        one holds what it is given until it has connected and been given its producer
        id, then sends it at once, so the broker would see a burst, not the pace."""
        producer = producer if producer is not None else self.producer()
        started = time.monotonic()
        for i, (partition, key, value) in enumerate(items):
            if rate is not None:
                due = started + i / rate
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                    producer.poll(0)
            while True:
                try:
                    producer.produce(topic, value=value, key=key, partition=partition)
                    break
                except BufferError:
                    producer.poll(0.05)
            if i % 500 == 0:
                producer.poll(0)
                tick()
        producer.flush(60)
        tick()

    def end_offsets(self, topic: str) -> dict[int, int]:
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"probe-{uuid.uuid4().hex[:6]}"})
        try:
            return {
                p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(self.partitions)
            }
        finally:
            consumer.close()

    def read(self, topic: str) -> Iterator[tuple[int, int, int, bytes | None]]:
        """(partition, offset, append time, cdr.source header) of every record in ``topic``."""
        ends = self.end_offsets(topic)
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": f"reader-{uuid.uuid4().hex[:6]}",
                "enable.auto.commit": False,
            }
        )
        consumer.assign([TopicPartition(topic, p, 0) for p in range(self.partitions)])
        seen = dict.fromkeys(range(self.partitions), 0)
        deadline = time.monotonic() + 120
        try:
            while any(seen[p] < ends[p] for p in seen) and time.monotonic() < deadline:
                for msg in consumer.consume(1000, 1.0):
                    if msg.error() is not None:
                        continue
                    seen[msg.partition()] = msg.offset() + 1
                    source = dict(msg.headers() or ()).get(SOURCE_HEADER)
                    yield msg.partition(), msg.offset(), msg.timestamp()[1], source
        finally:
            consumer.close()

    # processes and groups

    def start_cdr(self, name: str, source: str, cdr_topic: str, workers: int) -> tuple[Child, str]:
        root = self.workdir / name
        (root / "schemas").mkdir(parents=True)
        decl = yaml.safe_load(DECLARATION.read_text())
        decl.update(source_topic=source, cdr_topic=cdr_topic)
        (root / "schemas" / "customers.yaml").write_text(yaml.safe_dump(decl))
        group = f"cdr-{name}-{self.run_id}"
        config = {
            "kafka": {"bootstrap.servers": self.bootstrap},
            "consumer": {"group.id": group, "session.timeout.ms": 10000},
            "schemas": str(root / "schemas"),
            "dead_letter_topic": f"cdr.dlq.{name}.{self.run_id}",
            # each phase starts with no verdicts of another (its own warm-up settles them)
            "detection": {"verdicts_topic": f"cdr.verdicts.{name}.{self.run_id}"},
            "metrics": {"host": "127.0.0.1", "port": free_port()},
            "log_level": "WARNING",
        }
        (root / "cdr.yaml").write_text(yaml.safe_dump(config))
        cmd = [sys.executable, "-m", "pipeline", "run", "--config", str(root / "cdr.yaml"), "--workers", str(workers)]
        if self.profile is not None and workers == 1:
            cmd[1:1] = ["-m", "cProfile", "-o", str(self.profile / f"{name}.prof")]
        return self._spawn(name, cmd, workers), group

    def start_passthrough(self, name: str, source: str, out: str) -> tuple[Child, str]:
        group = f"pass-{name}-{self.run_id}"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--passthrough-worker",
            self.bootstrap,
            group,
            source,
            out,
        ]
        return self._spawn(name, cmd, 1), group

    def _spawn(self, name: str, cmd: list[str], workers: int) -> Child:
        log = self.workdir / f"{name}.log"
        paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "CDR_HASH_KEY": HASH_KEY, "PYTHONPATH": os.pathsep.join(paths)}
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        child = Child(name, proc, log, workers)
        self.children.append(child)
        return child

    def wait_assigned(self, child: Child, group: str, members: int, timeout: float = 120) -> None:
        """Until the group is stable with ``members`` members holding every partition."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited with {child.proc.returncode}:\n{child.log_tail()}")
            with contextlib.suppress(KafkaException, TimeoutError):  # the coordinator may still be loading
                desc = self.admin.describe_consumer_groups([group])[group].result(timeout=10)
                owned = [len(m.assignment.topic_partitions) for m in desc.members]
                stable = desc.state.name == "STABLE" and len(owned) == members
                if stable and all(owned) and sum(owned) == self.partitions:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{child.name}: the group did not settle with {members} members in {timeout:.0f}s")

    def committed(self, group: str, topic: str) -> int:
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group})
        try:
            parts = consumer.committed([TopicPartition(topic, p) for p in range(self.partitions)], timeout=10)
            return sum(max(tp.offset, 0) for tp in parts)
        finally:
            consumer.close()

    def wait_drained(self, child: Child, group: str, topic: str, progress: Progress, what: str) -> None:
        """Until the group has committed every record of ``topic``."""
        total = sum(self.end_offsets(topic).values())
        task = progress.add_task(what, total=total)
        idle_since, last = time.monotonic(), -1
        while True:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited with {child.proc.returncode}:\n{child.log_tail()}")
            done = self.committed(group, topic)
            progress.update(task, completed=done)
            if done >= total:
                return
            if done != last:
                idle_since, last = time.monotonic(), done
            elif time.monotonic() - idle_since > 120:
                raise RuntimeError(f"{child.name}: no progress for 120 s at {done}/{total}:\n{child.log_tail()}")
            time.sleep(0.5)

    def ledger(self, source: str, out: str, after: dict[int, int]) -> Ledger:
        """Source records at or after ``after`` (offset per partition) and their outputs."""
        ledger = Ledger()
        for partition, offset, ts, _ in self.read(source):
            if offset >= after.get(partition, 0):
                ledger.record_in((source, partition, offset), ts)
        for _, _, ts, header in self.read(out):
            coords = parse_coordinates(header)
            if coords is not None and coords in ledger.inputs:
                ledger.record_out(coords, ts)
        return ledger

    def stop_all(self) -> None:
        for child in self.children:
            child.stop()


@dataclass
class PhaseResult:
    name: str
    ledger: Ledger
    rss_kib: dict[int, int]
    cpu_seconds: float  # of the workers, over the timed part
    resumed_ms: float | None = None  # a backlog phase: when its readers were let go
    broker_cores: float | None = None  # the local broker's CPU while the backlog drained, in cores

    def per_cpu_second(self) -> float:
        """Timed source records per second of the workers' CPU time."""
        return len(self.ledger.inputs) / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def backlog_phase(
    bench: Bench, name: str, workers: int, events: int, warmup: int, progress: Progress, passthrough: bool = False
) -> PhaseResult:
    prefix = f"{name}{bench.run_id}"
    source, out = f"{prefix}.public.customers", f"cdr.{prefix}.customers.v1"
    bench.create_topics(source, out)
    broker_cores = None
    if passthrough:
        child, group = bench.start_passthrough(name, source, out)
    else:
        child, group = bench.start_cdr(name, source, out, workers)
    try:
        bench.wait_assigned(child, group, workers)
        bench.produce(source, workload(prefix, warmup, seed=7, partitions=bench.partitions))
        bench.wait_drained(child, group, source, progress, f"{name}: warm-up")
        after = bench.end_offsets(source)
        items = workload(prefix, events, seed=42, partitions=bench.partitions)
        child.pause()  # the whole backlog is written first: the writer takes no CPU from the readers
        try:
            bench.produce(source, items)
        finally:
            child.sample_rss()
            broker = cpu_seconds(bench.broker_pid) if bench.broker_pid is not None else None
            started = time.monotonic()
            resumed_ms = time.time() * 1000.0  # the broker's append times are this machine's clock
            child.resume()
        bench.wait_drained(child, group, source, progress, f"{name}: {events:,} events")
        if broker is not None and bench.broker_pid is not None:
            spent = cpu_seconds(bench.broker_pid)
            broker_cores = (spent - broker) / (time.monotonic() - started) if spent is not None else None
        child.stop_sampling()
    finally:
        code = child.stop()
    if code not in (0, None):
        raise RuntimeError(f"{name} exited with {code}:\n{child.log_tail()}")
    return PhaseResult(name, bench.ledger(source, out, after), child.rss_kib, child.cpu_spent, resumed_ms, broker_cores)


def latency_phase(bench: Bench, rate: float, seconds: float, warmup: int, progress: Progress) -> PhaseResult:
    name = "latency"
    prefix = f"{name}{bench.run_id}"
    source, out = f"{prefix}.public.customers", f"cdr.{prefix}.customers.v1"
    bench.create_topics(source, out)
    child, group = bench.start_cdr(name, source, out, 1)
    n = int(rate * seconds)
    items = workload(prefix, warmup + n, seed=11, partitions=bench.partitions)
    warm, timed = items[:warmup], items[warmup:]
    try:
        bench.wait_assigned(child, group, 1)
        task = progress.add_task(
            f"latency: {rate:,.0f} events/s, {warmup:,} warm-up, {seconds:.0f} s timed", total=len(items)
        )

        def tick() -> None:
            progress.advance(task, 500)

        producer = bench.producer()  # one for both streams: connected before the timed one
        bench.produce(source, warm, rate=rate, tick=tick, producer=producer)
        progress.update(task, completed=len(warm))
        after = bench.end_offsets(source)
        child.sample_rss()
        bench.produce(source, timed, rate=rate, tick=tick, producer=producer)
        progress.update(task, completed=len(items))
        bench.wait_drained(child, group, source, progress, "latency: drained")
        child.stop_sampling()
    finally:
        code = child.stop()
    if code not in (0, None):
        raise RuntimeError(f"latency run exited with {code}:\n{child.log_tail()}")
    return PhaseResult(name, bench.ledger(source, out, after), child.rss_kib, child.cpu_spent)


def report(console: Console, results: dict[str, PhaseResult], args: argparse.Namespace) -> None:
    rates = {k: r.ledger.drain_rate(r.resumed_ms) for k, r in results.items() if k != "latency"}
    per_cpu = {k: r.per_cpu_second() for k, r in results.items() if k != "latency"}
    table = Table(
        title=f"cdr run through Kafka: {args.events:,} Debezium events (customers, 15 columns, free text, "
        f"undeclared: detect) on {args.partitions} partitions, {os.cpu_count()} cores"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("no output / duplicates", justify="right")
    for key, label in (
        ("passthrough", "confluent-kafka consume->produce passthrough, events/s"),
        ("workers1", "cdr run --workers 1, events/s"),
        ("workers2", "cdr run --workers 2, events/s"),
    ):
        if key in results:
            led = results[key].ledger
            table.add_row(label, f"{rates[key]:,.0f}", "", f"{led.missing()} / {led.duplicates}")
    for key, label in (
        ("passthrough", "passthrough"),
        ("workers1", "cdr run --workers 1"),
        ("workers2", "cdr run --workers 2 (both workers)"),
    ):
        if per_cpu.get(key):
            table.add_row(f"{label}, events per CPU-second of its process", f"{per_cpu[key]:,.0f}", "", "")
    for key, label in (("passthrough", "the passthrough"), ("workers1", "--workers 1"), ("workers2", "--workers 2")):
        cores = results[key].broker_cores if key in results else None
        if cores is not None:  # two workers and the broker share the machine's cores
            table.add_row(f"broker CPU while {label} drained, cores", f"{cores:.2f}", "", "")
    if "passthrough" in rates and "workers1" in rates:
        ratio = rates["workers1"] / rates["passthrough"]
        table.add_row("[bold]cdr run / passthrough (wall)[/]", f"[bold]{ratio:.2f}[/]", ">= 0.70", "")
        if per_cpu["passthrough"] and per_cpu["workers1"]:
            ratio = per_cpu["workers1"] / per_cpu["passthrough"]
            table.add_row("cdr run / passthrough (per CPU-second)", f"{ratio:.2f}", "", "")
    if "workers1" in rates and "workers2" in rates:
        table.add_row(
            "[bold]--workers 2 / --workers 1[/]", f"[bold]{rates['workers2'] / rates['workers1']:.2f}[/]", ">= 1.80", ""
        )
    if "latency" in results:
        led = results["latency"].ledger
        lat = led.latencies_ms()
        if lat:
            table.add_row(f"latency p50 at {args.rate:,.0f} events/s, ms", f"{percentile(lat, 50):,.0f}", "", "")
            table.add_row(
                f"[bold]latency p99 at {args.rate:,.0f} events/s, ms[/]",
                f"[bold]{percentile(lat, 99):,.0f}[/]",
                "< 100",
                f"{led.missing()} / {led.duplicates}",
            )
            table.add_row("latency max, ms", f"{max(lat):,.0f}", "", "")
            table.add_row(
                "source records appended in the busiest 100 ms",
                f"{led.busiest_inputs(100):,}",
                f"~{args.rate / 10:,.0f}",
                "",
            )
        cpu = results["latency"].cpu_seconds
        if cpu > 0:
            # the share of a core the worker used: well under 1, it keeps up on an idle core
            table.add_row(
                f"worker CPU at {args.rate:,.0f} events/s, cores", f"{cpu / args.latency_seconds:.2f}", "< 1", ""
            )
    for key, result in results.items():
        if key == "passthrough":
            continue
        for i, (_pid, kib) in enumerate(sorted(result.rss_kib.items())):
            table.add_row(f"RSS of worker {i} ({key}), largest sample, MB", f"{kib / 1024:,.0f}", "< 600", "")
    table.add_row("load average (1 min) of this machine at the end", f"{os.getloadavg()[0]:.1f}", "", "")
    console.print(table)


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--passthrough-worker":
        return passthrough_worker(*sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000, help="timed events per throughput phase")
    parser.add_argument(
        "--warmup", type=int, default=5000, help="events drained before timing (each worker settles its verdicts)"
    )
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1000.0, help="events/s of the latency phase")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--bootstrap", help="an existing broker (default: start a local one)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of each one-worker cdr run to this directory")
    parser.add_argument(
        "--phases", default="passthrough,workers1,workers2,latency", help="comma-separated subset to run"
    )
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    console = Console()
    broker = None
    with tempfile.TemporaryDirectory(prefix="cdr-kafka-bench-") as tmp:
        workdir = Path(tmp)
        try:
            bootstrap = args.bootstrap
            if bootstrap is None:
                from devstack.kafka import LocalKafka

                with console.status("starting a local Kafka broker (KRaft)..."):
                    broker = LocalKafka(workdir / "kafka")
                    broker.start()
                bootstrap = broker.bootstrap
            bench = Bench(bootstrap, workdir, args.partitions, console)
            bench.broker_pid = broker.pid if broker is not None else None
            if args.profile is not None:
                args.profile.mkdir(parents=True, exist_ok=True)
                bench.profile = args.profile.resolve()
            results: dict[str, PhaseResult] = {}
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                try:
                    for phase in phases:
                        if phase == "passthrough":
                            results[phase] = backlog_phase(
                                bench, phase, 1, args.events, args.warmup, progress, passthrough=True
                            )
                        elif phase in ("workers1", "workers2"):
                            workers = int(phase[-1])
                            results[phase] = backlog_phase(bench, phase, workers, args.events, args.warmup, progress)
                        elif phase == "latency":
                            results[phase] = latency_phase(
                                bench, args.rate, args.latency_seconds, args.warmup, progress
                            )
                        else:
                            raise SystemExit(f"unknown phase {phase!r}")
                finally:
                    bench.stop_all()
            del bench  # its admin client, before the broker goes
            report(console, results, args)
        finally:
            if broker is not None:
                with console.status("stopping the broker..."):
                    broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
