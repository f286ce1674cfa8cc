"""One exception tree and one place for the wire vocabularies: every error the project
defines derives from CdrError (keeping a built-in base where callers catch it), and the
enums write exactly the plain values they replaced."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import orjson
import pytest

import detectors
import pipeline
from pipeline.errors import CdrError, ProcessingError
from pipeline.vocabulary import DeadLetterReason, ExitCode, VerdictState

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"pipeline.__main__"}


def _modules():
    for package in (pipeline, detectors):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name not in SKIP:
                yield importlib.import_module(info.name)


def test_every_exception_class_of_the_project_is_a_cdr_error():
    defined = {
        (cls.__module__, cls.__qualname__): cls
        for module in _modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__ == module.__name__
    }
    assert len(defined) >= 25, sorted(defined)  # the tree is found, not an empty walk
    outside = sorted(".".join(k) for k, cls in defined.items() if not issubclass(cls, CdrError))
    assert outside == []


def test_errors_keep_the_builtin_base_their_callers_catch():
    from detectors.ner import NerUnavailable
    from pipeline.core.treatments.hashing import HashKeyError
    from pipeline.errors import DeadLetterKeyError
    from pipeline.formats.json.jsonspans import SpanError

    for cls in (HashKeyError, SpanError, DeadLetterKeyError):
        with pytest.raises(ValueError):
            raise cls("bad key") if cls is not SpanError else cls("bad span")
    assert issubclass(NerUnavailable, RuntimeError)


def _reason_literals(tree: ast.AST):
    """String literals given as the reason of a ProcessingError (or subclass) raised."""
    names = {"ProcessingError", "DecodeError", "PolicyError", "TransformError", "EncodeError", "NerRefused"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in names and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def test_dead_letter_reasons_are_named_from_the_vocabulary_only():
    found = []
    for folder in ("pipeline", "detectors"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, value in _reason_literals(ast.parse(path.read_text(encoding="utf-8"))):
                found.append(f"{path.relative_to(ROOT)}:{line}: {value}")
    assert found == []


def test_vocabularies_write_their_plain_wire_values():
    reason = DeadLetterReason.SCHEMA_MISMATCH
    assert (str(reason), f"{reason}", reason.encode()) == ("schema_mismatch", "schema_mismatch", b"schema_mismatch")
    assert json.dumps({"reason": reason}) == '{"reason": "schema_mismatch"}'
    assert orjson.dumps({"reason": reason}) == b'{"reason":"schema_mismatch"}'
    assert f"{VerdictState.FREE_TEXT}:x" == "free_text:x"
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 6]
    assert len({r.value for r in DeadLetterReason}) == len(DeadLetterReason)


def test_a_processing_error_carries_its_reason_as_the_plain_value():
    exc = ProcessingError(DeadLetterReason.NOT_JSON, "column 'x' holds no JSON")
    assert exc.reason == "not_json" and isinstance(exc, CdrError)
