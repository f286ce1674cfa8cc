"""A version bump never leaves raw on the retiring CDR topic what the new version declares
personal: the older version is published until its sunset under its own rules, so such a
pair of declarations is refused at start-up, on the new file's column line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import DetectionConfig, default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.events import Published
from pipeline.core.processor import Processor
from pipeline.declarations.loader import load_declarations
from pipeline.errors import InvalidFilesError
from tests.support import doc, make_processor, record, write_declarations

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


# -- an older version reads each record again: it must not sample it again -----------------

PLANS = ("bronze", "silver", "gold", "platinum")
DETECT = """\
table: public.plans
source_topic: pg.public.plans
cdr_topic: cdr.plans.{version}
owner: billing
columns:
  id: {{pii: none}}
"""


def _plans_processor(root: Path, bumped: bool) -> Processor:
    files = {"v1.yaml": DETECT.format(version="v1")}
    if bumped:
        v2 = DETECT.format(version="v2") + 'replaces: {cdr_topic: cdr.plans.v1, sunset: "2999-01-01"}\n'
        files["v2.yaml"] = v2
    return make_processor(root, files, detection=DetectionConfig(ner=False, min_samples=40, sample_every=5))


def _released_after(processor: Processor, records: int) -> list[bool]:
    """Per CDR record of the last source record: is the undeclared column's value published?"""
    outcome, after = None, {}
    for i in range(records):
        after = {"id": i, "plan": PLANS[i % len(PLANS)]}
        outcome = processor.process(record("pg.public.plans", {"before": None, "after": after, "op": "c"}, offset=i))
    assert isinstance(outcome, Published)
    return [doc(out.value)["after"].get("plan") == after["plan"] for out in outcome.records]


@pytest.mark.parametrize("bumped", [False, True], ids=["one-version", "two-versions"])
def test_a_retiring_version_does_not_count_a_record_twice(tmp_path: Path, bumped: bool) -> None:
    """A release needs ``min_samples`` records' evidence, however many versions publish
    them: 30 records of 40 leave the column withheld on every version; 41 release it."""
    assert not any(_released_after(_plans_processor(tmp_path / "a", bumped), 30))
    assert all(_released_after(_plans_processor(tmp_path / "b", bumped), 41))


def test_an_older_version_of_another_table_name_samples_its_own(tmp_path: Path) -> None:
    """Renamed with the bump (profiles apart): the older version's undeclared column is
    released on its own evidence, not withheld for ever."""
    v1 = DETECT.format(version="v1").replace("table: public.plans", "table: public.plans_old")
    v2 = DETECT.format(version="v2") + 'replaces: {cdr_topic: cdr.plans.v1, sunset: "2999-01-01"}\n'
    processor = make_processor(
        tmp_path, {"v1.yaml": v1, "v2.yaml": v2}, detection=DetectionConfig(ner=False, min_samples=40, sample_every=5)
    )
    assert _released_after(processor, 41) == [True, True]
