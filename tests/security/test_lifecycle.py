"""The lifecycle scenarios through file mode (``cdr process``), judged as ledger cases:
no planted value in any CDR file, header, dead-letter header, log or metric of any step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.cases.lifecycle import SCENARIOS
from tests.security.ledger import LOGS, TALLY, judge
from tests.security.lifecycle import Scenario, run_scenario

pytestmark = pytest.mark.security


PARAMS = [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=s.known_leak)) if s.known_leak else s for s in SCENARIOS
]


@pytest.mark.parametrize("scenario", PARAMS, ids=[s.id for s in SCENARIOS])
def test_lifecycle(scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = scenario.as_case()
    seen = run_scenario(scenario, tmp_path, monkeypatch)
    problems: list[str] = []
    if scenario.refused is not None:
        # Refused at start-up (exit 3, ``file:line: what is wrong``), nothing written.
        if seen.crash != "cdr process exited 3 (step 0)":
            problems.append(f"{case.id}: not refused at start-up ({seen.crash or 'it ran'})")
        if f"{scenario.refused}:" not in "".join(str(b) for b in seen.blobs[LOGS]):
            problems.append(f"{case.id}: the refusal does not name {scenario.refused}")
        seen.crash, seen.inputs = None, []
    elif scenario.must_publish:
        lost = len(set(seen.inputs) - seen.published)
        if lost:
            problems.append(f"{case.id}: {lost} of {len(set(seen.inputs))} input records never published")
    problems += judge(case, seen)
    TALLY.record(case.id, case.attack, "file", problems)
    if problems:
        pytest.fail(f"[lifecycle] {scenario.description}:\n" + "\n".join(problems), pytrace=False)
