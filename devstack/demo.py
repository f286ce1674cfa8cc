"""`make demo`: a local Kafka, a stream of Debezium change events for a payments
customers table, the cdr-pipeline service, and what came out, side by side.

Everything runs from this checkout on 127.0.0.1 (state under .run/demo) and is stopped
at the end, or on Ctrl-C. ``--hold`` keeps the stack up until Ctrl-C so /metrics can be
browsed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from devstack.kafka import LocalKafka
from devstack.ports import free_port
from devstack.process import stop_process
from devstack.sample_events import CustomerEvents

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / ".run" / "demo"
DEMO_KEY = "demo-only-hash-key-not-a-secret"
SHOWN = ("first_name", "last_name", "email", "phone", "date_of_birth", "ssn", "notes", "updated_at", "tier")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--hold", action="store_true", help="keep everything running until Ctrl-C")
    args = parser.parse_args(argv)
    console = Console()
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    kafka = LocalKafka(RUN / "kafka")
    service: subprocess.Popen[bytes] | None = None
    interrupted = False

    def on_signal(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        with console.status("starting Kafka (KRaft, from Maven Central jars)..."):
            started = time.monotonic()
            kafka.start()
        console.print(f"[green]Kafka[/] on {kafka.bootstrap} ({time.monotonic() - started:.1f}s)")

        gen = CustomerEvents(prefix="demo", partitions=3)
        records = list(gen.snapshot(args.events // 2)) + list(gen.changes(args.events - args.events // 2))
        _create_topic(kafka.bootstrap, gen.topic, 3)
        _produce(console, kafka.bootstrap, gen.topic, records)

        metrics_port = free_port()
        config = RUN / "cdr.yaml"
        settings = {
            "kafka": {"bootstrap.servers": kafka.bootstrap},
            "consumer": {"group.id": "cdr-demo"},
            "schemas": str(REPO / "schemas"),
            "dead_letter_topic": "cdr.dead-letter",
            "metrics": {"host": "127.0.0.1", "port": metrics_port},
        }
        config.write_text(yaml.safe_dump(settings))
        env = {**os.environ, "CDR_HASH_KEY": os.environ.get("CDR_HASH_KEY") or DEMO_KEY}
        log = (RUN / "service.log").open("wb")
        service = subprocess.Popen(
            [str(Path(sys.executable).with_name("cdr")), "run", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        cdr_topic = "cdr.payments.customers.v1"
        _wait_for_output(console, url, cdr_topic, len(records), service)
        out = _read(kafka.bootstrap, cdr_topic, len(records))
        console.print(_side_by_side(records, out))
        console.print(_figures(url, gen.topic, cdr_topic))
        console.print(Panel.fit(f"metrics: [bold]{url}[/]\nservice log: {RUN / 'service.log'}", title="cdr-pipeline"))
        if args.hold:
            console.print("holding; Ctrl-C stops everything")
            while service.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with console.status("stopping..."):
            if service is not None and service.poll() is None:
                service.send_signal(signal.SIGTERM)
                try:
                    service.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    stop_process(service.pid, 5)
            kafka.stop()
        console.print("stopped cleanly" + (" (interrupted)" if interrupted else ""))
    return 0 if service is None or service.returncode in (0, None, -signal.SIGTERM) else 1


def _create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        future.result(timeout=30)


def _shown(column: str, value: Any) -> str:
    if column == "date_of_birth" and isinstance(value, int):
        return (date(1970, 1, 1) + timedelta(days=value)).isoformat()
    return str(value)


def _produce(console: Console, bootstrap: str, topic: str, records: list[dict[str, Any]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 10})
    with Progress(TextColumn("producing Debezium events"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        task = bar.add_task("produce", total=len(records))
        for rec in records:
            producer.produce(
                topic,
                key=json.dumps(rec["key"]).encode(),
                value=json.dumps(rec["value"]).encode() if rec["value"] is not None else None,
                partition=rec["partition"],
            )
            producer.poll(0)
            bar.advance(task)
        producer.flush(30)


def _metric(url: str, name: str, **labels: str) -> float:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            text = resp.read().decode()
    except OSError:
        return 0.0
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _wait_for_output(console: Console, url: str, topic: str, total: int, service: subprocess.Popen[bytes]) -> None:
    with Progress(
        SpinnerColumn(),
        TextColumn("cdr-pipeline publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        console=console,
    ) as bar:
        task = bar.add_task("out", total=total, rate="")
        deadline = time.monotonic() + 120
        last, last_t = 0.0, time.monotonic()
        while time.monotonic() < deadline:
            if service.poll() is not None:
                raise RuntimeError(f"the service exited ({service.returncode}); see {RUN / 'service.log'}")
            done = _metric(url, "cdr_events_produced_total", topic=topic)
            now = time.monotonic()
            rate = (done - last) / (now - last_t) if now > last_t else 0
            last, last_t = done, now
            bar.update(task, completed=done, rate=f"{rate:,.0f} events/s")
            if done >= total:
                return
            time.sleep(0.5)


def _read(bootstrap: str, topic: str, expect: int) -> dict[str, Any]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "demo-reader", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    by_source: dict[str, Any] = {}
    deadline = time.monotonic() + 30
    while len(by_source) < expect and time.monotonic() < deadline:
        for msg in consumer.consume(500, 0.5):
            if msg.error() is None:
                src = dict(msg.headers() or [])["cdr.source"].decode()
                by_source[src] = json.loads(msg.value()) if msg.value() is not None else None
    consumer.close()
    return by_source


def _side_by_side(records: list[dict[str, Any]], out: dict[str, Any]) -> Table:
    table = Table(title="Debezium event -> CDR event (after image)", show_lines=True)
    table.add_column("column", style="bold")
    shown = [r for r in records if r["value"] is not None and r["value"]["payload"]["after"]][:3]
    for rec in shown:
        op = rec["value"]["payload"]["op"]
        table.add_column(f"raw ({op}, id {rec['key']['payload']['id']})", style="red", overflow="fold", max_width=30)
        table.add_column("CDR", style="green", overflow="fold", max_width=30)
    for column in SHOWN:
        cells = [column]
        for rec in shown:
            raw = rec["value"]["payload"]["after"].get(column)
            cdr_value = out.get(f"{rec['topic']}/{rec['partition']}/{rec['offset']}")
            after = (cdr_value or {}).get("payload", {}).get("after") or {}
            cells += [_shown(column, raw), _shown(column, after.get(column, "(dropped)"))]
        table.add_row(*cells)
    return table


def _figures(url: str, source: str, cdr: str) -> Table:
    table = Table(title="from /metrics")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("events consumed", _metric(url, "cdr_events_consumed_total", topic=source)),
        ("events published", _metric(url, "cdr_events_produced_total", topic=cdr)),
        ("dead letters", _metric(url, "cdr_dead_letters_total")),
        ("values hashed", _metric(url, "cdr_fields_transformed_total", treatment="hash")),
        ("values masked", _metric(url, "cdr_fields_transformed_total", treatment="mask")),
        ("values dropped", _metric(url, "cdr_fields_transformed_total", treatment="drop")),
        ("undeclared columns caught", _metric(url, "cdr_undeclared_columns", table="public.customers")),
    ]
    for name, value in rows:
        table.add_row(name, f"{value:,.0f}")
    return table


if __name__ == "__main__":
    sys.exit(main())
