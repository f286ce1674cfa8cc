"""`cdr audit`: an independent leak check over CDR output. Everything a record carries
goes through the same normaliser and value scanner the service uses
(:class:`detectors.textscan.TextScanner`: patterns with validators, base64 decoding;
spaCy NER with ``--ner``): the record key, the row images, the schema, every header
(name and value) and the JSON documents inside them, their object keys (a column or
map key can be personal data) and their numbers (read as digits, with the field name as
context). Whatever is flagged as raw personal data is counted per topic, field and
entity, and per entity and leak class. Values are never reported; a field name that is
itself personal data is reported as ``<ENTITY>``.

Leak classes name where a value was found (``value``, ``number``, ``key``, ``header``,
``schema``, ``raw``: an undecodable record read as text) and, when it was disguised,
how: ``+disguised`` (found only once normalised: zero-width or confusable characters,
full-width digits, ``%40``, ``[at]``...) or ``+base64``.

A ``NUMERIC`` column's value (a Connect ``Decimal``'s base64 text, a Debezium
``VariableScaleDecimal`` struct, by the record's schema) is read as the number it holds,
as a consumer reads it: a card number kept in one is a number leak, and its base64 text
is not read as words.

Fields the record's ``cdr.pii`` header lists as ``tag`` are kept on purpose (declared
sensitive, passed with a label) and are counted apart, not as leaks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors import decimals
from detectors.normalize import normalize
from detectors.textscan import TextScanner, key_is_phone, number_text

_HASHED = re.compile(r"^[A-Za-z0-9_-]{1,32}:[0-9a-f]{64}$")
_PII_HEADER = "cdr.pii"
_KEY_HEADERS = ("__debezium.oldkey", "__debezium.newkey")
_MAX_DEPTH = 64  # deeper JSON is read as text
MIN_SCORE = 0.5

VALUE, NUMBER, KEY, HEADER, SCHEMA, RAW = "value", "number", "key", "header", "schema", "raw"


@dataclass
class AuditReport:
    records: Counter[str] = field(default_factory=Counter)  # per topic
    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (topic, field, entity)
    classes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (entity, leak class)
    tagged: Counter[tuple[str, str]] = field(default_factory=Counter)  # (topic, field): kept on purpose
    undecodable: int = 0

    @property
    def leaks(self) -> int:
        return sum(self.findings.values())


def _payload(raw: bytes | None) -> tuple[Any, Any]:
    """(payload, schema) of a JSON record (schema None when it has none)."""
    if raw is None:
        return None, None
    doc = json.loads(raw)
    if isinstance(doc, dict) and "payload" in doc and "schema" in doc:
        return doc["payload"], doc["schema"]
    return doc, None


def _json_inside(text: str) -> Any | None:
    stripped = text.strip()
    if stripped[:1] in "{[" and stripped[-1:] in "}]":
        try:
            inner = json.loads(stripped)
        except ValueError:
            return None
        if isinstance(inner, dict | list):
            return inner
    return None


_SCHEMA_CACHE = 256  # distinct schemas remembered (their findings, never values)
_MEMO_LIMIT = 50_000
_MEMO_TEXT = 256


class Auditor:
    def __init__(self, scanner: TextScanner) -> None:
        self.scanner = scanner
        self.report = AuditReport()
        self._topic = ""
        self._schemas: dict[tuple[str, str], tuple[Counter[Any], Counter[Any]]] = {}
        # findings per distinct short text (masked values, categories repeat): the audit
        # process only, bounded, dropped with the auditor
        self._seen: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def entities(self, text: str, context: str = "") -> list[tuple[str, str]]:
        """(entity, form) for each span of raw personal data in ``text``; form is
        ``plain``, ``disguised`` or ``base64``."""
        if not text.strip() or _HASHED.match(text):
            return []
        key = (text, context)
        hit = self._seen.get(key)
        if hit is not None:
            return hit
        out = self._entities(text, context)
        if len(text) <= _MEMO_TEXT:
            if len(self._seen) >= _MEMO_LIMIT:
                self._seen.clear()
            self._seen[key] = out
        return out

    def _entities(self, text: str, context: str) -> list[tuple[str, str]]:
        out = []
        for f in self.scanner.find(text, context=context):
            if f.score < MIN_SCORE:
                continue
            if f.recognizer == "base64":
                form = "base64"
            else:
                span = text[f.start : f.end]
                form = "disguised" if normalize(span).text != span else "plain"
            out.append((f.entity, form))
        return out

    def _count(self, path: str, where: str, found: list[tuple[str, str]]) -> None:
        for entity, form in found:
            self.report.findings[(self._topic, path, entity)] += 1
            self.report.classes[(entity, where if form == "plain" else f"{where}+{form}")] += 1

    def _safe(self, name: str, where: str) -> str:
        """A key or column name as it may be printed: scanned (and counted) first; one
        holding personal data is printed as ``<ENTITY>``."""
        found = self.entities(name)
        if not found and key_is_phone(name):
            found = [("PHONE_NUMBER", "plain")]  # as the scanner renames such keys
        if not found:
            return name
        self._count(f"<{found[0][0]}>", where if where != VALUE else KEY, found)
        return f"<{found[0][0]}>"

    def _walk(self, node: Any, path: str, where: str, context: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self._count(path, where, self.entities(json.dumps(node), context))
            return
        if isinstance(node, dict):
            for k, v in node.items():
                name = self._safe(str(k), where)
                child = f"{path}.{name}" if path else name
                self._walk(v, child, where, "" if name != str(k) else str(k), depth + 1)
        elif isinstance(node, list):
            for item in node:
                self._walk(item, f"{path}[]", where, context, depth + 1)
        elif isinstance(node, str):
            inner = _json_inside(node)
            if inner is not None:
                self._walk(inner, path, where, context, depth + 1)
            else:
                self._count(path, where, self.entities(node, context))
        elif isinstance(node, int | float) and not isinstance(node, bool):
            self._count(path, NUMBER if where == VALUE else where, self.entities(number_text(node), context))

    def add(self, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes | None]]) -> None:
        self.report.records[topic] += 1
        self._topic = topic
        head = dict(headers)
        try:
            pii = json.loads(head.get(_PII_HEADER) or b"{}")
            tagged = {c for c, t in pii.items() if str(t).startswith("tag")} if isinstance(pii, dict) else set()
        except ValueError:
            tagged = set()
        for name, raw in headers:
            self._header(name, raw)
        parts: list[tuple[str, Any, str]] = []
        for where_raw, raw, label in ((VALUE, key, "key"), (VALUE, value, "value")):
            try:
                doc, schema = _payload(raw)
            except ValueError:
                self.report.undecodable += 1
                self._count("<undecodable>", RAW, self.entities(raw.decode("utf-8", "replace") if raw else ""))
                continue
            if schema is not None:
                self._schema(schema, label)
            if label == "value" and isinstance(doc, dict) and ("after" in doc or "before" in doc) and "op" in doc:
                numeric = _decimal_columns(schema, envelope=True)
                parts += [
                    ("before", doc.get("before"), where_raw, numeric),
                    ("after", doc.get("after"), where_raw, numeric),
                ]
                parts += [(f"envelope.{k}", v, where_raw, {}) for k, v in doc.items() if k not in ("before", "after")]
            elif doc is not None:
                parts.append((label if label == "key" else "row", doc, where_raw, _decimal_columns(schema)))
        for part, doc, where, numeric in parts:
            if not isinstance(doc, dict):
                self._walk(doc, part, where, "", 0)
                continue
            for column, cell in doc.items():
                name = self._safe(str(column), where)
                if column in tagged and part in ("before", "after", "row"):
                    self.report.tagged[(topic, name)] += 1
                    continue
                decimal = numeric.get(column)
                if decimal is not None:
                    number = decimals.number(*decimal, cell)
                    cell = cell if number is None else number
                prefix = f"{part}." if part.startswith("envelope") else ""
                self._walk(cell, prefix + name, where, str(column), 0)

    def _schema(self, schema: Any, label: str) -> None:
        """A record's Connect schema: the same for every record of a table version, so
        each distinct one is walked once and its findings counted again for each record."""
        key = (label, json.dumps(schema, sort_keys=True, default=str))
        cached = self._schemas.get(key)
        if cached is None:
            findings, classes = Counter(self.report.findings), Counter(self.report.classes)
            self._walk(schema, f"schema:{label}", SCHEMA, "", 0)
            cached = (self.report.findings - findings, self.report.classes - classes)
            if len(self._schemas) >= _SCHEMA_CACHE:
                self._schemas.clear()
            self._schemas[key] = cached
        else:
            self.report.findings.update(cached[0])
            self.report.classes.update(cached[1])

    def _header(self, name: str, raw: bytes | None) -> None:
        safe = self._safe(name, HEADER)
        if raw is None:
            return
        text = raw.decode("utf-8", "replace")
        if name in _KEY_HEADERS:
            try:
                doc, _ = _payload(raw)
            except ValueError:
                doc = text
            if isinstance(doc, dict):
                for column, cell in doc.items():
                    col = self._safe(str(column), HEADER)
                    self._walk(cell, col, HEADER, str(column), 0)
                return
        inner = _json_inside(text)
        if inner is not None:
            self._walk(inner, f"header:{safe}", HEADER, "", 0)
        else:
            self._count(f"header:{safe}", HEADER, self.entities(text, name))


def _decimal_columns(schema: Any, envelope: bool = False) -> dict[str, tuple[str, int]]:
    """{column: (logical name, scale)} of the ``NUMERIC`` columns of a row schema, or of
    an envelope schema's row (its ``after``, else its ``before``)."""
    if not isinstance(schema, dict):
        return {}
    fields = schema.get("fields")
    if envelope and isinstance(fields, list):
        rows = [f for f in fields if isinstance(f, dict) and f.get("field") in ("after", "before")]
        fields = rows[0].get("fields") if rows else None
    if not isinstance(fields, list):
        return {}
    return {
        f["field"]: (f["name"], decimals.scale_of(f))
        for f in fields
        if isinstance(f, dict) and isinstance(f.get("field"), str) and f.get("name") in decimals.LOGICAL
    }


def class_rows(report: AuditReport) -> list[tuple[str, str, int]]:
    """(entity, leak class, count), sorted: the summary ``cdr audit`` prints."""
    return [(entity, cls, n) for (entity, cls), n in sorted(report.classes.items())]


def textfile(report: AuditReport) -> str:
    """The report in Prometheus' text format (for node_exporter's textfile collector)."""
    lines = [
        "# HELP cdr_audit_raw_pii_values Values in CDR records the detectors flag as raw personal data.",
        "# TYPE cdr_audit_raw_pii_values gauge",
    ]
    for (topic, fld, entity), n in sorted(report.findings.items()):
        lines.append(f'cdr_audit_raw_pii_values{{topic="{_esc(topic)}",field="{_esc(fld)}",entity="{entity}"}} {n}')
    lines += [
        "# HELP cdr_audit_raw_pii_by_class Raw personal data found, per entity and leak class.",
        "# TYPE cdr_audit_raw_pii_by_class gauge",
    ]
    for entity, cls, n in class_rows(report):
        lines.append(f'cdr_audit_raw_pii_by_class{{entity="{entity}",leak_class="{cls}"}} {n}')
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
