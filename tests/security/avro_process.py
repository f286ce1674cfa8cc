"""``cdr process`` with ``format: avro`` in a subprocess, its registry in memory:
``python -m tests.security.avro_process REGISTRY_IN REGISTRY_OUT cdr-args...``.

The resource cases run bounded (memory and time watched from outside, killed past the
bounds), so not in the test's process; the registry the records' schemas were put in
is handed over as a JSON file and what the run registered (the CDR schemas) is written
back, whatever the run's outcome, for the ledger to search.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.formats.avro import registry as registry_module
from pipeline.tools import main as cli
from tests.avro_support import MemoryRegistry


class _Registry(MemoryRegistry):
    def ping(self) -> None:
        return None


def load(path: Path) -> _Registry:
    registry = _Registry()
    doc = json.loads(path.read_text(encoding="utf-8"))
    registry.schemas = {int(k): v for k, v in doc["schemas"].items()}
    registry.subjects = {k: list(v) for k, v in doc["subjects"].items()}
    return registry


def dump(registry: MemoryRegistry, path: Path) -> None:
    path.write_text(json.dumps({"schemas": registry.schemas, "subjects": registry.subjects}), encoding="utf-8")


def main(argv: list[str]) -> int:
    registry = load(Path(argv[0]))
    registry_module.RegistryClient = lambda *args, **kwargs: registry  # type: ignore[assignment,misc]
    try:
        return cli.main(argv[2:])
    finally:
        dump(registry, Path(argv[1]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
