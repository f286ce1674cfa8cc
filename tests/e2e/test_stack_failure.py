"""A failed `stack up` stops whatever it had started: nothing is left running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devstack.process import alive
from devstack.stack import CONNECTOR_NAMES, CONNECTORS, Stack, StackError

pytestmark = pytest.mark.e2e


def test_a_failing_connector_stops_the_stack_it_was_part_of(tmp_path: Path) -> None:
    broken = tmp_path / "connect"
    broken.mkdir()
    for name in CONNECTOR_NAMES:
        config = json.loads((CONNECTORS / f"{name}.json").read_text())
        config["database.dbname"] = "no_such_database"  # Debezium cannot connect: the step fails
        (broken / f"{name}.json").write_text(json.dumps(config))
    stack = Stack(run_dir=tmp_path / "run", connectors=broken, detached=False)
    with pytest.raises(Exception) as failure:
        stack.up(customers=5)
    assert isinstance(failure.value, StackError | RuntimeError)
    state = json.loads(stack.state_file.read_text())
    assert {"postgres", "kafka", "connect"} <= set(state)  # it got as far as Connect
    assert all(info.get("pid") is None for info in state.values())  # every component recorded as stopped
    survivors = _processes_mentioning(str(stack.run_dir), state["postgres"]["data"])
    assert not survivors, f"processes left running: {survivors}"
    assert not (stack.run_dir / "postgres" / "data").exists()  # the cluster's files removed too
    assert not Path(state["postgres"]["data"]).exists()


def _processes_mentioning(*paths: str) -> list[int]:
    """Live processes whose command line names one of ``paths`` (configs, data directories)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(p in cmdline for p in paths) and alive(int(proc.name)):
            found.append(int(proc.name))
    return found
