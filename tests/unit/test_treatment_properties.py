"""Properties of the treatment operators over generated values (hypothesis): a treated
value never equals its input, and redaction of free text never leaves a planted value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.textscan import TextScanner
from pipeline.core.treatments.operators import build_operator
from pipeline.core.treatments.spec import TreatmentSpec
from tests.support import KEY

TEXT = {"type": "string", "field": "c"}
_SCANNER = TextScanner()

# Every treatment that promises to change what goes out (pass and tag keep the value).
SPECS = [
    TreatmentSpec("hash"),
    TreatmentSpec("redact"),
    TreatmentSpec("null"),
    TreatmentSpec("withhold"),
    TreatmentSpec("mask"),
    TreatmentSpec("mask", (("keep_last", 4),)),
    TreatmentSpec("mask", (("keep_first", 2), ("keep_last", 2))),
]
# A value holding the mask character can come out equal ('0*' masked is '0*'): nothing of
# it was hidden that was not already a star, so such values are outside the property.
values = st.text(min_size=1, max_size=64).filter(lambda s: "*" not in s and s != "<REDACTED>")


@settings(max_examples=300, deadline=None)
@given(value=values, spec=st.sampled_from(SPECS))
def test_a_treated_value_never_equals_its_input(value: str, spec: TreatmentSpec) -> None:
    out = build_operator(spec, KEY).apply(value, TEXT)
    assert out != value, f"{spec.label} returned its input unchanged"


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=-(10**18), max_value=10**18), spec=st.sampled_from(SPECS))
def test_a_treated_number_never_equals_its_input(value: int, spec: TreatmentSpec) -> None:
    out = build_operator(spec, KEY).apply(value, {"type": "int64", "field": "c"})
    assert out != value and out != str(value), f"{spec.label} returned its input unchanged"


local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=12)
around = st.text(alphabet="abcdefghij klmnop,.;:!?", max_size=40)


@settings(max_examples=200, deadline=None)
@given(user=local, before=around, after=around)
def test_redacting_free_text_never_leaves_a_planted_email(user: str, before: str, after: str) -> None:
    email = f"{user}@example.org"
    out = build_operator(TreatmentSpec("redact_detected"), KEY, _SCANNER).apply(f"{before} {email} {after}", TEXT)
    assert email not in out, "a planted e-mail survived redaction"
