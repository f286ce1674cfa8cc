"""The declaration keys data contracts add: key, compatibility, approvals (validated at load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import declaration_schema, load_declarations
from pipeline.errors import InvalidFilesError
from tests.support import write_declarations

BASE = """\
table: public.t
source_topic: shop.public.t
cdr_topic: cdr.t.v1
owner: team
columns:
  id:    {pii: none}
  email: {pii: EMAIL_ADDRESS, treatment: pass}
"""


def load(tmp_path: Path, text: str):
    root = write_declarations(tmp_path / "s", {"t.yaml": text})
    return load_declarations(root, BUILTIN_ENTITIES, default_treatments()).for_topic("shop.public.t")


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InvalidFilesError) as info:
        load(tmp_path, text)
    return [f"{e.line}: {e.message}" for e in info.value.errors]


def test_contract_keys_load_with_their_lines(tmp_path: Path) -> None:
    text = BASE + (
        "key: [id]\n"
        "compatibility: FULL\n"
        "approvals:\n"
        "  - {rule: PROTECTION_TREATMENT_NO_WEAKEN, column: email, reason: marketing needs the raw address, approved_by: dpo}\n"
    )
    decl = load(tmp_path, text)
    assert decl is not None
    assert decl.key == ("id",) and decl.compatibility == "FULL"
    (approval,) = decl.approvals
    assert (approval.rule, approval.column, approval.approved_by, approval.line) == (
        "PROTECTION_TREATMENT_NO_WEAKEN",
        "email",
        "dpo",
        11,
    )
    assert decl.lines["cdr_topic"] == 3 and decl.lines["key"] == 8


def test_defaults(tmp_path: Path) -> None:
    decl = load(tmp_path, BASE)
    assert decl is not None
    assert (decl.key, decl.compatibility, decl.approvals) == ((), "BACKWARD", ())


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("key: [nope]\n", "8: key column 'nope' is not declared under columns"),
        ("compatibility: SIDEWAYS\n", "8: compatibility: must be one of BACKWARD"),
        (
            "approvals:\n  - {rule: PROTECTION_TREATMENT_NO_WEAKEN, reason: short, approved_by: dpo}\n",
            "9: approvals.0.reason: must have at least 10 characters",
        ),
        (
            "approvals:\n  - {rule: FIELD_NO_DELETE, reason: consumers agreed to it, approved_by: dpo}\n",
            "9: approvals.0.rule: must be one of PROTECTION_",
        ),
        (
            "approvals:\n  - {rule: PROTECTION_ENTITY_NO_REMOVE, approved_by: dpo}\n",
            "9: approvals.0: 'reason' is a required",
        ),
    ],
)
def test_bad_contract_keys_fail_at_load_with_a_line(tmp_path: Path, extra: str, expected: str) -> None:
    found = problems(tmp_path, BASE + extra)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_approvable_rules_are_the_protection_rules() -> None:
    from pipeline.contracts.rules import RULES

    schema_rules = set(declaration_schema()["$defs"]["approval"]["properties"]["rule"]["enum"])
    assert schema_rules == {r.id for r in RULES.values() if r.approvable}
