"""A version bump never leaves raw on the retiring CDR topic what the new version declares
personal: the older version is published until its sunset under its own rules, so such a
pair of declarations is refused at start-up, on the new file's column line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from pipeline.errors import InvalidFilesError
from tests.support import write_declarations

V1 = """\
table: public.accounts
source_topic: pg.public.accounts
cdr_topic: cdr.accounts.v1
owner: identity
undeclared: {undeclared}
columns:
  id: {{pii: none}}
{column}"""
V2 = """\
table: public.accounts
source_topic: pg.public.accounts
cdr_topic: cdr.accounts.v2
owner: identity
replaces: {{cdr_topic: cdr.accounts.v1, sunset: "2999-01-01"}}
columns:
  id: {{pii: none}}
{column}"""
HASHED = "  holder: {pii: PERSON, treatment: hash}\n"

# (v1's holder line, v1's undeclared policy, v2's holder line, refused)
TABLE = [
    ("  holder: {pii: none}\n", "detect", HASHED, True),
    ("  holder: {pii: PERSON, treatment: tag}\n", "detect", HASHED, True),
    ("  holder: {pii: PERSON, treatment: pass}\n", "detect", HASHED, True),
    ("", "pass", HASHED, True),
    ("", "detect", HASHED, False),  # withheld until released, then guarded
    ("", "mask", HASHED, False),
    ("", "drop", HASHED, False),
    ("  holder: {pii: PERSON, treatment: redact}\n", "detect", HASHED, False),
    ("  holder: {pii: PERSON}\n", "detect", HASHED, False),  # the entity's default treatment
    ("  holder: {pii: none}\n", "detect", "  holder: {pii: none}\n", False),
    ("  holder: {pii: none}\n", "detect", "  holder: {pii: PERSON, treatment: tag}\n", False),  # v2 as raw
    ("  holder: {pii: none}\n", "detect", "", False),
]


@pytest.mark.parametrize(("old", "undeclared", "new", "refused"), TABLE)
def test_retiring_version_rawer_than_the_new(
    tmp_path: Path, old: str, undeclared: str, new: str, refused: bool
) -> None:
    files = {
        "v1.yaml": V1.format(undeclared=undeclared, column=old),
        "v2.yaml": V2.format(column=new),
    }
    root = write_declarations(tmp_path / "s", files)
    if not refused:
        decls = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
        assert [d.cdr_topic for d in decls.retiring["pg.public.accounts"]] == ["cdr.accounts.v1"]
        return
    with pytest.raises(InvalidFilesError) as err:
        load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    (problem,) = err.value.errors
    assert (Path(problem.file).name, problem.line) == ("v2.yaml", 8)
    assert "cdr.accounts.v1" in problem.message and "raw until the sunset" in problem.message
