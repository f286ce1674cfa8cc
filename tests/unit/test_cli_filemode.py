"""`cdr process` and `cdr validate` run as a user runs them (a subprocess)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.core.events import DeadLetter, SourceRecord
from pipeline.runtime.bootstrap import build_processor
from pipeline.runtime.deadletter import DeadLetterSealer
from tests.support import HASH_KEY, assert_no_raw, digest, example, write_declarations

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed
DECL = """\
table: inventory.customers
source_topic: dbserver1.inventory.customers
cdr_topic: cdr.customers.v1
owner: crm
columns:
  id: {pii: none}
  first_name: {pii: PERSON}
  last_name: {pii: PERSON}
  email: {pii: EMAIL_ADDRESS}
"""


def cdr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200", **(env or {})}
    return subprocess.run([*CDR, *args], capture_output=True, text=True, env=full_env, check=False, timeout=60)


def test_process_file(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"crm/customers.yaml": DECL})
    create = example("pg_create_full_schema.json")
    lines = [
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 0,
            "key": {"id": 1},
            "value": create,
        },
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 1,
            "key": {"id": 1},
            "value": None,
        },
        {
            "topic": "dbserver1.transaction",
            "partition": 0,
            "offset": 0,
            "key": None,
            "value": example("pg_transaction_begin.json"),
        },
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 2,
            "key": None,
            "value": {"op": "zz", "after": {"email": "annek@noanswer.org"}},
        },
    ]
    src = tmp_path / "in.jsonl"
    text = (
        "\n".join(json.dumps(line) for line in lines)
        + '\n{"topic": "dbserver1.inventory.customers", "value": {"email": "annek@noan\n[1]\n'
    )
    src.write_text(text)
    out = tmp_path / "out.jsonl"
    res = cdr("process", "--schemas", str(schemas), "--input", str(src), "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert "2 published" in res.stderr and "3 dead-lettered" in res.stderr
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["topic"] for r in records] == ["cdr.customers.v1", "cdr.customers.v1"]
    assert records[0]["value"]["payload"]["after"]["email"] == digest("annek@noanswer.org")
    assert records[0]["headers"]["cdr.pii"] == {"first_name": "hash", "last_name": "hash", "email": "hash"}
    assert records[0]["headers"]["cdr.source"] == "dbserver1.inventory.customers/0/0"
    assert records[1]["value"] is None and records[1]["key"] == {"id": 1}
    assert_no_raw(["annek@noanswer.org", "Kretchmar"], out.read_text())
    dead = [json.loads(x) for x in (tmp_path / "out.dlq.jsonl").read_text().splitlines()]
    assert [d["error"]["reason"] for d in dead] == ["unknown_op", "invalid_json", "bad_line"]
    assert [d["line"] for d in dead] == [4, 5, 6]
    assert_no_raw(["annek@noanswer.org"], res.stderr, res.stdout)


def test_process_refuses_invalid_declarations(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": DECL.replace("PERSON}", "PERSN}", 1)})
    src = tmp_path / "in.jsonl"
    src.write_text("")
    res = cdr("process", "--schemas", str(schemas), "--input", str(src), "--output", str(tmp_path / "o.jsonl"))
    assert res.returncode == 3
    assert f"{schemas}/c.yaml:7: column 'first_name': unknown pii 'PERSN'" in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_process_bad_arguments(tmp_path: Path) -> None:
    assert cdr("process", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o")).returncode == 2
    assert cdr("process").returncode == 2


def test_process_needs_a_hash_key(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": DECL})
    src = tmp_path / "in.jsonl"
    src.write_text("")
    res = cdr(
        "process",
        "--schemas",
        str(schemas),
        "--input",
        str(src),
        "--output",
        str(tmp_path / "o.jsonl"),
        env={"CDR_HASH_KEY": ""},
    )
    assert res.returncode == 3 and "no hash key" in res.stderr


def test_validate(tmp_path: Path) -> None:
    good = write_declarations(tmp_path / "good", {"c.yaml": DECL})
    res = cdr("validate", str(good))
    assert res.returncode == 0 and "inventory.customers" in res.stdout
    bad = write_declarations(tmp_path / "bad", {"c.yaml": DECL + "extra: 1\n", "d.yaml": "table: x\n"})
    res = cdr("validate", str(bad))
    assert res.returncode == 3
    problems = [line for line in res.stderr.splitlines() if ".yaml:" in line]
    assert problems[0] == f"{bad}/c.yaml:10: unknown key 'extra'"
    assert all(line.startswith(f"{bad}/d.yaml:1: ") for line in problems[1:])
    assert len(problems) == 6  # c.yaml: 1; d.yaml: the table pattern and 4 missing keys


# -- poison records, sealing, file modes, collisions ----------------------------------------

POISON_DECL = """\
table: inventory.customers
source_topic: dbserver1.inventory.customers
cdr_topic: cdr.customers.v1
owner: crm
columns:
  id: {pii: none}
  email: {pii: EMAIL_ADDRESS}
  notes: {pii: none}
