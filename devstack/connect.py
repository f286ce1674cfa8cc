"""A Kafka Connect worker (distributed mode, one node) from the Maven Central jars, with
the Debezium PostgreSQL connector on its plugin path, and a small client for its REST API.

The worker's classpath is connect-runtime + connect-json at the broker's Kafka version;
Debezium and its dependencies are linked into ``<run>/plugins/debezium-postgres/`` so
Connect loads them in their own class loader, as in a real deployment.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack import maven
from devstack.ports import free_port
from devstack.process import ChildProcess, die_with_parent

CONNECT_HEAP = os.environ.get("CDR_STACK_CONNECT_HEAP", "-Xms128m -Xmx640m")
POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector"

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %X{{connector.context}}%m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
logger.debezium.name = io.debezium
logger.debezium.level = INFO
"""


class ConnectError(RuntimeError):
    pass


@dataclass
class LocalConnect(ChildProcess):
    run_dir: Path
    bootstrap: str
    port: int = 0
    extra_plugins: tuple[str, ...] = ()  # more Maven components, each its own plugin directory

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "connect.log"

    def _plugin_dir(self) -> Path:
        plugins = self.run_dir / "plugins"
        for component in ("debezium-postgres", *self.extra_plugins):
            target = plugins / component
            target.mkdir(parents=True, exist_ok=True)
            for jar in maven.classpath(component).split(":"):
                link = target / Path(jar).name
                if not link.exists():
                    link.symlink_to(jar)
        return plugins

    def _write_config(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        props = {
            "bootstrap.servers": self.bootstrap,
            "group.id": "cdr-local-connect",
            "config.storage.topic": "_connect-configs",
            "offset.storage.topic": "_connect-offsets",
            "status.storage.topic": "_connect-status",
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "offset.storage.partitions": "1",
            "status.storage.partitions": "1",
            "offset.flush.interval.ms": "1000",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "listeners": f"http://127.0.0.1:{self.port}",
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": str(self.port),
            "plugin.path": str(self._plugin_dir()),
            "plugin.discovery": "hybrid_warn",
            "scheduled.rebalance.max.delay.ms": "0",
        }
        path = self.run_dir / "connect-distributed.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        (self.run_dir / "log4j2.properties").write_text(LOG4J2.format(log=self.log_file))
        return path

    def start(self, timeout: float = 120.0, detached: bool = False) -> None:
        """Start the worker; returns once its REST API lists the Debezium connector."""
        self.port = self.port or free_port()
        config = self._write_config()
        args = [
            "java",
            *CONNECT_HEAP.split(),
            "-XX:+UseG1GC",
            "-XX:TieredStopAtLevel=1",  # C1 only: a faster start on 2 cores, plenty for a demo load
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.run_dir / 'log4j2.properties'}",
            "-cp",
            maven.classpath("connect"),
            "org.apache.kafka.connect.cli.ConnectDistributed",
            str(config),
        ]
        out = (self.run_dir / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=None if detached else die_with_parent,
        )
        out.close()
        self.pid = self.process.pid
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ConnectError(f"kafka connect exited with {self.process.returncode}; see {self.log_file}")
            try:
                plugins = self.request("GET", "/connector-plugins")
            except (OSError, ConnectError):  # not listening yet, or REST resources not yet registered
                time.sleep(0.5)
                continue
            if any(p.get("class") == POSTGRES_CONNECTOR for p in plugins):
                return
            self.stop()
            raise ConnectError(f"the Debezium PostgreSQL connector is not on the plugin path; see {self.log_file}")
        self.stop()
        raise ConnectError(f"kafka connect did not answer within {timeout:.0f}s; see {self.log_file}")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise ConnectError(f"{method} {path}: {exc.code} {detail}") from None
        return json.loads(payload) if payload else None

    def put_connector(self, name: str, config: dict[str, str]) -> None:
        """Create or update a connector (idempotent: PUT /connectors/NAME/config)."""
        self.request("PUT", f"/connectors/{name}/config", config)

    def status(self, name: str) -> dict[str, Any]:
        return self.request("GET", f"/connectors/{name}/status")

    def wait_running(self, name: str, timeout: float = 60.0) -> None:
        """Until the connector and its task run; a FAILED task raises with its trace's first line."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                last = self.status(name)
            except ConnectError:
                time.sleep(0.5)
                continue
            tasks = last.get("tasks", [])
            connector = last.get("connector", {})
            if connector.get("state") == "FAILED":
                trace = (connector.get("trace") or "").splitlines()
                raise ConnectError(f"connector {name} failed: {trace[0] if trace else 'no trace'}")
            for task in tasks:
                if task.get("state") == "FAILED":
                    trace = (task.get("trace") or "").splitlines()
                    raise ConnectError(f"connector {name} task failed: {trace[0] if trace else 'no trace'}")
            if (
                last.get("connector", {}).get("state") == "RUNNING"
                and tasks
                and all(t.get("state") == "RUNNING" for t in tasks)
            ):
                return
            time.sleep(0.5)
        raise ConnectError(f"connector {name} not running after {timeout:.0f}s: {last}")
