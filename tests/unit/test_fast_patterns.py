"""Patterns made faster match exactly what their plain forms match: factored word lists
(:mod:`detectors.recognizers.literal_trie`) and necessary-condition gates (lookaheads
that consume nothing) give the same spans and groups, on texts built from the shapes
they look for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.recognizers import address, address_block, names, street_cues, temporal
from detectors.recognizers.literal_trie import _top_level, factored

LISTS = {
    "en": address._EN_WORDS,
    "lead": address._LEAD_WORDS,
    "glued": address._GLUED_WORDS,
    "after": address._AFTER_WORDS,
    "unit": address_block.UNIT_WORDS,
    "name cues": names.BEFORE_WORDS,
    "one-name cues": names.CUE_WORDS,
    "street cues": street_cues.CUE_WORDS,
}
# What can follow a list word in the address patterns, and a few that force backtracking
# into shorter or longer alternatives.
CONTINUATIONS = ("", r"\.?\s+", r"(?![\w])", r"\s*,?\s+\d", "s", r"\.", "$")


def _literal(word: str) -> str:
    return re.sub(r"[()?:|]", "", word.replace("\\.", "."))


def _words() -> list[str]:
    return sorted({_literal(w) for words in LISTS.values() for w in _top_level(words)})


WORDS = _words()
_piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(WORDS).map(str.title),
    st.sampled_from(WORDS).map(lambda w: w[: len(w) // 2]),  # a prefix: alternatives part-match
    st.text(alphabet="abcdeglnorstuvzßäéö.-/ ,\n5\u212a\u017f", max_size=6),  # Kelvin K, long s: fold to k, s
)
texts = st.lists(_piece, max_size=12).map("".join)


def test_factoring_merges_common_prefixes() -> None:
    assert factored("rue|route|rambla") == "r(?:ue|oute|ambla)"
    assert factored("av|ave|avenue|avda") == "av(?:|e(?:|nue)|da)"  # "" a barrier: nothing moves past it
    assert factored("str\\.|straße") == "str(?:\\.|aße)"
    assert factored("bluffs?|bluff|brook") == "b(?:luff(?:s?|)|rook)"
    assert factored("meet(?: me| us)?|met|send") == "me(?:et(?: me| us)?|t)|send"  # a group ends a prefix


def test_first_characters_at_each_level_never_fold_together() -> None:
    """The premise of reordering: two different first characters of a level never match
    the same text character case-insensitively (checked over every list character
    against the whole Basic Multilingual Plane)."""
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    chars = sorted({c for w in WORDS for c in w})
    matched = {c: set(re.findall(f"(?i:[{re.escape(c)}])", every)) for c in chars}
    for i, a in enumerate(chars):
        for b in chars[i + 1 :]:
            assert not (matched[a] & matched[b]), (a, b)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_factored_lists_match_as_the_plain_alternations(text: str) -> None:
    for name, words in LISTS.items():
        fast = factored(words)
        for cont in CONTINUATIONS:
            plain = re.compile(f"(?i:(?P<w>{words}))(?P<c>{cont})")
            quick = re.compile(f"(?i:(?P<w>{fast}))(?P<c>{cont})")
            for pos in range(len(text) + 1):
                a, b = plain.match(text, pos), quick.match(text, pos)
                assert (a and (a.span("w"), a.span("c"))) == (b and (b.span("w"), b.span("c"))), (name, cont, pos)


def _plain_address_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The address pattern as it was: plain word lists, no gate."""
    source = pattern.pattern.replace(address._GLUED_GATE, "").replace(address_block.WEAK_STREET_GATE, "")
    for words in LISTS.values():
        source = source.replace(factored(words), words)
    return re.compile(source, pattern.flags)


