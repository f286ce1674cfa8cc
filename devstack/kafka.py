"""A single-node Apache Kafka 4.x (KRaft: broker and controller in one process) on
127.0.0.1, from the Maven Central jars, with all state in one run directory."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from devstack import maven
from devstack.ports import free_port
from devstack.process import ChildProcess, die_with_parent

KAFKA_HEAP = os.environ.get("CDR_STACK_KAFKA_HEAP", "-Xms256m -Xmx768m")

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.kafka.additivity = false
logger.kafka.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
logger.org.name = org.apache.kafka
logger.org.level = WARN
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
"""


class KafkaStartError(RuntimeError):
    pass


def new_cluster_id() -> str:
    """A random KRaft cluster id: a UUID in URL-safe base64, as ``kafka-storage
    random-uuid`` makes. Like Kafka's own, it never starts with '-' (one in 64 would),
    which the storage tool's argument parser would take for an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


@dataclass
class LocalKafka(ChildProcess):
    run_dir: Path
    port: int = 0
    controller_port: int = 0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "server.log"

    def _write_config(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.run_dir / "data"),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "5",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "log.retention.hours": "24",
        }
        path = self.run_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        (self.run_dir / "log4j2.properties").write_text(LOG4J2.format(log=self.log_file))
        return path

    def _java(self, main: str, *args: str) -> list[str]:
        cp = maven.classpath("kafka")
        return [
            "java",
            *KAFKA_HEAP.split(),
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.run_dir / 'log4j2.properties'}",
            "-cp",
            cp,
            main,
            *args,
        ]

    def start(self, timeout: float = 90.0, detached: bool = False) -> None:
        """Format storage (first start only) and start the broker; returns once it answers.

        ``detached``: the broker outlives this Python process (``stack up``); otherwise it
        is killed when this process dies, so a crashed test run leaves nothing behind.
        """
        fresh = not (self.run_dir / "data" / "meta.properties").exists()
        if fresh or not self.port:
            self.port = self.port or free_port()
            self.controller_port = self.controller_port or free_port()
        config = self._write_config()
        if fresh:
            cluster_id = new_cluster_id()
            fmt = subprocess.run(
                self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)),
                capture_output=True,
                text=True,
                check=False,
            )
            if fmt.returncode != 0:
                raise KafkaStartError(f"kafka storage format failed: {fmt.stderr[-2000:]}")
        out = (self.run_dir / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            self._java("kafka.Kafka", str(config)),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=None if detached else die_with_parent,
        )
        out.close()
        self.pid = self.process.pid
        (self.run_dir / "kafka.pid").write_text(str(self.pid))
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + timeout
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise KafkaStartError(f"kafka exited with {self.process.returncode}; see {self.log_file}")
            try:
                meta = admin.list_topics(timeout=2)
                if meta.brokers:
                    return
            except Exception:
                pass
            time.sleep(0.3)
        self.stop()
        raise KafkaStartError(f"kafka did not answer within {timeout:.0f}s; see {self.log_file}")

    def kill(self) -> None:
        """kill -9 the broker (fault tests)."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None
            self.pid = None

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
