"""Hostile declarations, config and invocations: refused cleanly and within bounds.

- YAML alias bombs: ``cdr validate`` exits non-zero, within the time and memory bounds.
- ``cdr scan --out`` with table names from the data holding ``../`` or an absolute path:
  nothing is written outside the folder.
- Dangerous rules (masks that show most of an identifier, prefixes that keep the whole
  value, ``pass`` on US_SSN, ``undeclared_mask: pass``): ``cdr validate`` refuses them,
  and ``cdr process`` either refuses to start or lets no revealed part out.
- Weak hash keys: ``cdr process`` refuses them, or the digests it writes are planted
  values (anyone with the key can confirm a guessed e-mail).
- ``cdr process --output`` naming its input: refused, the input left intact.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from pipeline.tools import main as cli
from tests.security import values as v
from tests.security.cases.common import declaration
from tests.security.cases.rules import CASES as RULES
from tests.security.cases.rules import RuleCase
from tests.security.events import Rec, change, encode, key
from tests.security.filemode import CDR_BIN, run_in_process, run_watched, write_case
from tests.security.ledger import TALLY, judge

pytestmark = pytest.mark.security
ATTACK = "hostile-declarations"
REFUSED = "cdr process exited 3"  # invalid config or declarations: not started


def _record(case_id: str, problems: list[str], what: str) -> None:
    TALLY.record(case_id, ATTACK, "tool", problems)
    if problems:
        pytest.fail(f"[{ATTACK}] {what}:\n" + "\n".join(problems), pytrace=False)


def _cli(*args: str) -> int | str:
    """``cdr <args>`` in-process, its output swallowed (it is not under test here)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            return cli.main(list(args))
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # the class only: a message can quote the data
            return f"crashed with {type(exc).__name__}"


def _alias_bomb(levels: int = 10) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["declaration", "config"])
def test_yaml_alias_bomb_refused_quickly(where: str, tmp_path: Path) -> None:
    case_id = f"yaml-alias-bomb-in-{where}"
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    ok = declaration("ok", "id: {pii: none}").replace("{source}", "sec.ok").replace("{cdr}", "cdr.sec.ok")
    if where == "declaration":
        (schemas / "bomb.yaml").write_text(_alias_bomb() + ok, encoding="utf-8")
        args = ["validate", str(schemas)]
    else:
        (schemas / "ok.yaml").write_text(ok, encoding="utf-8")
        (tmp_path / "cdr.yaml").write_text("schemas: schemas\n" + _alias_bomb(), encoding="utf-8")
        args = ["validate", "--config", str(tmp_path / "cdr.yaml")]
    run = run_watched([*CDR_BIN, *args], tmp_path / "run", time_limit=6)
    problems = []
    if run.killed is not None:
        problems.append(f"{case_id}: cdr validate was {run.killed}")
    elif run.returncode == 0:
        problems.append(f"{case_id}: cdr validate accepted the file (exit 0)")
    elif run.returncode != 3:
        problems.append(f"{case_id}: cdr validate failed with exit {run.returncode}, not a clean refusal (3)")
    _record(case_id, problems, f"a YAML alias bomb in the {where}")


@pytest.mark.parametrize("variant", ["relative", "absolute"])
def test_scan_out_writes_only_inside_its_folder(variant: str, tmp_path: Path) -> None:
    case_id = f"scan-out-path-traversal-{variant}"
    sandbox = tmp_path / "sandbox"
    out = sandbox / "a" / "b" / "proposals"
    r = v.rng(case_id)
    if variant == "relative":
        source = {"schema": ".", "table": "/../../escaped_relative"}  # table name "../../../escaped_relative"
    else:
        source = {"schema": str(sandbox / "escaped_absolute"), "table": "t"}
    lines = []
    for n in range(30):
        value = change("t", {"id": n, "email": v.email(r)}, extra={"source": {"connector": "postgresql", **source}})
        lines.append(encode({"topic": "sec.scan.t", "partition": 0, "offset": n, "key": key(n), "value": value}))
    records = tmp_path / "records.jsonl"
    records.write_bytes(b"\n".join(lines) + b"\n")
    sandbox.mkdir()
    code = _cli("scan", "--input", str(records), "--out", str(out), "--no-ner")
    outside = [p for p in sandbox.rglob("*") if p.is_file() and out not in p.parents]
    problems = [f"{case_id}: cdr scan wrote {len(outside)} file(s) outside --out"] if outside else []
    if code not in (0, 1, 2, 3):
        problems.append(f"{case_id}: cdr scan {code if isinstance(code, str) else f'exited {code}'}")
    _record(case_id, problems, f"scan --out with {variant} path parts in table names")


