"""The local stack, no Docker: PostgreSQL -> Kafka Connect + Debezium -> Kafka ->
``cdr run`` -> CDR topics, with Prometheus scraping the service.

    python -m devstack.stack up [--customers N] [--no-service] [--registry]
    python -m devstack.stack status
    python -m devstack.stack logs [postgres|kafka|registry|connect|service|prometheus] [-n 50]
    python -m devstack.stack down

Everything lives under one run directory (default ``.run/stack``): data, logs, configs
and ``stack.json``, which records each component's pid and port so ``status`` and
``down`` work from any later shell. ``up`` waits for each component to be ready, picks
free ports on 127.0.0.1, and stops whatever it started if a later step fails. Tests
and ``make demo`` use :class:`Stack` in-process with ``detached=False``: then every
process dies with its parent, even on ``kill -9``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml
from rich.console import Console
from rich.table import Table

from devstack.connect import LocalConnect
from devstack.kafka import LocalKafka
from devstack.ports import free_port
from devstack.postgres import LocalPostgres
from devstack.process import alive, die_with_parent, stop_process
from devstack.prometheus import LocalPrometheus
from devstack.registry import LocalRegistry
from devstack.shop import Shop, create_schema, seed

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RUN = REPO / ".run" / "stack"
CONNECTORS = REPO / "deploy" / "local" / "connect"
SHOP_SCHEMAS = REPO / "schemas" / "shop"
DEMO_HASH_KEY = "local-stack-hash-key-not-a-secret"
COMPONENTS = ("postgres", "kafka", "registry", "connect", "service", "prometheus")
CONNECTOR_NAMES = ("shop", "shop-schemaless")
AVRO_CONNECTOR = "shop-avro"  # Debezium with Apicurio's Avro converter (stacks started with avro=True)


class StackError(RuntimeError):
    pass


def hash_key_material() -> str:
    """The key ``cdr run`` hashes with here: ``CDR_HASH_KEY`` if set, else a fixed demo key."""
    return os.environ.get("CDR_HASH_KEY") or DEMO_HASH_KEY


def connector_config(name: str, pg_port: int, directory: Path = CONNECTORS, **values: str) -> dict[str, str]:
    """``deploy/local/connect/<name>.json`` with the database port (and ``values``, such
    as the Avro connector's ``registry_api``) filled in."""
    text = (directory / f"{name}.json").read_text()
    return dict(json.loads(string.Template(text).substitute(pg_port=pg_port, **values)))


def avro_declarations(target: Path, schemas: Path = SHOP_SCHEMAS) -> Path:
    """The shop's declarations pointed at the Avro connector's topics (``shopavro.*`` ->
    ``cdr.shopavro.*``), written to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(schemas.glob("*.yaml")):
        if path.name.endswith(".schemaless.yaml"):
            continue
        text = path.read_text().replace("source_topic: shop.", "source_topic: shopavro.")
        (target / path.name).write_text(text.replace("cdr_topic: cdr.shop.", "cdr_topic: cdr.shopavro."))
    return target


def registry_api(ccompat_url: str) -> str:
    """The registry's own API (``/apis/registry/v2``), which Apicurio's Connect converter
    talks to, beside its Confluent-compatible one."""
    return ccompat_url.removesuffix("/apis/ccompat/v7") + "/apis/registry/v2"


@dataclass
class Stack:
    run_dir: Path = DEFAULT_RUN
    schemas: Path = SHOP_SCHEMAS
    connectors: Path = CONNECTORS
    detached: bool = True
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_proc: subprocess.Popen[bytes] | None = None
    shop: Shop = field(default_factory=Shop)  # what seeded the database (and what it planted)

    @classmethod
    def default(cls) -> Stack:
        stack = cls()
        stack.load()
        return stack

    # -- state ------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.run_dir / "stack.json"

    def load(self) -> None:
        if not self.state_file.is_file():
            raise StackError(f"no stack at {self.run_dir} (run `python -m devstack.stack up`)")
        self.state = json.loads(self.state_file.read_text())

    def _save(self) -> None:
        self.state_file.write_text(json.dumps(self.state, indent=2))

    def _record(self, component: str, **values: Any) -> None:
        self.state[component] = {**self.state.get(component, {}), **values}
        self._save()

    def postgres_dsn(self) -> str:
        return str(self.state["postgres"]["dsn"])

    @property
    def bootstrap(self) -> str:
        return str(self.state["kafka"]["bootstrap"])

    @property
    def metrics_url(self) -> str:
        return str(self.state["service"]["metrics_url"])

    @property
    def registry_url(self) -> str:
        """The schema registry's Confluent-compatible API (stacks started with registry=True)."""
        return str(self.state["registry"]["url"])

    @property
    def connect_url(self) -> str:
        return str(self.state["connect"]["url"])

    def log_file(self, component: str) -> Path:
        return Path(self.state.get(component, {}).get("log", self.run_dir / component / f"{component}.log"))

    # -- up ---------------------------------------------------------------------------
    def up(
        self,
        customers: int = 200,
        service: bool = True,
        prometheus: bool = True,
        progress: Any = None,
        registry: bool = False,
        avro: bool = False,
    ) -> None:
        """Start everything, in order, each ready before the next; on failure stop what
        started. ``registry``: also the schema registry, before Connect. ``avro``: the
        registry, the Avro connector beside the JSON ones, and ``cdr run`` reading its
        topics with ``format: avro``."""
        registry = registry or avro
        say = progress or (lambda message: None)
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        self.state = {}
        self._save()
        try:
            say("PostgreSQL (wal_level=logical)")
            pg = LocalPostgres(self.run_dir / "postgres")
            pg.start(detached=self.detached)
            self._record(
                "postgres", pid=pg.pid, port=pg.port, dsn=pg.dsn(), log=str(pg.log_file), data=str(pg.server_dir)
            )
            say(f"sample database: {customers} customers")
            with psycopg.connect(pg.dsn()) as conn:
                create_schema(conn)
                seed(conn, self.shop, customers)

            say("Kafka (KRaft)")
            kafka = LocalKafka(self.run_dir / "kafka")
            kafka.start(detached=self.detached)
            self._record("kafka", pid=kafka.pid, port=kafka.port, bootstrap=kafka.bootstrap, log=str(kafka.log_file))

            if registry:
                say("schema registry (Apicurio)")
                reg = LocalRegistry(self.run_dir / "registry")
                reg.start(detached=self.detached)
                self._record("registry", pid=reg.pid, port=reg.port, url=reg.url, log=str(reg.log_file))

            say("Kafka Connect + Debezium PostgreSQL connector")
            # With the registry, Apicurio's Avro converter goes on the plugin path too.
            plugins = ("avro-converter",) if registry else ()
            connect = LocalConnect(self.run_dir / "connect", kafka.bootstrap, extra_plugins=plugins)
            connect.start(detached=self.detached)
            self._record("connect", pid=connect.pid, port=connect.port, url=connect.url, log=str(connect.log_file))
            for name in CONNECTOR_NAMES:
                connect.put_connector(name, connector_config(name, pg.port, self.connectors))
            if avro:
                api = registry_api(self.registry_url)
                connect.put_connector(
                    AVRO_CONNECTOR, connector_config(AVRO_CONNECTOR, pg.port, self.connectors, registry_api=api)
                )
            for name in (*CONNECTOR_NAMES, AVRO_CONNECTOR) if avro else CONNECTOR_NAMES:
                connect.wait_running(name)
            say("Debezium snapshot")
            self._wait_topics(kafka.bootstrap, self._source_topics(), timeout=120)
            if avro:
                schemas = avro_declarations(self.run_dir / "avro-schemas", self.schemas)
                self._record("avro", schemas=str(schemas))
                self._wait_topics(kafka.bootstrap, self._source_topics(schemas), timeout=120)

            if service:
                say("cdr run")
                self.start_service()
            if prometheus and service:
                say("Prometheus")
                prom = LocalPrometheus(self.run_dir / "prometheus", [self.metrics_url.split("/")[2]])
                prom.start(detached=self.detached)
                self._record("prometheus", pid=prom.pid, port=prom.port, url=prom.url, log=str(prom.log_file))
        except BaseException:
            self.down()
            raise

    def _source_topics(self, schemas: Path | None = None) -> list[str]:
        topics = []
        for path in sorted((schemas or self.schemas).rglob("*.yaml")):
            doc = yaml.safe_load(path.read_text())
            topics.append(str(doc["source_topic"]))
        return topics

    @staticmethod
    def _wait_topics(bootstrap: str, topics: list[str], timeout: float) -> None:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": bootstrap})
        deadline = time.monotonic() + timeout
        missing = set(topics)
        while time.monotonic() < deadline:
            missing = set(topics) - set(admin.list_topics(timeout=10).topics)
            if not missing:
                return
            time.sleep(0.5)
        raise StackError(f"Debezium did not create {sorted(missing)} within {timeout:.0f}s")

    def service_config(self, metrics_port: int, **overrides: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "kafka": {"bootstrap.servers": self.bootstrap},
            "consumer": {"group.id": "cdr-local", "session.timeout.ms": 10000},
            "producer": {"linger.ms": 20},
            "schemas": str(self.schemas),
            "dead_letter_topic": "cdr.dead-letter",
            "metrics": {"host": "127.0.0.1", "port": metrics_port},
            "commit_interval_ms": 500,
            "detection": {"min_samples": 50, "sample_every": 5},
            "local_stack": True,  # the stack's public demo hash key is accepted here only
        }
        if "avro" in self.state:  # up(avro=True): the service reads the Avro connector's topics
            config.update(
                schemas=self.state["avro"]["schemas"], format="avro", schema_registry={"url": self.registry_url}
            )
        config.update(overrides)
        return config

    def start_service(self, **overrides: Any) -> None:
        """``cdr run`` against the stack, waiting until it holds its partitions."""
        port = free_port()
        run = self.run_dir / "service"
        run.mkdir(parents=True, exist_ok=True)
        config_path = run / "cdr.yaml"
        config_path.write_text(yaml.safe_dump(self.service_config(port, **overrides), sort_keys=False))
        log_path = run / "service.log"
        log = log_path.open("ab")
        env = {**os.environ, "CDR_HASH_KEY": hash_key_material()}
        self.service_proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--config", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=None if self.detached else die_with_parent,
        )
        log.close()
        url = f"http://127.0.0.1:{port}/metrics"
        self._record("service", pid=self.service_proc.pid, port=port, metrics_url=url, log=str(log_path))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.service_proc.poll() is not None:
                raise StackError(f"cdr run exited with {self.service_proc.returncode}; see {log_path}")
            if b'"partitions_assigned"' in log_path.read_bytes():
                return
            time.sleep(0.3)
        raise StackError(f"cdr run held no partitions after 90s; see {log_path}")

    def stop_service(self, timeout: float = 30.0) -> int | None:
        """SIGTERM the service (it flushes and commits), wait; returns its exit code."""
        info = self.state.get("service", {})
        pid = info.get("pid")
        code: int | None = None
        if self.service_proc is not None:
            self.service_proc.send_signal(signal.SIGTERM)
            try:
                code = self.service_proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_process(self.service_proc.pid, 5)
                code = self.service_proc.wait(timeout=5)
            self.service_proc = None
        elif pid and alive(pid):
            stop_process(pid, timeout)
        if info:
            self._record("service", pid=None)
        return code

    # -- down / status ----------------------------------------------------------------
    def down(self) -> None:
        """Stop every component in reverse order (service first, PostgreSQL last)."""
        if not self.state and self.state_file.is_file():
            self.load()
        self.stop_service()
        for component in ("prometheus", "connect", "registry", "kafka"):
            pid = self.state.get(component, {}).get("pid")
            if pid and alive(pid):
                stop_process(pid, 30)
            if component in self.state:
                self._record(component, pid=None)
        pg = self.state.get("postgres", {})
        if pg.get("pid"):
            postgres = LocalPostgres(self.run_dir / "postgres", port=pg.get("port", 0), pid=pg["pid"])
            postgres.stop()
            self._record("postgres", pid=None)
        LocalPostgres(self.run_dir / "postgres").remove()

    def status(self) -> list[tuple[str, str, str, str]]:
        """(component, state, pid, address) per component."""
        rows = []
        for component in COMPONENTS:
            info = self.state.get(component)
            if not info:
                rows.append((component, "not started", "", ""))
                continue
            pid = info.get("pid")
            running = bool(pid) and alive(pid)
            address = info.get("url") or info.get("metrics_url") or info.get("bootstrap") or info.get("dsn") or ""
            rows.append((component, "running" if running else "stopped", str(pid or ""), str(address)))
        return rows

    def connector_states(self) -> dict[str, str]:
        states = {}
        for name in CONNECTOR_NAMES:
            try:
                with urllib.request.urlopen(f"{self.connect_url}/connectors/{name}/status", timeout=3) as resp:
                    body = json.loads(resp.read())
                tasks = ",".join(t["state"] for t in body.get("tasks", []))
                states[name] = f"{body['connector']['state']} (tasks: {tasks or 'none'})"
            except (OSError, KeyError, ValueError):
                states[name] = "unreachable"
        return states


