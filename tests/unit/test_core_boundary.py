"""The boundary between the core and what it calls: the value scanner is used through the
interface the core declares (pipeline.core.scanning), nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

from detectors.textscan import TextScanner
from pipeline.core.scanning import NerBatching, ValueScanner

CORE = Path(__file__).resolve().parents[2] / "pipeline" / "core"


def test_the_text_scanner_implements_the_interface_the_core_declares() -> None:
    scanner = TextScanner(ner=None)
    assert isinstance(scanner, ValueScanner)
    assert scanner.batches_ner is False
    members = {n for n in vars(NerBatching) if not n.startswith("_")}
    assert members == {"batches_ner", "begin_batch", "collected", "analyse_pending", "end_batch"}


def test_a_batch_collects_nothing_after_it_ends() -> None:
    scanner = TextScanner(ner=None)
    scanner.begin_batch()
    scanner.find("Anne wrote to the bank about her card today.")
    scanner.end_batch()
    assert scanner.collected() == 0


def test_the_core_reaches_into_no_scanner_attribute() -> None:
    """No getattr/setattr on a scanner, and no private scanner member, in pipeline/core."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "setattr", "hasattr"):
                target = node.args[0] if node.args else None
                if isinstance(target, ast.Name) and "scanner" in target.id:
                    found.append(f"{path.name}:{node.lineno}")
            poked = isinstance(node, ast.Attribute) and (node.attr.startswith("_") or isinstance(node.ctx, ast.Store))
            if poked and isinstance(node.value, ast.Name) and "scanner" in node.value.id:
                found.append(f"{path.name}:{node.lineno}: scanner.{node.attr}")
    assert found == []