_street_piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["Haupt", "Kalver", "Bahnhof", "Am ", "Berliner ", "Via Roma", "Calle Mayor", "Rua "]),
    st.sampled_from([" ", ", ", " , ", "\n", "  ", "\t", "-", "nº ", "n° ", "s/n", "S/N", "#", "x" * 45]),
    st.integers(0, 99999).map(str),
    st.text(alphabet="aAeßst.,-' 1\n", max_size=5),
)
streets = st.lists(_street_piece, max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(streets)
def test_address_patterns_match_as_before(text: str) -> None:
    for pattern in (
        address._NUMBER_LAST,
        address._NUMBER_FIRST,
        address._NUMBER_LEAD,
        address_block.UNIT,
        address_block.WEAK_STREET,
    ):
        plain = _plain_address_pattern(pattern)
        assert plain.pattern != pattern.pattern
        got = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert got == [(m.span(), m.groupdict()) for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(streets)
def test_glued_gate_is_necessary(text: str) -> None:
    """Wherever the glued shape matches, the gate holds at its start."""
    gate = re.compile(address._GLUED_GATE)
    for m in _plain_address_pattern(address._NUMBER_LAST).finditer(text):
        if m.group("glued"):
            assert gate.match(text, m.start("glued"))


@settings(max_examples=300, deadline=None)
@given(streets)
def test_weak_street_gate_is_necessary(text: str) -> None:
    gate = re.compile(address_block.WEAK_STREET_GATE)
    for m in _plain_address_pattern(address_block.WEAK_STREET).finditer(text):
        assert gate.match(text, m.start())


@settings(max_examples=300, deadline=None)
@given(texts)
def test_name_cue_patterns_find_as_before(text: str) -> None:
    for pattern, words in ((names._BEFORE, names.BEFORE_WORDS), (names._CUE_BEFORE, names.CUE_WORDS)):
        plain = re.compile(pattern.pattern.replace(factored(words), words), pattern.flags)
        assert plain.pattern != pattern.pattern
        for end in range(len(text) + 1):
            window = text[max(0, end - 24) : end]
            a, b = plain.search(window), pattern.search(window)
            assert (a and a.span()) == (b and b.span())


_list_piece = st.one_of(
    st.sampled_from(["Anne", "mary", "Jo-Ann", "O'Neil", "Marie-", "x'", "Łukasz", "José"]),
    st.sampled_from([", ", ",", " and ", " or ", " & ", ", and ", " ", "-", "'", "\n", "1"]),
)
name_lists = st.lists(_list_piece, max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(name_lists)
def test_name_list_pattern_matches_as_before(text: str) -> None:
    pattern = names.NameListRecognizer.pattern
    plain = re.compile(pattern.pattern.replace(names._ITEM_ONCE, names._ITEM))
    assert plain.pattern != pattern.pattern
    found = [(m.span(), m.group(0)) for m in pattern.finditer(text)]
    assert found == [(m.span(), m.group(0)) for m in plain.finditer(text)]
    if found:  # the prefilter is a necessary condition
        assert any(j in text for j in names.NameListRecognizer.joiners)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_street_cue_pattern_finds_as_before(text: str) -> None:
    pattern = street_cues._CUE
    plain = re.compile(pattern.pattern.replace(factored(street_cues.CUE_WORDS), street_cues.CUE_WORDS), pattern.flags)
    assert plain.pattern != pattern.pattern
    for t in (text, text.replace(" ", " on "), text.replace(" ", " at ")):
        assert [m.span() for m in pattern.finditer(t)] == [m.span() for m in plain.finditer(t)]


def test_gate_examples() -> None:
    find = address.AddressRecognizer().find
    assert [text[f.start : f.end] for text in ["wohnt in der Hauptstraße 5"] for f in find(text)] == ["Hauptstraße 5"]
    assert find("Kalverstraat, nº 92 is the shop") != []
    assert find("the Hauptstraße is long and 5 people live there") == []


_date_piece = st.one_of(
    st.sampled_from(["Oct", "October", "Oktober", "janv", "Mär", "abcdefghijk", "de", "born", "17th", "T00:00"]),
    st.sampled_from([" ", ". ", ".", "/", "-", ", ", "\n", ":"]),
    st.integers(0, 2100).map(str),
    st.sampled_from(["1966", "19661017", "2001", "12", "3"]),
)
dates = st.lists(_date_piece, max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(dates)
def test_date_pattern_matches_as_before(text: str) -> None:
    plain = re.compile(temporal._DATE.pattern.replace(temporal.DATE_GATE, ""))
    assert plain.pattern != temporal._DATE.pattern
    found = [(m.span(), m.groupdict()) for m in temporal._DATE.finditer(text)]
    assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)]


DIGIT_FREE = st.text(
    alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="\x00"), max_size=40
) | st.lists(
    st.sampled_from(["bc", "q", "Oct", "October", "GB", "DE", "ext", "x", "+", "(", ")", "-", ".", " ", "/", ":", "a"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(DIGIT_FREE)
def test_digit_prefilter_is_necessary(text: str) -> None:
    """A recognizer that skips texts without a digit: its pattern cannot match one."""
    from detectors.recognizers import default_recognizers

    gated = [r for r in default_recognizers() if r.needs_digit]
    assert {r.name for r in gated} >= {"credit_card", "iban", "us_ssn", "phone", "date_of_birth", "crypto"}
    for rec in gated:
        assert not any(rec.pattern.finditer(text)), rec.name
        assert not any(rec.pattern.finditer(f"{text} {text.upper()}")), rec.name


def test_digit_prefilter_keeps_digits_of_any_script() -> None:
    from detectors.recognizers.contact import PhoneRecognizer

    assert PhoneRecognizer()._prefilter("call \u0664\u0661\u0665")  # Arabic-Indic digits are \d too
