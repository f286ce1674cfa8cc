"""How strongly a treatment (or an undeclared policy) protects a value, to tell a
weakened protection from a change that keeps or strengthens it."""

from __future__ import annotations

from pipeline.core.treatments.spec import WITHHOLD, TreatmentSpec
from pipeline.declarations.rules import revealed_characters

# Publishes nothing of the value > a constant > a keyed digest > part of it > detected
# spans removed > the value kept (tag lists it as sensitive) > the value as is.
TREATMENT_RANK = {
    "drop": 6,
    "null": 5,
    "redact": 5,
    WITHHOLD: 5,
    "hash": 4,
    "mask": 3,
    "generalize": 3,
    "redact_detected": 2,
    "tag": 1,
    "pass": 0,
}
# An undeclared column: blocked (the record is dead-lettered) > dropped > masked >
# withheld until the detector clears it (it may then pass) > passed unseen.
UNDECLARED_RANK = {"block": 4, "drop": 3, "mask": 2, "detect": 1, "pass": 0}
_GRANULARITY = {"year": 0, "month": 1, "day": 2}  # generalize to: finer keeps more


def weakened(old: TreatmentSpec, new: TreatmentSpec) -> str | None:
    """Why ``new`` protects less than ``old`` (None when it does not)."""
    before, after = TREATMENT_RANK.get(old.kind, 0), TREATMENT_RANK.get(new.kind, 0)
    if after < before:
        return f"{old.label} -> {new.label}"
    if after > before:
        return None
    kept_old, kept_new = revealed_characters(old), revealed_characters(new)
    if kept_new > kept_old:
        return f"{old.label} -> {new.label} reveals {kept_new} characters instead of {kept_old}"
    if old.kind == new.kind == "generalize":
        old_to, new_to = old.param("to"), new.param("to")
        if old_to in _GRANULARITY and new_to in _GRANULARITY and _GRANULARITY[new_to] > _GRANULARITY[old_to]:
            return f"{old.label} -> {new.label} keeps a finer date"
        old_bucket, new_bucket = old.param("bucket"), new.param("bucket")
        if old_bucket is not None and new_bucket is not None and new_bucket < old_bucket:
            return f"{old.label} -> {new.label} keeps narrower buckets"
        if (old_to is None) != (new_to is None) or (old_bucket is None) != (new_bucket is None):
            return None  # another kind of coarsening: the format rule reports it
    return None


def undeclared_loosened(old: str, new: str) -> bool:
    return UNDECLARED_RANK.get(new, 0) < UNDECLARED_RANK.get(old, 0)


# What an undeclared column goes through, per policy, for reports.
UNDECLARED_EFFECT = {
    "pass": "publishes it unchecked",
    "block": "dead-letters every record of the table",
    "detect": "withholds it until the detector clears it",
    "mask": "masks it",
    "drop": "drops it",
}
