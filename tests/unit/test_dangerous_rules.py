"""Refused rules: treatments that publish most of an identifier, YAML that expands without
bound, and overrides that must name the rule they cover. Every refusal is `file:line: rule`."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from pipeline.config import default_treatments, load_config
from pipeline.core.declaration import fingerprint
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.treatments.hashing import (
    MIN_ENTROPY_BITS,
    HashKeyError,
    estimated_entropy_bits,
    is_demo_key,
    load_hash_key,
)
from pipeline.core.treatments.spec import parse_treatment
from pipeline.declarations.loader import load_declarations
from pipeline.declarations.rules import ENTITY_BOUNDS, HIGH_RISK, treatment_violation
from pipeline.errors import InvalidFilesError, SourceFileError
from pipeline.runtime.bootstrap import build_processor
from pipeline.yamlfile import MAX_DEPTH, MAX_FILE_BYTES, load_located
from tests.support import HASH_KEY, REPO, write_declarations

HEAD = """\
table: public.people
source_topic: shop.public.people
cdr_topic: cdr.people
owner: team
columns:
  id: {pii: none}
"""

# 652 bytes: nine levels of nine aliases each, 9**9 (387 million) strings once expanded.
BILLION_LAUGHS = (
    HEAD
    + 'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"lol{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
)


def problems(tmp_path: Path, text: str, defaults: dict[str, object] | None = None) -> list[str]:
    root = write_declarations(tmp_path / "schemas", {"people.yaml": text})
    with pytest.raises(InvalidFilesError) as info:
        load_declarations(root, BUILTIN_ENTITIES, default_treatments(defaults))
    return [f"{Path(e.file).name}:{e.line}: {e.message}" for e in info.value.errors]


def loads(tmp_path: Path, text: str):
    root = write_declarations(tmp_path / "schemas", {"people.yaml": text})
    return load_declarations(root, BUILTIN_ENTITIES, default_treatments()).for_topic("shop.public.people")


# --- YAML bounds ----------------------------------------------------------------------


def test_billion_laughs_is_refused_at_the_first_anchor(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS.encode()) <= 700
    found = problems(tmp_path, BILLION_LAUGHS)
    assert found == [
        "people.yaml:7: YAML anchors and aliases (&name, *name, <<: *name) are not allowed; write the value out"
    ]


def test_cdr_validate_refuses_billion_laughs_in_bounded_memory(tmp_path: Path) -> None:
    """The real CLI: it exits with the file:line in seconds instead of exhausting memory."""
    schemas = write_declarations(tmp_path / "schemas", {"lol.yaml": BILLION_LAUGHS})
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31)); "
    code = limit + "import sys; from pipeline.tools.main import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "validate", str(schemas)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "CDR_HASH_KEY": HASH_KEY, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 3, proc.stderr[-500:]
    assert "lol.yaml:7: YAML anchors and aliases" in proc.stderr


@pytest.mark.parametrize(
    "snippet",
    [
        "base: &b {pii: PERSON}\n",  # an anchor alone
        "  name: *missing\n",  # an alias (even undefined)
        "  name: {<<: *b, pii: PERSON}\n",  # a merge key
    ],
)
def test_every_anchor_and_alias_is_refused(tmp_path: Path, snippet: str) -> None:
    found = problems(tmp_path, HEAD + snippet)
    assert len(found) == 1 and "anchors and aliases" in found[0] and found[0].startswith("people.yaml:7:")


def test_size_and_depth_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(HEAD + "# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(SourceFileError, match="larger than"):
        load_located(big)
    for name, text in {
        "deep.yaml": HEAD + "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
        "deep_block.yaml": HEAD + "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 2)),
        "deep.json": "[" * 100_000,  # would be a RecursionError in the JSON parser
    }.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(SourceFileError, match=f"deeper than {MAX_DEPTH}"):
            load_located(path)


def test_an_overlong_number_is_a_located_error_not_a_crash(tmp_path: Path) -> None:
    for name, text in {"n.yaml": HEAD + "x: " + "9" * 5000 + "\n", "n.json": "[" + "9" * 5000 + "]"}.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(SourceFileError, match="cannot be read") as info:
            load_located(path)
        assert "9999" not in str(info.value)


def test_config_refuses_aliases_too(tmp_path: Path) -> None:
    cfg = tmp_path / "cdr.yaml"
    cfg.write_text("kafka: &k {bootstrap.servers: x}\nconsumer: *k\n")
    with pytest.raises(InvalidFilesError) as info:
        load_config(cfg, environ={})
    assert [str(e) for e in info.value.errors] == [
        f"{cfg}:1: YAML anchors and aliases (&name, *name, <<: *name) are not allowed; write the value out"
    ]


# --- dangerous treatments ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        ("ssn: {pii: US_SSN, treatment: {mask: {keep_last: 5}}}", "reveals_most"),
        ("ssn: {pii: US_SSN, treatment: {mask: {keep_first: 3, keep_last: 4}}}", "reveals_most"),
        ("card: {pii: CREDIT_CARD, treatment: {mask: {keep_first: 6, keep_last: 4}}}", "reveals_most"),
        ("mail: {pii: EMAIL_ADDRESS, treatment: {mask: {keep_first: 12}}}", "reveals_most"),
        ("name: {pii: PERSON, treatment: {generalize: {prefix: 6}}}", "reveals_most"),
        ("dob: {pii: DATE_OF_BIRTH, treatment: {generalize: {prefix: 10}}}", "keeps_whole_value"),
        ("zip: {pii: LOCATION, treatment: {generalize: {prefix: 40}}}", "keeps_whole_value"),
        ("ssn: {pii: US_SSN, treatment: pass}", "high_risk_kept"),
        ("iban: {pii: IBAN_CODE, treatment: tag}", "high_risk_kept"),
        ("wallet: {pii: CRYPTO, treatment: pass}", "high_risk_kept"),
    ],
)
def test_dangerous_treatment_is_refused_with_file_line_and_rule(tmp_path: Path, column: str, rule: str) -> None:
    found = problems(tmp_path, HEAD + f"  {column}\n")
    assert len(found) == 1, found
    assert found[0].startswith("people.yaml:7: column ") and f"rule {rule}:" in found[0]
    assert f"override: {{rule: {rule}" in found[0]  # says how to record an exception


def test_safe_treatments_load(tmp_path: Path) -> None:
    decl = loads(
        tmp_path,
        HEAD
        + "  ssn: {pii: US_SSN, treatment: {mask: {keep_last: 4}}}\n"
        + "  card: {pii: CREDIT_CARD, treatment: {mask: {keep_last: 4}}}\n"
        + "  zip: {pii: LOCATION, treatment: {generalize: {prefix: 3}}}\n"
        + "  dob: {pii: DATE_OF_BIRTH, treatment: {generalize: {prefix: 4}}}\n"
        + "  city: {pii: LOCATION, treatment: tag}\n"
        + "  name: {pii: PERSON, treatment: {mask: {keep_first: 1}}}\n"
        + "  passport: {pii: US_PASSPORT}\n",
    )
    assert decl is not None and len(decl.columns) == 8


def test_an_override_naming_the_rule_lets_it_load_and_is_recorded(tmp_path: Path) -> None:
    text = HEAD + (
        "  ssn:\n"
        "    pii: US_SSN\n"
        "    treatment: pass\n"
        '    override: {rule: high_risk_kept, reason: "fraud team matches raw SSNs", approved_by: dpo@example.com}\n'
    )
    decl = loads(tmp_path, text)
    assert decl is not None
    column = decl.columns["ssn"]
    assert column.override is not None and column.override.rule == "high_risk_kept" and column.override.line == 10
    effective = {n: c.treatment or parse_treatment("pass") for n, c in decl.columns.items()}
    unrecorded = replace(decl, columns=MappingProxyType({**decl.columns, "ssn": replace(column, override=None)}))
    assert fingerprint(decl, effective) != fingerprint(unrecorded, effective), "override not in the fingerprint"


def test_an_override_for_another_rule_or_for_nothing_is_refused(tmp_path: Path) -> None:
    wrong = HEAD + (
        "  ssn: {pii: US_SSN, treatment: pass, "
        "override: {rule: reveals_most, reason: reviewed by legal, approved_by: dpo}}\n"
    )
    found = problems(tmp_path, wrong)
    assert (
        len(found) == 1
        and "override is for rule reveals_most but the treatment breaks rule high_risk_kept" in (found[0])
    )
    stale = HEAD + (
        "  ssn: {pii: US_SSN, treatment: hash, "
        "override: {rule: high_risk_kept, reason: reviewed by legal, approved_by: dpo}}\n"
    )
    found = problems(tmp_path, stale)
    assert len(found) == 1 and "breaks no rule; remove it" in found[0] and found[0].startswith("people.yaml:7:")


def test_an_incomplete_override_is_a_schema_error_that_quotes_nothing(tmp_path: Path) -> None:
    text = HEAD + "  ssn: {pii: US_SSN, treatment: pass, override: {rule: high_risk_kept, reason: zzqqz}}\n"
    found = problems(tmp_path, text)
    assert any("an override needs rule" in f for f in found), found
    assert not any("zzqqz" in f for f in found), "the override's text was echoed"
    assert any("rule high_risk_kept" in f for f in found), "the rule still applies without a valid override"


def test_json_paths_follow_the_same_rules(tmp_path: Path) -> None:
    text = HEAD + (
        "  profile:\n    pii: none\n    paths:\n"
        "      payment.card: {pii: CREDIT_CARD, treatment: {mask: {keep_first: 6, keep_last: 4}}}\n"
    )
    found = problems(tmp_path, text)
    assert len(found) == 1 and found[0].startswith(
        "people.yaml:10: column 'profile' path 'payment.card': rule reveals_most"
    )


def test_a_dangerous_default_treatment_is_caught_on_the_column_that_uses_it(tmp_path: Path) -> None:
    found = problems(tmp_path, HEAD + "  ssn: {pii: US_SSN}\n", defaults={"US_SSN": "pass"})
    assert len(found) == 1 and "rule high_risk_kept" in found[0] and "the config's default treatment" in found[0]


def test_every_high_risk_entity_has_a_bound_at_most_last_four() -> None:
    for entity in HIGH_RISK:
        assert entity in BUILTIN_ENTITIES
        assert ENTITY_BOUNDS[entity].max_revealed <= 4
        assert treatment_violation(entity, parse_treatment("pass")) is not None
    for entity in BUILTIN_ENTITIES:  # the built-in defaults break no rule
        spec = default_treatments()[entity]
        assert treatment_violation(entity, spec) is None, entity


def test_the_repository_declarations_still_load() -> None:
    decls = load_declarations(REPO / "schemas", BUILTIN_ENTITIES, default_treatments())
    assert len(decls) >= 5


# --- the config ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("undeclared_mask: pass", "pass would publish undeclared columns unchanged"),
        ("undeclared_mask: tag", "tag would publish undeclared columns unchanged"),
        ("undeclared_mask: {mask: {keep_last: 4}}", "reveals characters of undeclared columns"),
        ("undeclared_mask: {generalize: {prefix: 2}}", "generalize keeps part of the value"),
        ("undeclared_topics: {policy: default, undeclared: pass}", "topics nobody declared unchanged"),
        ("treatment_defaults: {CREDIT_CARD: pass}", "treatment_defaults.CREDIT_CARD: rule high_risk_kept"),
        ("treatment_defaults: {US_SSN: {mask: {keep_last: 6}}}", "treatment_defaults.US_SSN: rule reveals_most"),
    ],
)
def test_config_refuses_rules_that_publish_values(tmp_path: Path, line: str, fragment: str) -> None:
    cfg = tmp_path / "cdr.yaml"
    cfg.write_text(f"log_level: INFO\n{line}\n")
    with pytest.raises(InvalidFilesError) as info:
        load_config(cfg, environ={})
    (error,) = info.value.errors
    assert error.line == 2 and fragment in error.message, str(error)


def test_config_accepts_safe_undeclared_masks(tmp_path: Path) -> None:
    cfg = tmp_path / "cdr.yaml"
    for line in ("undeclared_mask: {mask: {char: '#'}}", "undeclared_mask: redact", "undeclared_mask: hash"):
        cfg.write_text(f"{line}\ntreatment_defaults: {{US_SSN: {{mask: {{keep_last: 4}}}}}}\n")
        assert load_config(cfg, environ={}).undeclared_mask.kind in ("mask", "redact", "hash")


# --- hash keys -------------------------------------------------------------------------


def test_the_demo_key_digest_is_devstacks_key() -> None:
    from devstack.stack import DEMO_HASH_KEY

    assert is_demo_key(DEMO_HASH_KEY.encode())
    assert not is_demo_key(HASH_KEY.encode())


def test_the_demo_key_is_refused_outside_the_local_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from devstack.stack import DEMO_HASH_KEY

    for material in (DEMO_HASH_KEY, "hex:" + DEMO_HASH_KEY.encode().hex()):
        monkeypatch.setenv("CDR_HASH_KEY", material)
        with pytest.raises(HashKeyError, match="public demo key") as info:
            load_hash_key(None, None)
        assert DEMO_HASH_KEY not in str(info.value)
        key = load_hash_key(None, None, local_stack=True)
        assert key is not None and key.secret == DEMO_HASH_KEY.encode()


def test_start_up_refuses_the_demo_key_unless_the_config_is_the_local_stacks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from devstack.stack import DEMO_HASH_KEY, Stack

    monkeypatch.setenv("CDR_HASH_KEY", DEMO_HASH_KEY)
    schemas = write_declarations(tmp_path / "schemas", {"people.yaml": HEAD})
    cfg = tmp_path / "cdr.yaml"
    cfg.write_text(f"schemas: {schemas}\ndetection: {{enabled: false}}\n")
    with pytest.raises(InvalidFilesError, match="public demo key"):
        build_processor(load_config(cfg, environ={}))
    stack = Stack(run_dir=tmp_path, state={"kafka": {"bootstrap": "127.0.0.1:1"}})
    stack_config = stack.service_config(0)  # what `make demo` writes
    assert stack_config["local_stack"] is True
    cfg.write_text(f"schemas: {schemas}\ndetection: {{enabled: false}}\nlocal_stack: true\n")
    assert build_processor(load_config(cfg, environ={})) is not None


@pytest.mark.parametrize(
    "material",
    [
        "a" * 64,
        "ab" * 32,
        "0123456789" * 5,
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "Summer2024!" * 6,
        "hex:" + "00" * 32,
        "password-password-password-pass",  # 31 bytes: too short anyway
    ],
)
def test_guessable_keys_are_refused_without_echoing_them(monkeypatch: pytest.MonkeyPatch, material: str) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", material)
    with pytest.raises(HashKeyError, match=r"guessable|shorter than") as info:
        load_hash_key(None, None)
    assert material not in str(info.value) and material[:8] not in str(info.value)


def test_random_keys_pass_the_entropy_bound() -> None:
    rng = random.Random(7)
    scores = [estimated_entropy_bits(rng.randbytes(32)) for _ in range(2000)]
    assert min(scores) >= MIN_ENTROPY_BITS
    assert estimated_entropy_bits(HASH_KEY.encode()) >= MIN_ENTROPY_BITS


def test_a_dangerous_environment_override_is_refused_and_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidFilesError) as info:
        load_config(None, environ={"CDR_UNDECLARED_MASK": "pass"})
    (error,) = info.value.errors
    assert error.file == "environment CDR_UNDECLARED_MASK" and "publish undeclared columns unchanged" in error.message