"""
TOPIC = "dbserver1.inventory.customers"
DLQ_KEY = "base64:" + base64.b64encode(bytes(range(32))).decode()
MAX_RECORD = 16384
HEADER_NAME = "zq-header-name-planted"  # a header's name can be data too


def planted(i: int) -> str:
    return f"zq{i:03d}.planted@leak-check.example"


def change(i: int, notes: bytes = b'"fine"') -> bytes:
    """A Debezium create event as the bytes a Kafka record carries; ``notes`` raw."""
    return b'{"op":"c","before":null,"after":{"id":%d,"email":"%s","notes":%s},"source":{"ts_ms":1}}' % (
        i,
        planted(i).encode(),
        notes,
    )


# (what, value bytes, the reason the service gives); None: a good record.
POISON: list[tuple[str, bytes | None, str | None]] = [
    ("good", None, None),
    ("5,000-digit integer", b"9" * 5000, "number_too_long"),
    ("good", None, None),
    ("lone surrogate escape", b'"x\\ud800y"', "unencodable"),
    ("deep nesting", b"[" * 5000 + b"]" * 5000, "invalid_json"),
    ("invalid UTF-8", b'"\xff\xfe"', "invalid_utf8"),
    ("record over max_record_bytes", b'"' + b"n" * MAX_RECORD + b'"', "record_too_large"),
    ("good", None, None),
]


def poison_file(tmp_path: Path, dlq_key: str | None = None) -> tuple[Path, Path, list[bytes]]:
    """A config, a declarations folder and an input file mixing good records, each poison
    kind, lines that are not records, a transaction marker and a line too long to read."""
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": POISON_DECL})
    config = tmp_path / "config.yaml"
    text = f"schemas: {schemas}\nmax_record_bytes: {MAX_RECORD}\ndetection: {{ner: false}}\n"
    if dlq_key:
        text += f"dlq: {{encryption_key: '{dlq_key}'}}\n"
    config.write_text(text)
    values = [change(i) if notes is None else change(i, notes) for i, (_, notes, _) in enumerate(POISON)]
    lines = [
        b'{"topic":"%s","partition":0,"offset":%d,"key":{"id":%d},"value":%s,"headers":{"%s":"%s"}}'
        % (TOPIC.encode(), i, i, v, HEADER_NAME.encode(), planted(50 + i).encode())
        for i, v in enumerate(values)
    ]
    lines += [
        b"[1]",
        b'{"topic":"%s","value":{"email":"%s' % (TOPIC.encode(), planted(90).encode()),
        b'{"topic":"dbserver1.transaction","key":null,"value":'
        + json.dumps(example("pg_transaction_begin.json")).encode()
        + b"}",
        b'{"topic":"%s","value":"%s"}' % (TOPIC.encode(), planted(91).encode() * 10000),
        b'{"topic":"%s","partition":0,"offset":99,"key":{"id":99},"value":%s}' % (TOPIC.encode(), change(99)),
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    return config, src, values


def test_process_dead_letters_what_the_service_does_and_loses_nothing(tmp_path: Path) -> None:
    config, src, values = poison_file(tmp_path)
    out = tmp_path / "out.jsonl"
    res = cdr("process", "--config", str(config), "--input", str(src), "--output", str(out))
    assert res.returncode == 0, "cdr process failed"

    # The service's path: the same bytes, as Kafka records, through Processor.process_batch.
    processor = build_processor(load_config(config))
    service = processor.process_batch([SourceRecord(TOPIC, 0, i, b'{"id":%d}' % i, v) for i, v in enumerate(values)])
    expected = {i: o.reason for i, o in enumerate(service) if isinstance(o, DeadLetter)}
    assert expected == {i: r for i, (_, _, r) in enumerate(POISON) if r is not None}

    published = [json.loads(x) for x in out.read_text().splitlines()]
    sources = sorted(int(r["headers"]["cdr.source"].rsplit("/", 1)[1]) for r in published)
    assert sources == [*(i for i, (_, _, r) in enumerate(POISON) if r is None), 99], "a good record is missing"
    for rec in published:
        offset = int(rec["headers"]["cdr.source"].rsplit("/", 1)[1])
        assert rec["value"]["after"]["email"] == digest(planted(offset))
    dead = [json.loads(x) for x in (tmp_path / "out.dlq.jsonl").read_text(errors="replace").splitlines()]
    by_line = {d["line"]: d["error"]["reason"] for d in dead}
    n = len(POISON)
    assert by_line == {
        **{i + 1: reason for i, reason in expected.items()},
        n + 1: "bad_line",
        n + 2: "invalid_json",
        n + 4: "record_too_large",
    }
    assert next(d for d in dead if d["line"] == n + 4)["raw"] is None, "a line too long to read is not copied"
    in_count = len(src.read_bytes().splitlines())
    assert in_count == len(published) + len(dead) + 1, "count in != out + dead + skipped"
    assert f"1 skipped; {in_count} read" in res.stderr
    assert_no_raw([planted(i) for i in range(n)] + [planted(99)], out.read_text())
    assert_no_raw([planted(i) for i in (*range(n), 90, 91, 99)], res.stderr, res.stdout)


def test_sealed_dead_letters_hold_no_raw_value(tmp_path: Path) -> None:
    config, src, values = poison_file(tmp_path, DLQ_KEY)
    out, dlq = tmp_path / "out.jsonl", tmp_path / "dead.jsonl"
    res = cdr("process", "--config", str(config), "--input", str(src), "--output", str(out), "--dlq", str(dlq))
    assert res.returncode == 0, "cdr process failed"
    text = dlq.read_text()
    dead = [json.loads(x) for x in text.splitlines()]
    assert len(dead) == 8 and all(d["sealed"].startswith("aes-gcm;") for d in dead)
    plants = [planted(i) for i in (*range(len(POISON)), *range(50, 50 + len(POISON)), 90, 91, 99)]
    assert_no_raw([*plants, HEADER_NAME, "ud800", "99999999"], text)
    sealer = DeadLetterSealer.from_config(DLQ_KEY)
    assert sealer is not None
    for d in dead:
        if "value" in d:  # a record the core dead-lettered: opens to the bytes it was given
            assert sealer.open(base64.b64decode(d["value"]), "value") == values[d["offset"]]
            assert sealer.open(base64.b64decode(d["key"]), "key") == b'{"id":%d}' % d["offset"]
            headers = json.loads(sealer.open(base64.b64decode(d["headers"]), "headers") or b"")
            assert headers == [[HEADER_NAME, base64.b64encode(planted(50 + d["offset"]).encode()).decode()]]
        elif d["raw"] is not None:
            assert sealer.open(base64.b64decode(d["raw"]), "line") == src.read_bytes().splitlines()[d["line"] - 1]


def test_output_files_are_created_private(tmp_path: Path) -> None:
    config, src, _ = poison_file(tmp_path)
    out, dlq = tmp_path / "out.jsonl", tmp_path / "dead.jsonl"
    out.write_text("old output, world-readable\n")
    out.chmod(0o644)
    res = cdr(
        "process",
        "--config",
        str(config),
        "--input",
        str(src),
        "--output",
        str(out),
        "--dlq",
        str(dlq),
    )
    assert res.returncode == 0, "cdr process failed"
    for path in (out, dlq):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is not 0600"
    assert "old output" not in out.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")], "a partial file was left behind"


def _link(kind: str, target: Path, link: Path) -> None:
    if kind == "symlink":
        link.symlink_to(target)
    elif kind == "hardlink":
        link.hardlink_to(target)


@pytest.mark.parametrize(
    ("output", "dlq", "clash"),
    [
        ("in.jsonl", None, "--output ({input}) is the same file as --input"),
        ("symlink", None, "--output ({link}) is the same file as --input"),
        ("hardlink", None, "--output ({link}) is the same file as --input"),
        ("out.jsonl", "in.jsonl", "the dead-letter file ({input}) is the same file as --input"),
        ("out.jsonl", "out.jsonl", "the dead-letter file ({output}) is the same file as --output"),
        ("out.jsonl", "symlink-out", "the dead-letter file ({link}) is the same file as --output"),
    ],
)
def test_process_refuses_to_overwrite_its_input(tmp_path: Path, output: str, dlq: str | None, clash: str) -> None:
    config, src, _ = poison_file(tmp_path)
    before = src.read_bytes()
    link = tmp_path / "link.jsonl"
    out_path = tmp_path / output
    if output in ("symlink", "hardlink"):
        _link(output, src, link)
        out_path = link
    dlq_path = None if dlq is None else tmp_path / dlq
    if dlq == "symlink-out":
        link.symlink_to(out_path)
        dlq_path = link
    args = ["process", "--config", str(config), "--input", str(src), "--output", str(out_path)]
    res = cdr(*args, *(["--dlq", str(dlq_path)] if dlq_path else []))
    assert res.returncode == 2
    message = clash.format(input=src, link=link, output=out_path)
    assert message in res.stderr.replace("\n", "")
    assert "refusing to overwrite it" in res.stderr
    assert src.read_bytes() == before, "the input changed"


LINES_READ_WHOLE = [
    b'{"topic":"a.b","partition":3,"offset":7,"timestamp":1700000000000,"key":null,"value":null}',
    b'{"topic":"caf\\u00e9","partition":0,"offset":1.0,"value":{"schema":null,"payload":{"id":1}}}',
    b'{"topic":"t","partition":-1,"offset":2,"value":null}',
    b'{"topic":"t","partition":true,"offset":2,"value":null}',
    b'{"topic":5,"partition":0,"offset":2,"value":null}',
    b'{"topic":"t","offset":2,"timestamp":"soon","headers":{"h":"v","j":{"a":1}},"value":null}',
    b'{"topic":"t","partition":0,"offset":18446744073709551615,"value":null}',
    b'{"topic":"","value":null}',
    b'{"topic":["t"],"value":null}',
]


@pytest.mark.parametrize("line", LINES_READ_WHOLE, ids=range(len(LINES_READ_WHOLE)))
def test_a_line_read_whole_gives_the_record_its_spans_give(line: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """File mode takes topic, partition, offset and timestamp from the parse of a line in
    canonical form; the record (or the refusal) is the one its members' spans give."""
    from pipeline.errors import DecodeError
    from pipeline.formats.json import jsonspans
    from pipeline.runtime.filemode import parse_line

    def read() -> object:
        try:
            return parse_line(line, 4)
        except DecodeError as exc:
            return (exc.reason, exc.message)

    whole = read()
    monkeypatch.setattr(jsonspans, "_canonical_members", lambda *_: None)
    assert read() == whole


def test_a_topic_longer_than_kafka_allows_is_refused_unread() -> None:
    """A Kafka topic name has at most 249 characters; file mode's input chooses its own.
    Each topic under a default declaration keeps a table (and the router of
    ``--workers`` a name) as large as the topic: 300 topics of 200 KB kept 118 MiB, and
    the 4,096 tables kept would hold gigabytes. Such a line is not a Kafka record."""
    from pipeline.errors import DecodeError
    from pipeline.runtime.filemode import parse_line

    def line(topic: str) -> bytes:
        return json.dumps({"topic": topic, "partition": 0, "offset": 1, "value": None}).encode()

    assert parse_line(line("t" * 249), 1).topic == "t" * 249
    for raw in (line("t" * 250), line("s." + "é" * 300), b'{"topic": "' + b"t" * 200_000 + b'", "value": null}'):
        with pytest.raises(DecodeError) as refused:
            parse_line(raw, 3)
        assert refused.value.reason == "bad_line"
        assert "ttt" not in refused.value.message and "é" not in refused.value.message
