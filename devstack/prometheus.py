"""Prometheus from Debian's package, scraping the service's /metrics every second, with
the alerting rules from ``deploy/prometheus/rules.yml`` loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from devstack.ports import free_port
from devstack.process import ChildProcess, die_with_parent

RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus" / "rules.yml"


class PrometheusError(RuntimeError):
    pass


def binary() -> str | None:
    return shutil.which("prometheus")


@dataclass
class LocalPrometheus(ChildProcess):
    run_dir: Path
    targets: list[str]
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "prometheus.log"

    def _write_config(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{"job_name": "cdr-pipeline", "static_configs": [{"targets": self.targets}]}],
        }
        path = self.run_dir / "prometheus.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def start(self, timeout: float = 60.0, detached: bool = False) -> None:
        exe = binary()
        if exe is None:
            raise PrometheusError("prometheus is not installed: run `bash deploy/local/install-system-deps.sh`")
        self.port = self.port or free_port()
        config = self._write_config()
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                exe,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.run_dir / 'data'}",
                "--storage.tsdb.retention.time=1d",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=None if detached else die_with_parent,
        )
        log.close()
        self.pid = self.process.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PrometheusError(f"prometheus exited with {self.process.returncode}; see {self.log_file}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise PrometheusError(f"prometheus not ready within {timeout:.0f}s; see {self.log_file}")

    def query(self, expr: str) -> list[dict[str, object]]:
        """An instant query's result vector (``[{"metric": {...}, "value": [ts, "v"]}]``)."""
        url = f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = json.loads(resp.read())
        if body.get("status") != "success":
            raise PrometheusError(f"query failed: {body.get('error')}")
        return list(body["data"]["result"])
