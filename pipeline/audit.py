"""`cdr audit`: an independent leak check over CDR output. Every string in a record's key,
row images, key headers and JSON documents inside them goes through the detectors'
recognizers (patterns with validators; spaCy NER with ``--ner``); whatever they flag as
raw personal data is counted per topic, field and entity. Values are never reported.

Fields the record's ``cdr.pii`` header lists as ``tag`` are kept on purpose (declared
sensitive, passed with a label) and are counted apart, not as leaks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.textscan import TextScanner

_HASHED = re.compile(r"^[A-Za-z0-9_-]{1,32}:[0-9a-f]{64}$")
_SKIP_HEADERS = ("cdr.pii", "cdr.policy", "cdr.source")
_KEY_HEADERS = ("__debezium.oldkey", "__debezium.newkey")
MIN_SCORE = 0.5


@dataclass
class AuditReport:
    records: Counter[str] = field(default_factory=Counter)  # per topic
    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (topic, field, entity)
    tagged: Counter[tuple[str, str]] = field(default_factory=Counter)  # (topic, field): kept on purpose
    undecodable: int = 0

    @property
    def leaks(self) -> int:
        return sum(self.findings.values())


def _payload(raw: bytes | None) -> Any:
    if raw is None:
        return None
    doc = json.loads(raw)
    if isinstance(doc, dict) and "payload" in doc and "schema" in doc:
        return doc["payload"]
    return doc


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) for every string leaf; strings holding JSON documents are entered."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "{[" and text[-1:] in "}]":
            try:
                inner = json.loads(text)
            except ValueError:
                inner = None
            if isinstance(inner, dict | list):
                yield from _leaves(inner, path)
                return
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield f"{path}.{{key}}" if path else "{key}", k
            yield from _leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, f"{path}[]")


class Auditor:
    def __init__(self, scanner: TextScanner) -> None:
        self.scanner = scanner
        self.report = AuditReport()

    def entities(self, text: str) -> set[str]:
        if _HASHED.match(text) or not text.strip():
            return set()
        return {f.entity for f in self.scanner.find(text) if f.score >= MIN_SCORE}

    def add(self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes | None]]) -> None:
        self.report.records[topic] += 1
        head = dict(headers)
        try:
            tagged = {c for c, t in json.loads(head.get("cdr.pii") or b"{}").items() if str(t).startswith("tag")}
            parts: list[tuple[str, Any]] = [("key", _payload(key))]
            doc = _payload(value)
            for name in _KEY_HEADERS:
                if head.get(name) is not None:
                    parts.append((f"header:{name}", _payload(head[name])))
        except ValueError:
            self.report.undecodable += 1
            return
        if isinstance(doc, dict) and ("after" in doc or "before" in doc) and "op" in doc:
            parts += [("before", doc.get("before")), ("after", doc.get("after"))]
        elif doc is not None:
            parts.append(("row", doc))
        for where, part in parts:
            if not isinstance(part, dict):
                continue
            for column, cell in part.items():
                if column in tagged and where in ("before", "after", "row"):
                    self.report.tagged[(topic, str(column))] += 1
                    continue
                for path, text in _leaves(cell, str(column)):
                    for entity in self.entities(text):
                        self.report.findings[(topic, path, entity)] += 1


def textfile(report: AuditReport) -> str:
    """The report in Prometheus' text format (for node_exporter's textfile collector)."""
    lines = [
        "# HELP cdr_audit_raw_pii_values Values in CDR records the detectors flag as raw personal data.",
        "# TYPE cdr_audit_raw_pii_values gauge",
    ]
    for (topic, fld, entity), n in sorted(report.findings.items()):
        lines.append(f'cdr_audit_raw_pii_values{{topic="{_esc(topic)}",field="{_esc(fld)}",entity="{entity}"}} {n}')
    lines += [
        "# HELP cdr_audit_records_scanned CDR records the last audit read, per topic.",
        "# TYPE cdr_audit_records_scanned gauge",
    ]
    for topic, n in sorted(report.records.items()):
        lines.append(f'cdr_audit_records_scanned{{topic="{_esc(topic)}"}} {n}')
    return "\n".join(lines) + "\n"


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def write_textfile(report: AuditReport, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(textfile(report), encoding="utf-8")
    tmp.replace(path)  # atomic: the collector never reads half a file
