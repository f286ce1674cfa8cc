"""What the core asks of the value scanner (``detectors.textscan.TextScanner``): redaction
for ``redact_detected``, and NER batching for :meth:`Processor.process_batch`.

NER is the ceiling for free text and is several times faster on a batch than on one text
at a time, so a batch of records is read in two passes::

    scanner.begin_batch()          # texts that need NER are collected, not analysed
    ... process every record; scanner.collected() tells which records added texts ...
    scanner.analyse_pending()      # one NER call for what was collected; never raises
    ... process again the records that had such text: the results are at hand ...
    scanner.end_batch()            # the batch's refusals, results and scans go with it
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pipeline.core.treatments.operators import TextRedactor


class NerBatching(Protocol):
    @property
    def batches_ner(self) -> bool:
        """True when the scanner runs NER (batching then pays)."""
        ...

    def begin_batch(self) -> None:
        """A batch starts: scans are remembered, texts that need NER are collected."""
        ...

    def collected(self) -> int:
        """How many texts the open batch has collected for NER so far."""
        ...

    def analyse_pending(self) -> None:
        """Stop collecting and analyse the collected texts in one NER call. Never raises:
        a refused or failed text is raised again when its record asks for it."""
        ...

    def end_batch(self) -> None:
        """The batch ends (also after a failure): its refusals, results and scans go."""
        ...


@runtime_checkable
class ValueScanner(TextRedactor, NerBatching, Protocol):
    """The value scanner as the core sees it."""