@pytest.mark.parametrize("rule", RULES, ids=[r.case.id for r in RULES])
def test_dangerous_rule_refused(rule: RuleCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = rule.case
    problems = []
    if rule.validate_must_fail:
        files = write_case(case, tmp_path / "validate")
        code = _cli("validate", str(files.root / "schemas"), "--config", str(files.config))
        if code == 0:
            problems.append(f"{case.id}: cdr validate accepted the rule (exit 0)")
    if rule.hash_key is not None:
        monkeypatch.setenv("CDR_HASH_KEY", rule.hash_key)
    seen = run_in_process(case, tmp_path / "process", monkeypatch)
    if seen.crash != REFUSED:
        problems.extend(judge(case, seen))
    _record(case.id, problems, case.description)


def _one_record_input(tmp_path: Path, case_id: str) -> tuple[Path, bytes]:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    decl = declaration("t", "id: {pii: none}\nemail: {pii: EMAIL_ADDRESS, treatment: hash}")
    (schemas / "t.yaml").write_text(decl.replace("{source}", "sec.t").replace("{cdr}", "cdr.sec.t"), encoding="utf-8")
    rec = Rec(key(1), change("t", {"id": 1, "email": v.email(v.rng(case_id))}))
    line = encode({"topic": "sec.t", "partition": 0, "offset": 0, "key": rec.key, "value": rec.value}) + b"\n"
    data = tmp_path / "data.jsonl"
    data.write_bytes(line)
    return schemas, line


@pytest.mark.parametrize("flag", ["--output", "--dlq"])
def test_process_refuses_to_overwrite_its_input(flag: str, tmp_path: Path) -> None:
    case_id = f"process-{flag[2:]}-over-input"
    schemas, line = _one_record_input(tmp_path, case_id)
    data = tmp_path / "data.jsonl"
    args = ["--output", str(tmp_path / "out.jsonl"), "--dlq", str(tmp_path / "out.dlq.jsonl")]
    args[args.index(flag) + 1] = str(data)
    code = _cli("process", "--schemas", str(schemas), "--input", str(data), *args)
    problems = []
    if data.read_bytes() != line:
        problems.append(f"{case_id}: cdr process overwrote its own input")
    if code == 0:
        problems.append(f"{case_id}: cdr process accepted {flag} equal to --input (exit 0)")
    _record(case_id, problems, f"cdr process {flag} naming its --input")


def test_process_writes_private_files(tmp_path: Path) -> None:
    """Output and dead letters are as sensitive as the source: owner-only (0600)."""
    case_id = "process-files-world-readable"
    schemas, _ = _one_record_input(tmp_path, case_id)
    out, dlq = tmp_path / "out.jsonl", tmp_path / "out.dlq.jsonl"
    code = _cli("process", "--schemas", str(schemas), "--input", str(tmp_path / "data.jsonl"), "--output", str(out))
    problems = [f"{case_id}: cdr process exited {code}"] if code != 0 else []
    for path in (out, dlq):
        if path.exists() and path.stat().st_mode & 0o077:
            problems.append(
                f"{case_id}: {path.name} is readable by group or others ({oct(path.stat().st_mode & 0o777)})"
            )
    _record(case_id, problems, "cdr process output and dead-letter file modes")
