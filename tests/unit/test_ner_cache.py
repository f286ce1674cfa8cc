"""NER results across and within batches: the digest-keyed cache is bounded (entries and
findings), keeps no raw text, evicts the least recently used; a batch analyses each
distinct text once even when the cache evicts it meanwhile."""

from __future__ import annotations

import pytest

from detectors.recognizers import Finding
from detectors.textscan import FindingsCache, TextScanner


def _found(n: int) -> list[Finding]:
    return [Finding("PERSON", i, i + 1, 0.85, "spacy") for i in range(n)]


class _CountingNer:
    """Finds one PERSON at the start of every text; counts the texts it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.calls = 0

    def analyze(self, texts: list[str]) -> list[list[Finding]]:
        self.calls += 1
        self.texts.extend(texts)
        return [[Finding("PERSON", 0, 4, 0.85, "spacy")] for _ in texts]

    def label_values(self, values: list[str]) -> list[str | None]:
        return [None for _ in values]

    def admit(self, texts: list[str]) -> list[None]:
        return [None for _ in texts]  # no budget


def test_cache_is_bounded_in_entries_and_evicts_least_recently_used() -> None:
    cache = FindingsCache(entries=3, findings=100)
    for t in ("a", "b", "c"):
        cache.put(t, _found(1))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", _found(1))
    assert len(cache) == 3
    assert cache.get("b") is None
    assert all(cache.get(t) is not None for t in ("a", "c", "d"))


def test_cache_is_bounded_in_findings_held() -> None:
    cache = FindingsCache(entries=100, findings=10)
    cache.put("a", _found(4))
    cache.put("b", _found(4))
    cache.put("c", _found(4))  # 12 > 10: the oldest goes
    assert cache.held == 8 and cache.get("a") is None
    cache.put("b", _found(1))  # replacing an entry recounts it
    assert cache.held == 5
    cache.put("huge", _found(11))  # more than the bound alone: not kept, nothing evicted
    assert cache.get("huge") is None and cache.held == 5 and len(cache) == 2


def test_cache_keeps_digests_not_texts() -> None:
    cache = FindingsCache()
    text = "Grace Hopper wrote to the bank about her card."
    cache.put(text, _found(1))
    keys = list(cache._by_digest)
    assert keys == [FindingsCache.digest(text)] and len(keys[0]) == 16
    assert cache.get(text) == _found(1) and cache.get(text + " ") is None


@pytest.mark.parametrize("cache_entries", [1000, 1])
def test_a_batch_analyses_each_distinct_text_once(cache_entries: int) -> None:
    ner = _CountingNer()
    scanner = TextScanner(ner=ner)  # type: ignore[arg-type]
    scanner._ner_cache = FindingsCache(entries=cache_entries)
    texts = [f"Anne {i % 5} wrote to the bank about her card today." for i in range(20)]
    scanner.begin_batch()
    for t in texts + texts:  # before and after of the same rows
        scanner.find(t)
    assert scanner.collected() == 40  # collected, not analysed
    scanner.analyse_pending()
    assert ner.calls == 1 and scanner.collected() == 0  # collecting stopped
    assert ner.calls == 1 and sorted(ner.texts) == sorted(set(texts))
    # the second pass finds every result, even with a cache of one entry
    assert all([f.entity for f in scanner.find(t)] == ["PERSON"] for t in texts)
    assert ner.calls == 1
    scanner.end_batch()
    # the next batch: every text is collected, cached or not (which records are read
    # again must not depend on the cache), but what the cache kept is not analysed
    # again (a cache of one keeps one of the 5 texts: the other 4 are)
    scanner.begin_batch()
    for t in texts:
        scanner.find(t)
    assert scanner.collected() == 20
    scanner.analyse_pending()
    assert ner.calls == (1 if cache_entries >= 5 else 2) and len(set(ner.texts)) == 5
    assert len(ner.texts) == (5 if cache_entries >= 5 else 9)
    assert all([f.entity for f in scanner.find(t)] == ["PERSON"] for t in texts)
    scanner.end_batch()
    assert scanner.collected() == 0


class _CountingRecognizer:
    """Finds 'SECRET' as a PERSON; counts the texts it read."""

    entity = "PERSON"

    def __init__(self) -> None:
        self.reads = 0

    def find(self, text: str) -> list[Finding]:
        self.reads += 1
        at = text.find("SECRET")
        return [Finding("PERSON", at, at + 6, 0.9, "count")] if at >= 0 else []

    def match_value(self, value: str) -> float | None:
        return None


def test_a_batch_scans_each_text_once_and_forgets_it_after() -> None:
    rec = _CountingRecognizer()
    scanner = TextScanner(recognizers=[rec], ner=None)  # type: ignore[list-item]
    text = "a note about SECRET in a sentence"
    scanner.begin_batch()
    first = [scanner.find(text) for _ in range(4)]  # before, after, and the second pass
    assert rec.reads == 1 and all(f == first[0] for f in first) and first[0][0].start == 13
    scanner.find(text, context="notes")  # another context is another scan
    assert rec.reads == 2
    scanner.end_batch()
    scanner.find(text)
    scanner.find(text)
    assert rec.reads == 2  # later batches: the digest-keyed scan cache remembers the findings
    short = "SECRET"
    scanner.find(short)
    scanner.find(short)
    assert rec.reads == 3  # a short cell is kept too (a column's values repeat)


def test_the_scan_cache_keeps_digests_and_only_texts_normalisation_leaves_alone() -> None:
    rec = _CountingRecognizer()
    scanner = TextScanner(recognizers=[rec], ner=None)  # type: ignore[list-item]
    plain = "a note about SECRET in a sentence, written plainly"
    folded = "a note about SECRET in a sentence, written in \uff26\uff55\uff4c\uff4c width"
    for text in (plain, plain, folded, folded):
        found = scanner.find(text)
        assert [(f.start, f.end) for f in found] == [(13, 19)]
    assert rec.reads == 3  # the plain text once; the folded one each time (its offsets map back)
    keys = list(scanner._scan_cache._by_digest)
    assert keys == [FindingsCache.digest(f"0:\x00{plain}")] and all(len(k) == 16 for k in keys)
    scanner.clear_cache()
    scanner.find(plain)
    assert rec.reads == 4


def test_the_scan_cache_is_bounded() -> None:
    rec = _CountingRecognizer()
    scanner = TextScanner(recognizers=[rec], ner=None)  # type: ignore[list-item]
    scanner._scan_cache = FindingsCache(entries=3, findings=100)
    texts = [f"note number {i} about SECRET, a long enough text" for i in range(5)]
    for text in texts:
        scanner.find(text)
    assert len(scanner._scan_cache) == 3 and rec.reads == 5
    scanner.find(texts[0])  # evicted, least recently used first
    scanner.find(texts[4])  # kept
    assert rec.reads == 6


def test_a_nul_in_a_context_or_a_text_never_makes_one_scan_read_as_another() -> None:
    """The scan cache's key holds the context's length: a JSON key scanned with its value
    as context ('\\x00' + card, then 'note') is no free text card + '\\x00note'."""
    scanner = TextScanner(ner=None)
    card = "4111 1111 1111 1111"  # a test card number
    assert [f.entity for f in scanner.find(card, prose=False)] == ["CREDIT_CARD"]
    scanner.clear_cache()
    scanner.find("note", prose=False, context="\x00" + card)
    found = scanner.find(card + "\x00note", prose=False)
    assert "CREDIT_CARD" in {f.entity for f in found}, "a card in free text read as a key scanned before"
    scanner.find("\x00" + card, prose=False, context="x")
    found = scanner.find(card, prose=False, context="x\x00")
    assert "CREDIT_CARD" in {f.entity for f in found}, "a card read as another context's text"


def test_a_stream_of_short_values_leaves_the_long_texts_scans_cached() -> None:
    rec = _CountingRecognizer()
    scanner = TextScanner(recognizers=[rec], ner=None)  # type: ignore[list-item]
    scanner._short_scan_cache.entries = 100  # a small bound: the test is quick
    note = "a long note about SECRET that a row carries in each of its updates"
    scanner.find(note)
    for i in range(3 * scanner._scan_cache.entries // 100):
        scanner.find(f"v{i}")  # distinct short values, more than either cache holds
    assert len(scanner._short_scan_cache) == 100
    reads = rec.reads
    scanner.find(note)
    assert rec.reads == reads, "the long note was scanned again"
    scanner.find("v0")
    assert rec.reads == reads + 1  # the first short value was evicted from its own cache
