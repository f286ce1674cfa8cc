"""`make demo`: the whole thing, live. PostgreSQL with a payments company's database ->
Debezium (Kafka Connect) -> Kafka -> cdr-pipeline -> CDR topics, Prometheus scraping it,
and a traffic generator making inserts, updates and deletes.

A live view shows events/s in and out, detections, the undeclared columns the detector
caught, and the latest customer events side by side, raw -> CDR. Ctrl-C (or
``--seconds N``) stops everything cleanly. State lives under ``.run/demo``.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
import urllib.request
from collections import OrderedDict, deque
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Consumer
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from devstack.shop import Shop, Traffic
from devstack.stack import REPO, Stack

RUN = REPO / ".run" / "demo"
SOURCE = "shop.public.customers"
CDR = "cdr.shop.customers"
AVRO_TOPICS = ("shopavro.public.customers", "cdr.shopavro.customers")  # --format avro
SHOWN = ("first_name", "last_name", "email", "phone", "date_of_birth", "street", "city", "segment", "profile")


class SideBySide:
    """Follows the customers source topic and its CDR topic; pairs records by source
    coordinates (the ``cdr.source`` header) and remembers when the first CDR record came.
    ``registry_url``: the topics are Avro (``--format avro``), read with that registry."""

    def __init__(self, bootstrap: str, registry_url: str | None = None) -> None:
        self.source, self.cdr = (SOURCE, CDR) if registry_url is None else AVRO_TOPICS
        self._avro = None
        if registry_url is not None:
            from confluent_kafka.schema_registry import SchemaRegistryClient
            from confluent_kafka.schema_registry.avro import AvroDeserializer

            self._avro = AvroDeserializer(SchemaRegistryClient({"url": registry_url, "timeout": 20}))
        self.pairs: deque[tuple[str, dict[str, Any], dict[str, Any]]] = deque(maxlen=2)
        self.first_cdr_at: float | None = None
        self._raw: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._stop = threading.Event()
        self._consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": f"demo-view-{time.time_ns()}", "auto.offset.reset": "earliest"}
        )
        self._consumer.subscribe([self.source, self.cdr])
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for msg in self._consumer.consume(200, 0.3):
                if msg.error() is not None or msg.value() is None:
                    continue
                after = self._after(msg.topic(), msg.value())
                if not after:
                    continue
                if msg.topic() == self.source:
                    self._raw[f"{msg.topic()}/{msg.partition()}/{msg.offset()}"] = after
                    while len(self._raw) > 500:
                        self._raw.popitem(last=False)
                    continue
                if self.first_cdr_at is None:
                    self.first_cdr_at = time.monotonic()
                coord = dict(msg.headers() or []).get("cdr.source", b"").decode()
                raw = self._raw.get(coord)
                if raw is not None:
                    self.pairs.append((coord, raw, after))
        self._consumer.close()

    def _after(self, topic: str, raw: bytes) -> dict[str, Any] | None:
        if self._avro is None:
            return (json.loads(raw).get("payload") or {}).get("after")
        from confluent_kafka.serialization import MessageField, SerializationContext

        value = self._avro(raw, SerializationContext(topic, MessageField.VALUE))
        return value.get("after") if isinstance(value, dict) else None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """/metrics as {sample name: [(labels, value)]}."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            text = resp.read().decode()
    except OSError:
        return {}
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), float(sample.value)))
    return out


def total(metrics: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for lab, v in metrics.get(name, []) if all(lab.get(k) == w for k, w in labels.items()))


