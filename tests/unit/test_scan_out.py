"""`cdr scan --out DIR` writes only inside DIR, whatever the table names in the data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detectors.textscan import TextScanner
from pipeline.config import default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.scan import MAX_NAME_BYTES, Scanner, UnsafeName, proposal_filename, write_proposals
from pipeline.declarations.loader import load_declarations
from pipeline.yamlfile import load_located


def scanner_with(*tables: str, column: str = "id", topic: str | None = None) -> Scanner:
    scanner = Scanner(TextScanner(ner=None), min_samples=1)
    for table in tables:
        scanner.add_row(table, topic, {column: 1}, None)
    return scanner


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


HOSTILE = [
    "../../escaped",
    "public/../../escaped",
    "/tmp/absolute",
    "..",
    ".hidden",
    "a\x00b",
    "a\\..\\b",
    "line\nbreak",
    "bidi\u202eelif",
    "x" * (MAX_NAME_BYTES + 1),
]


@pytest.mark.parametrize("table", HOSTILE)
def test_unsafe_table_names_are_refused(table: str) -> None:
    with pytest.raises(UnsafeName) as info:
        proposal_filename(table)
    assert table not in str(info.value)


def test_hostile_names_write_nothing_outside_and_the_rest_is_written(tmp_path: Path) -> None:
    out = tmp_path / "work" / "proposals"
    refused: list[tuple[int, str]] = []
    written = write_proposals(
        scanner_with("public.ok", *HOSTILE), out, on_refused=lambda i, why: refused.append((i, why))
    )
    assert tree(tmp_path) == {"work", "work/proposals", "work/proposals/public.ok.yaml"}
    assert written == [out.resolve() / "public.ok.yaml"]
    assert len(refused) == len(HOSTILE)
    assert not any(name in why for _, why in refused for name in HOSTILE if len(name) > 2)


def test_other_characters_are_refused_and_plain_names_never_collide(tmp_path: Path) -> None:
    """A table name that is not plain is not written (it could be personal data; the
    reason does not name it); plain names that differ only by case get two files."""
    odd = ["public.a b", "public.a:b", "public.ünï", "public.jane.doe"]
    refused: list[tuple[int, str]] = []
    names = ["public.a_b", "Public.A_B", *odd]
    written = write_proposals(scanner_with(*names), tmp_path, on_refused=lambda i, why: refused.append((i, why)))
    assert len(refused) == len(odd)
    assert not any(name.split(".")[1] in why for _, why in refused for name in odd)
    assert len({p.name.casefold() for p in written}) == 2, "two tables share a file (or differ only by case)"
    assert "Public.A_B.yaml" in {p.name for p in written}, "a plain name is kept as it is"
    for path in written:
        assert path.parent == tmp_path.resolve()
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in path.name)
    assert written == write_proposals(scanner_with(*names), tmp_path, on_refused=lambda i, why: None)


def test_proposal_file_names_replace_other_characters() -> None:
    names = ["public.a b", "public.a_b", "public.a:b", "public.ünï", "Public.A_B"]
    files = [proposal_filename(n) for n in names]
    assert len({f.casefold() for f in files}) == 4, "only names equal but for case share a file name"
    assert all(all(c.isascii() and (c.isalnum() or c in "._-") for c in f) for f in files)


def test_a_symlink_in_the_folder_is_replaced_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "public.ok.yaml").symlink_to(victim)
    hard = tmp_path / "hard.txt"
    hard.write_text("keep me too")
    os.link(hard, out / "public.other.yaml")
    write_proposals(scanner_with("public.ok", "public.other"), out)
    assert victim.read_text() == "keep me" and hard.read_text() == "keep me too"
    assert not (out / "public.ok.yaml").is_symlink()
    assert "table: public.ok" in (out / "public.ok.yaml").read_text()
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary file left behind"


def test_names_from_the_data_cannot_add_keys_to_a_proposal(tmp_path: Path) -> None:
    column = 'x"}\nundeclared: pass\nowner: "evil'
    (path,) = write_proposals(scanner_with("public.t", column=column, topic="shop.public.t"), tmp_path)
    doc = load_located(path).data
    assert doc["undeclared"] == "detect" and doc["owner"] == "unassigned"
    assert not doc["columns"], "a column whose name is not plain is not proposed (only a digest, in a comment)"
    assert "col~" in path.read_text()
    decls = load_declarations(tmp_path, BUILTIN_ENTITIES, default_treatments())
    assert len(decls) == 1


def test_cdr_scan_out_keeps_hostile_table_names_inside(tmp_path: Path) -> None:
    """The real command on Debezium records whose source block names hostile tables."""
    lines = []
    for i, (schema, table) in enumerate(
        [("public", "orders"), ("..", "../../../escaped"), ("/tmp", "abs"), ("public", "x\u0000y"), ("a/b", "c")]
    ):
        after = {"id": i, "note": "n"}
        value = {"op": "c", "before": None, "after": after, "source": {"schema": schema, "table": table}}
        lines.append(json.dumps({"topic": f"shop.t{i}", "key": {"id": i}, "value": value}))
    sample = tmp_path / "in" / "sample.jsonl"
    sample.parent.mkdir()
    sample.write_text("\n".join(lines) + "\n")
    out = tmp_path / "in" / "out"
    env = {**os.environ, "COLUMNS": "200"}
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "scan", "--no-ner", "--input", str(sample), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-400:]
    assert tree(tmp_path) == {"in", "in/sample.jsonl", "in/out", "in/out/public.orders.yaml"}
    assert res.stderr.count("not written") == 4
    assert "escaped" not in res.stderr
