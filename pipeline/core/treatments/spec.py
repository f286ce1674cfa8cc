"""A treatment as a declaration or the config names it, parsed and checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("pass", "drop", "null", "redact", "mask", "hash", "generalize", "redact_detected", "tag")

# Used by the pipeline itself, never written in a declaration: a column the detector
# has not cleared yet.
WITHHOLD = "withhold"


@dataclass(frozen=True, slots=True)
class TreatmentSpec:
    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, name: str, default: Any = None) -> Any:
        for key, value in self.params:
            if key == name:
                return value
        return default

    @property
    def label(self) -> str:
        """Short text for headers and reports, e.g. ``mask(keep_last=4)``."""
        if not self.params:
            return self.kind
        inner = ",".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}({inner})"

    def as_data(self) -> Any:
        return self.kind if not self.params else {self.kind: dict(self.params)}


PASS = TreatmentSpec("pass")


def parse_treatment(raw: Any) -> TreatmentSpec:
    """``"hash"`` or ``{"mask": {"keep_last": 4}}``. Raises ValueError with a message
    fit for ``file:line: message``."""
    if isinstance(raw, str):
        if raw not in KINDS:
            raise ValueError(f"unknown treatment {raw!r}; expected one of {', '.join(KINDS)}")
        if raw == "generalize":
            raise ValueError(
                "generalize needs a parameter: {generalize: {to: year|month|day}}, "
                "{generalize: {bucket: N}} or {generalize: {prefix: N}}"
            )
        return TreatmentSpec(raw)
    if isinstance(raw, dict) and len(raw) == 1:
        kind, params = next(iter(raw.items()))
        if kind not in KINDS:
            raise ValueError(f"unknown treatment {kind!r}; expected one of {', '.join(KINDS)}")
        params = params or {}
        if not isinstance(params, dict):
            raise ValueError(f"parameters of {kind} must be a mapping")
        _check_params(kind, params)
        return TreatmentSpec(kind, tuple(sorted(params.items())))
    raise ValueError("treatment must be a name such as hash, or a mapping such as {mask: {keep_last: 4}}")


def _check_params(kind: str, params: dict[str, Any]) -> None:
    allowed: dict[str, tuple[str, ...]] = {
        "mask": ("keep_first", "keep_last", "char"),
        "redact": ("text",),
        "generalize": ("to", "bucket", "prefix"),
    }
    names = allowed.get(kind, ())
    for key in params:
        if key not in names:
            hint = f"; allowed: {', '.join(names)}" if names else "; it takes none"
            raise ValueError(f"{kind} has no parameter {key!r}{hint}")
    if kind == "mask":
        for key in ("keep_first", "keep_last"):
            value = params.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"mask {key} must be a whole number >= 0")
        char = params.get("char", "*")
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError("mask char must be a single character")
    elif kind == "redact":
        if not isinstance(params.get("text", ""), str):
            raise ValueError("redact text must be a string")
    elif kind == "generalize":
        if len(params) != 1:
            raise ValueError("generalize takes exactly one of to, bucket, prefix")
        if "to" in params and params["to"] not in ("year", "month", "day"):
            raise ValueError("generalize to must be year, month or day")
        if "bucket" in params:
            bucket = params["bucket"]
            if isinstance(bucket, bool) or not isinstance(bucket, int | float) or bucket <= 0:
                raise ValueError("generalize bucket must be a number > 0")
        if "prefix" in params:
            prefix = params["prefix"]
            if isinstance(prefix, bool) or not isinstance(prefix, int) or prefix < 1:
                raise ValueError("generalize prefix must be a whole number >= 1")
