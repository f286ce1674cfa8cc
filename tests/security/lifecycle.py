"""Lifecycle attacks in file mode: what one source stream lets out when its declarations
change, when it is replayed, or when the service's own tools read what it wrote.

A :class:`Step` is one ``cdr process`` run over the step's records with the step's
declaration files (several files: a CDR topic version bump keeps the older one until its
sunset). A :class:`Scenario` is the steps in order, the values planted in them and the
places they must not reach. :func:`run_scenario` feeds each step through the real entry
point in-process (as :mod:`tests.security.filemode` does) and hands back everything that
came out, by place, for :func:`tests.security.ledger.judge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.security.cases.common import SEALED
from tests.security.events import Rec, encode
from tests.security.filemode import CaseFiles, collect_files, run_cli
from tests.security.ledger import Case, Observed


@dataclass(frozen=True)
class Step:
    """One ``cdr process`` run: its declaration files (name -> YAML, ``{source}`` replaced
    by the scenario's source topic) and its records."""

    declarations: Mapping[str, str]
    records: tuple[Rec, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    replay: bool = False  # the input is the previous step's dead-letter file (a replay)


@dataclass(frozen=True)
class Scenario:
    id: str
    description: str
    steps: tuple[Step, ...]
    planted: tuple[str, ...]
    allowed: frozenset[str] = frozenset()
    must_publish: bool = True  # every input record ends up published (a replay: in the replay)
    refused: str | None = None
    sealed: bool = False
    known_leak: str | None = (
        None  # a leak measured and not fixed yet: its mechanism (the test is xfail, strict)  # dead letters are sealed: no planted value anywhere in them  # the run must not start: its stderr names this file (``v2.yaml:``)
    )

    @property
    def source(self) -> str:
        return f"sec.{self.id}"

    def as_case(self) -> Case:
        """The ledger case :func:`judge` reads (declaration and records are the steps')."""
        config = SEALED if self.sealed else {}
        return Case(self.id, "lifecycle", self.description, "", (), self.planted, config, allowed=self.allowed)


def _write_step(scenario: Scenario, step: Step, root: Path, previous: CaseFiles | None) -> CaseFiles:
    (root / "schemas").mkdir(parents=True)
    for name, text in step.declarations.items():
        (root / "schemas" / name).write_text(text.replace("{source}", scenario.source), encoding="utf-8")
    (root / "cdr.yaml").write_text(yaml.safe_dump({"schemas": "schemas", **step.config}), encoding="utf-8")
    coords: list[str] = []
    if step.replay:
        assert previous is not None, "a replay step needs a step before it"
        source = root / "input.jsonl"
        source.write_bytes(previous.dlq.read_bytes() if previous.dlq.exists() else b"")
        coords = []  # replayed records are accounted for by the step that read them first
    else:
        with (root / "input.jsonl").open("wb") as out:
            for offset, rec in enumerate(step.records):
                line = {"topic": scenario.source, "partition": 0, "offset": offset, "key": rec.key, "value": rec.value}
                if rec.headers:
                    line["headers"] = dict(rec.headers)
                out.write(encode(line) + b"\n")
                coords.append(f"{scenario.source}/0/{offset}")
    return CaseFiles(
        root, root / "input.jsonl", root / "out.jsonl", root / "out.dlq.jsonl", root / "cdr.yaml", tuple(coords)
    )


def run_scenario(scenario: Scenario, root: Path, monkeypatch: pytest.MonkeyPatch) -> Observed:
    """Every step in order; what all of them let out, together."""
    seen = Observed()
    previous: CaseFiles | None = None
    for i, step in enumerate(scenario.steps):
        files = _write_step(scenario, step, root / f"step{i}", previous)
        seen.inputs.extend(files.coordinates)
        args = ["process", "--input", str(files.input), "--output", str(files.output)]
        args += ["--dlq", str(files.dlq), "--config", str(files.config)]
        run_cli(args, seen, monkeypatch, f" (step {i})")
        collect_files(files, seen)
        previous = files
    return seen