def _print_status(console: Console, stack: Stack) -> int:
    table = Table(title=f"local stack ({stack.run_dir})")
    for col in ("component", "state", "pid", "address"):
        table.add_column(col)
    rows = stack.status()
    for component, state, pid, address in rows:
        style = {"running": "green", "stopped": "red"}.get(state, "dim")
        table.add_row(component, f"[{style}]{state}[/]", pid, address)
    console.print(table)
    if stack.state.get("connect", {}).get("pid"):
        for name, state in stack.connector_states().items():
            console.print(f"connector [bold]{name}[/]: {state}")
    return 0 if all(state == "running" for _, state, _, _ in rows if state != "not started") else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL, Kafka, Connect + Debezium, the service, Prometheus")
    up.add_argument("--customers", type=int, default=200, help="customers in the seeded database")
    up.add_argument("--no-service", action="store_true", help="everything but cdr run")
    up.add_argument("--registry", action="store_true", help="also the schema registry (Apicurio), for Avro")
    up.add_argument("--avro", action="store_true", help="the registry, the Avro connector, cdr run in format: avro")
    sub.add_parser("down", help="stop everything the stack started")
    sub.add_parser("status", help="what runs where")
    logs = sub.add_parser("logs", help="the last lines of a component's log")
    logs.add_argument("component", nargs="?", choices=COMPONENTS, default="service")
    logs.add_argument("-n", type=int, default=40)
    args = parser.parse_args(argv)
    console = Console()
    stack = Stack(run_dir=args.run_dir)
    if args.command == "up":
        started = time.monotonic()
        with console.status("starting the local stack") as status:
            stack.up(
                args.customers,
                service=not args.no_service,
                progress=lambda m: status.update(f"starting {m}"),
                registry=args.registry,
                avro=args.avro,
            )
        console.print(f"stack up in {time.monotonic() - started:.0f}s")
        return _print_status(console, stack)
    try:
        stack.load()
    except StackError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    if args.command == "down":
        stack.down()
        console.print("stack stopped")
        return 0
    if args.command == "status":
        return _print_status(console, stack)
    path = stack.log_file(args.component)
    if not path.is_file():
        console.print(f"[red]no log for {args.component} at {path}[/]")
        return 1
    lines = path.read_text(errors="replace").splitlines()[-args.n :]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
