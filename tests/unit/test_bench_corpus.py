"""The detection corpus's converter and scoring (bench/corpus): events the real processor
accepts, and figures that count what they claim to count."""

from __future__ import annotations

import json
from types import MappingProxyType

import orjson

from bench.corpus.debezium import column_type, opaque_names
from bench.corpus.model import Column, Source, Span, Table, Text
from bench.corpus.run import declaration
from bench.corpus.scoring import (
    ColumnResult,
    column_figures,
    header_values,
    published_values,
    raw_out,
    record_values,
    span_figures,
)
from bench.corpus.store import read, write
from pipeline.config import Config, DetectionConfig
from pipeline.core.declaration import DeclarationSet
from pipeline.core.events import Published, SourceRecord
from pipeline.runtime.bootstrap import build_processor
from tests.support import HASH_KEY


def _table() -> Table:
    cols = [Column("contact", "EMAIL_ADDRESS"), Column("visits", "none"), Column("zip", "quasi")]
    rows = [[f"user{i}@example.org", str(i), f"0{i:04d}"] for i in range(30)]
    return Table("Some Table-1", cols, rows)


def test_types_are_inferred_as_a_loader_would() -> None:
    assert column_type(["1", "22", None]) == "int64"
    assert column_type(["1.5", "2"]) == "double"
    assert column_type(["01234", "5"]) == "string"  # a leading zero is not a number
    assert column_type([3, 4.5]) == "double"
    assert opaque_names(3) == ["c01", "c02", "c03"]


def test_built_tables_publish_through_the_real_processor(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    write(Source("demo", {"origin": "unit test"}, [_table()]), tmp_path)
    built = read(tmp_path, "demo")
    assert built is not None and [t.variant for t in built.tables] == ["named", "opaque"]
    opaque = built.tables[1]
    assert opaque.published == ("c01", "c02", "c03")
    decls = DeclarationSet(MappingProxyType({t.topic: declaration(t) for t in built.tables}))
    proc = build_processor(Config(detection=DetectionConfig(ner=False)), decls)
    lines = opaque.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    for offset, line in enumerate(lines):
        doc = json.loads(line)
        assert doc["value"]["payload"]["op"] == "r"
        rec = SourceRecord(opaque.topic, 0, offset, orjson.dumps(doc["key"]), orjson.dumps(doc["value"]))
        assert isinstance(proc.process(rec), Published), "a corpus record was not published"


def test_raw_cells_are_found_normalised_and_inside_longer_values() -> None:
    values = published_values({"payload": {"after": {"a": "Note: call Jane.Doe@Example.ORG today", "b": 12345}}})
    assert raw_out("jane.doe@example.org", values)
    assert raw_out(12345, values)
    assert not raw_out("someone.else@example.org", values)
    assert not raw_out("Jane", values), "short values match whole values only"


def test_the_envelope_echoed_back_is_not_a_leak_but_anything_added_to_it_is() -> None:
    # a first name "True" against the source block's snapshot flag: the corpus wrote the
    # flag, the service echoed it, no cell went out
    given = {"before": None, "after": {"first_name": "True"}, "source": {"snapshot": "true", "db": "hr"}, "op": "r"}
    treated = {"before": None, "after": {"first_name": "h:1f2e"}, "source": {"snapshot": "true", "db": "hr"}, "op": "r"}
    assert raw_out("True", published_values(treated)), "the whole-payload check this replaces"
    assert not raw_out("True", record_values(treated, given))
    # the row images count whole, echoed or not
    assert raw_out("True", record_values(given, given))
    # a cell copied into the envelope, as a new field or in place of an input value
    added = {**treated, "source": {"snapshot": "true", "db": "hr", "note": "True"}}
    changed = {**treated, "source": {"snapshot": "true", "db": "True"}}
    assert raw_out("True", record_values(added, given))
    assert raw_out("True", record_values(changed, given))
    assert raw_out("note", record_values(added, given)), "an added field's name is checked too"


def test_headers_are_checked_by_name_and_value_json_or_not() -> None:
    headers = (("cdr.pii", b'{"first_name": "hash", "seen": ["Jane Doe"]}'), ("trace", b"ref Jane.Doe@Example.org"))
    values = header_values(headers)
    assert raw_out("Jane Doe", values) and raw_out("jane.doe@example.org", values)
    assert not raw_out("Hash me", values) and header_values(None) == []


def test_column_figures_score_pending_as_undecided_and_skip_quasi_identifiers() -> None:
    results = [
        ColumnResult("t", "named", "a", "EMAIL_ADDRESS", "source", "EMAIL_ADDRESS", 0.9),
        ColumnResult("t", "named", "b", "LOCATION", "source", "pending", 0.0),
        ColumnResult("t", "named", "c", "PERSON", "source", "PHONE_NUMBER", 0.7),
        ColumnResult("t", "named", "d", "none", "source", "PHONE_NUMBER", 0.7),
        ColumnResult("t", "named", "e", "quasi", "source", "PERSON", 0.7),
    ]
    f = column_figures(results)
    assert (f.found, f.positives) == (2, 3)
    assert (f.flagged_right, f.flagged) == (2, 3)
    assert (f.entity_right, f.with_entity) == (1, 2)
    assert (f.quasi_flagged, f.quasi) == (1, 1)
    assert [m.column for m in f.misses] == ["b", "c", "d"]


def test_a_half_redacted_span_is_a_miss() -> None:
    text = "Ship to 12 Main St, Springfield please"
    span = Span(8, 30, "LOCATION", "STREET_ADDRESS")
    whole = span_figures([Text(text, (span,))], [[("LOCATION", 8, 30)]])
    half = span_figures([Text(text, (span,))], [[("LOCATION", 8, 18)]])
    wrong = span_figures([Text(text, (span,))], [[("PERSON", 8, 30)]])
    assert whole.found["LOCATION"] == 1
    assert half.found["LOCATION"] == 0 and half.redacted["LOCATION"] == 0
    assert wrong.found["LOCATION"] == 0 and wrong.redacted["LOCATION"] == 1


def test_span_precision_counts_findings_off_every_span_of_their_entity() -> None:
    text = "Ada met Bo in Oslo at Acme"
    spans = (Span(0, 3, "PERSON", "person"), Span(14, 18, "LOCATION", "location"), Span(22, 26, "quasi", "corp"))
    found = [("PERSON", 0, 3), ("PERSON", 8, 10), ("LOCATION", 14, 18), ("PERSON", 22, 26), ("URL", 22, 26)]
    f = span_figures([Text(text, spans)], [found])
    assert f.precision("PERSON") == 1 / 3, "an unlabelled name and a company found as PERSON count against it"
    assert f.precision("LOCATION") == 1.0
    assert f.precision("EMAIL_ADDRESS") is None, "no finding of it: no figure"
    assert (f.found["PERSON"], f.labelled["PERSON"]) == (1, 1)
