"""Liveness and readiness, and the HTTP endpoints that expose them beside /metrics.

- ``/healthz`` (liveness): the process is up and its loop is turning: the loop has
  beaten within ``stale_after_s``. A wedged loop makes it fail, so an orchestrator
  restarts the process.
- ``/readyz`` (readiness): partitions are assigned and the broker answered recently.
  It goes false while the broker is unreachable and true again when it returns.

Bodies are small JSON documents of states and counts, never record content.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


@dataclass
class Health:
    stale_after_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    last_beat: float = field(default=0.0)
    assigned: int = 0
    broker_down_since: float | None = None
    started: bool = False

    def beat(self) -> None:
        self.last_beat = self.clock()
        self.started = True

    def broker_reachable(self) -> None:
        self.broker_down_since = None

    def broker_unreachable(self) -> None:
        if self.broker_down_since is None:
            self.broker_down_since = self.clock()

    def broker_down_for(self) -> float:
        return 0.0 if self.broker_down_since is None else self.clock() - self.broker_down_since

    def live(self) -> tuple[bool, dict[str, object]]:
        age = self.clock() - self.last_beat if self.started else None
        ok = age is not None and age <= self.stale_after_s
        return ok, {"loop_age_s": None if age is None else round(age, 3), "stale_after_s": self.stale_after_s}

    def ready(self) -> tuple[bool, dict[str, object]]:
        live, _ = self.live()
        broker_ok = self.broker_down_since is None
        ok = live and broker_ok and self.assigned > 0
        return ok, {
            "loop": live,
            "broker_reachable": broker_ok,
            "broker_down_s": round(self.broker_down_for(), 3),
            "assigned_partitions": self.assigned,
        }


class BrokerWatch:
    """Asks the broker for metadata every ``interval_s`` from a thread (librdkafka clients
    are thread-safe) and records the answer in ``health``: the loop never blocks on it."""

    def __init__(self, probe: Callable[[float], object], health: Health, interval_s: float = 2.0) -> None:
        self.probe = probe
        self.health = health
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cdr-broker-watch", daemon=True)

    def start(self) -> BrokerWatch:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                meta = self.probe(min(self.interval_s, 5.0))
                brokers = getattr(meta, "brokers", None)
                if brokers is None or brokers:
                    self.health.broker_reachable()
                else:
                    self.health.broker_unreachable()
            except Exception:
                self.health.broker_unreachable()
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def serve(host: str, port: int, registry: CollectorRegistry, health: Health | None) -> tuple[ThreadingHTTPServer, int]:
    """/metrics, /healthz and /readyz on one port; returns the server and its bound port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
            elif path in ("/healthz", "/readyz") and health is not None:
                ok, detail = health.live() if path == "/healthz" else health.ready()
                body = json.dumps({"status": "ok" if ok else "unavailable", **detail}).encode()
                self._send(200 if ok else 503, body, "application/json")
            else:
                self._send(404, b"not found\n", "text/plain")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:  # access logs would be noise
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="cdr-http", daemon=True).start()
    return server, int(server.server_address[1])