class View:
    def __init__(self, stack: Stack, side: SideBySide, traffic: Traffic, started: float) -> None:
        self.stack = stack
        self.side = side
        self.traffic = traffic
        self.started = started
        self._last: tuple[float, float, float] | None = None
        self._rates = (0.0, 0.0)

    def render(self) -> Group:
        m = scrape(self.stack.metrics_url)
        now = time.monotonic()
        consumed = total(m, "cdr_events_consumed_total")
        produced = total(m, "cdr_events_produced_total")
        if self._last is not None and now > self._last[0]:
            dt = now - self._last[0]
            self._rates = ((consumed - self._last[1]) / dt, (produced - self._last[2]) / dt)
        self._last = (now, consumed, produced)

        flow = Table(title="stream", expand=True)
        for col in ("", "events/s", "total"):
            flow.add_column(col, justify="right" if col else "left")
        flow.add_row("Debezium -> cdr-pipeline (in)", f"{self._rates[0]:,.1f}", f"{consumed:,.0f}")
        flow.add_row("cdr-pipeline -> CDR topics (out)", f"{self._rates[1]:,.1f}", f"{produced:,.0f}")
        flow.add_row("dead letters", "", f"{total(m, 'cdr_dead_letters_total'):,.0f}")
        ops = ", ".join(f"{k} {v}" for k, v in sorted(self.traffic.counts.items())) or "starting"
        flow.add_row("database traffic", "", ops)

        detections = Table(title="personal data treated (values, by source)", expand=True)
        for col in ("table.column", "entity", "source", "values"):
            detections.add_column(col, justify="right" if col == "values" else "left")
        rows = sorted(m.get("cdr_pii_detections_total", []), key=lambda s: (s[0]["source"] != "detected", -s[1]))
        for labels, value in rows[:12]:
            style = "bold yellow" if labels["source"] == "detected" else None
            name = f"{labels['table'].split('.')[-1]}.{labels['column']}"
            detections.add_row(name, labels["entity"], labels["source"], f"{value:,.0f}", style=style)
        caught = [lab["table"] for lab, v in m.get("cdr_undeclared_pii_columns", []) for _ in range(int(v))]
        summary = f"undeclared columns caught by the detector: [bold yellow]{len(caught)}[/]"

        parts: list[Any] = [flow, detections, summary]
        for coord, raw, cdr in list(self.side.pairs):
            parts.append(_pair_table(coord, raw, cdr))
        first = self.side.first_cdr_at
        took = (
            f"first CDR event {first - self.started:.0f}s after start" if first else "waiting for the first CDR event"
        )
        urls = (
            f"metrics: [bold]{self.stack.metrics_url}[/]   Prometheus: {self.stack.state['prometheus']['url']}\n"
            f"{took}   ·   Ctrl-C stops everything"
        )
        parts.append(Panel(urls, title="cdr-pipeline demo"))
        return Group(*parts)


def _shown(column: str, value: Any) -> str:
    if value is None:
        return "null"
    if column == "date_of_birth" and isinstance(value, int):
        return (date(1970, 1, 1) + timedelta(days=value)).isoformat()
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _pair_table(coord: str, raw: dict[str, Any], cdr: dict[str, Any]) -> Table:
    table = Table(title=f"customer id {raw.get('id')} ({coord})", expand=True)
    table.add_column("column", style="bold")
    table.add_column("Debezium (raw)", style="red", overflow="fold")
    table.add_column("CDR", style="green", overflow="fold")
    for column in SHOWN:
        table.add_row(column, _shown(column, raw.get(column)), _shown(column, cdr.get(column, "(dropped)")))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20.0, help="database operations per second")
    parser.add_argument("--customers", type=int, default=200, help="customers in the seeded database")
    parser.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    parser.add_argument("--run-dir", type=Path, default=RUN)
    parser.add_argument(
        "--format", choices=("json", "avro"), default="json", help="avro: Debezium's Avro converter and a registry"
    )
    args = parser.parse_args(argv)
    console = Console()
    started = time.monotonic()
    stack = Stack(run_dir=args.run_dir, detached=False)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    side: SideBySide | None = None
    conn: psycopg.Connection[Any] | None = None
    traffic_thread: threading.Thread | None = None
    try:
        with console.status("starting") as status:

            def step(message: str) -> None:
                status.update(f"starting {message} ({time.monotonic() - started:.0f}s)")
                console.log(message)

            stack.up(customers=args.customers, progress=step, avro=args.format == "avro")
        console.log(f"stack up in {time.monotonic() - started:.0f}s")
        side = SideBySide(stack.bootstrap, stack.registry_url if args.format == "avro" else None)
        conn = psycopg.connect(stack.postgres_dsn())
        traffic = Traffic(conn, Shop(seed=int(time.time())))
        traffic_thread = threading.Thread(target=traffic.run, args=(args.rate, None, stop.is_set), daemon=True)
        traffic_thread.start()
        view = View(stack, side, traffic, started)
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        with Live(view.render(), console=console, refresh_per_second=1, screen=False) as live:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                time.sleep(1)
                live.update(view.render())
                if stack.service_proc is not None and stack.service_proc.poll() is not None:
                    console.print(
                        f"[red]cdr run exited ({stack.service_proc.returncode}); see {stack.log_file('service')}"
                    )
                    return 1
        if side.first_cdr_at is not None:
            console.print(f"first CDR event {side.first_cdr_at - started:.1f}s after the demo began starting the stack")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        with console.status("stopping everything"):
            if traffic_thread is not None:
                traffic_thread.join(timeout=5)
            if conn is not None:
                conn.close()
            if side is not None:
                side.close()
            stack.down()
        console.print("stopped cleanly")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
