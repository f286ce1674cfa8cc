"""Windows of whole groups inside a candidate that failed validation.

A greedy pattern takes stray digits next to a number into its candidate ("4111 1111
1111 1111 2 items", "7 +44 20 7946 0958"), and the candidate then fails its checksum or
parse: the number would pass unseen. The windows of whole groups inside the candidate
are tried instead, longest first, then leftmost. Candidates are short (a pattern bounds
them), so the windows are few.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def windows(text: str, start: int, end: int, group: re.Pattern[str], max_dropped: int) -> Iterator[tuple[int, int]]:
    """Spans of consecutive ``group`` matches inside ``text[start:end]``, dropping one
    to ``max_dropped`` groups in all from the ends."""
    spans = [(m.start(), m.end()) for m in group.finditer(text, start, end)]
    n = len(spans)
    for size in range(n - 1, max(0, n - max_dropped - 1), -1):
        for i in range(n - size + 1):
            yield spans[i][0], spans[i + size - 1][1]
