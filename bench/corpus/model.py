"""What a corpus source holds: tables with a truth label per column, and sentences with
labelled spans. Truth labels are this project's entity names, or one of:

- ``none``: not personal data (a false positive when flagged);
- ``quasi``: a quasi-identifier (age, gender, city, zip...) or a label outside this
  project's vocabulary; reported, never scored (issue 10 item 6 settles the policy);
- ``ANY``: personal data of an entity this project has no name for (national ids):
  any entity counts as right;
- ``free_text`` / ``json``: prose or documents that must be scanned, not passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NONE = "none"
QUASI = "quasi"
ANY = "ANY"
FREE_TEXT = "free_text"
JSON = "json"

# A prediction counts as the right entity when it is in the truth's accepted set.
# Street addresses have no entity of their own yet: LOCATION, or an address entity.
ACCEPTED: dict[str, frozenset[str]] = {
    "LOCATION": frozenset({"LOCATION", "ADDRESS", "STREET_ADDRESS"}),
}


def accepts(truth: str, predicted: str) -> bool:
    if truth == ANY:
        return predicted not in (NONE, "pending", FREE_TEXT, JSON)
    return predicted in ACCEPTED.get(truth, frozenset({truth}))


def scored(truth: str) -> bool:
    """A label that counts in recall and precision (quasi-identifiers do not)."""
    return truth != QUASI


def personal(truth: str) -> bool:
    """A cell of this label is personal data whose raw value must never come out."""
    return truth not in (NONE, QUASI, FREE_TEXT, JSON)


@dataclass(frozen=True)
class Column:
    name: str  # the source's column name (the named variant)
    truth: str  # see the module docstring
    label: str = ""  # the source's own label, verbatim ("" when the source gives none)
    by: str = "source"  # "source": the authors' label; "cdr-pipeline": ours, for a column their vocabulary lacks


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[list[object]]  # one value per column; None for an empty cell
    # Debezium field schemas (without field/optional), one per column, when the source
    # says its types (a SQL dump); None: inferred from the values as a loader would
    fields: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    truth: str  # project entity, or quasi for a label outside the scored set
    label: str  # the source's label, verbatim


@dataclass(frozen=True)
class Text:
    text: str
    spans: tuple[Span, ...]


@dataclass
class Source:
    name: str
    manifest: dict[str, object]
    tables: list[Table] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was left out, and why
    connector: str = (
        "postgresql"  # whose Debezium source block the events carry (postgresql | mysql | oracle | sqlserver)
    )


class Unavailable(Exception):
    """A source whose data is not on this machine; the message says how to get it."""
