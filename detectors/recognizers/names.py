"""Person names in free text that the small spaCy model misses or mislabels:

- two or three capitalised words next to words that introduce a person ("spoke with",
  "escalate to", "... asked");
- the same words without a cue when the first is a known first name and the last a
  known surname (the census lists of :mod:`detectors.recognizers.person`);
- an honorific and one to three capitalised words ("Mr. Smith", "Dr Amara Okonkwo");
- two or three capitalised words in a sentence that are names by the lists or written
  like names and no English word ("Tünde Hoffmann", "Marisa Alves");
- one name after a cue ("my name is Eliane", "shouted at Scott", "Vinka: ..." as a
  speaker), or a known first name inside a sentence ("my kid Florence");
- lists of first names ("Efimiya, Mary, Ariana, Isabel and Jodi", any case).

Letters are every Latin letter (Ł, Č, Ó, ð...), not only ASCII.

Whole column values are scored by :func:`detectors.recognizers.person.person_value_score`
and :func:`~detectors.recognizers.person.known_name_fraction`, not by ``match_value``:
a value recogniser hit would stop the profiler asking NER about the value."""

from __future__ import annotations

import re

from detectors.english import is_english, is_function_word, is_spoken_word
from detectors.recognizers.address import is_street_type
from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.literal_trie import factored
from detectors.recognizers.person import (
    KNOWN,
    SHAPED,
    is_common_surname,
    is_first_name,
    is_top_surname,
    known_pair,
    name_token,
    person_value_score,
)
from detectors.recognizers.placenames import NOT_PERSON_WORDS, PLACES
from detectors.vocabulary import CALENDAR_WORDS


def _letter_class(upper: bool) -> str:
    """A character class of the Latin letters (Basic to Extended-B) of one case."""
    chars = [
        chr(c) for c in range(0x41, 0x250) if chr(c).isalpha() and (chr(c).isupper() if upper else chr(c).islower())
    ]
    ranges: list[str] = []
    start = prev = chars[0]
    for ch in [*chars[1:], "\uffff"]:
        if ord(ch) == ord(prev) + 1:
            prev = ch
            continue
        ranges.append(start if start == prev else f"{start}-{prev}")
        start = prev = ch
    return "[" + "".join(ranges) + "]"


_UPPER = _letter_class(upper=True)
_LOWER = _letter_class(upper=False)
# A capitalised name word: Anne, O'Brien, Anne-Marie, Łukasz, Ásgeirsdóttir
_WORD = rf"(?:{_UPPER}['\u2019])?{_UPPER}{_LOWER}+(?:-{_UPPER}{_LOWER}+)?"

# The end of a name: no more letters, and no apostrophe except a possessive ('Asya's kid')
_END = r"(?!\w)(?!['\u2019](?!s\b))"

_NOT_NAMES = CALENDAR_WORDS | frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "please",
        "thanks",
        "thank",
        "dear",
        "hi",
        "hello",
        "customer",
        "client",
        "ticket",
        "her",
        "his",
        "their",
        "our",
        "your",
        "my",
        "refund",
        "reply",
        "call",
        "called",
        "closing",
        "follow",
        "no",
        "yes",
        "spoke",
        "ssn",
        "iban",
        "card",
        "visa",
        "mastercard",
        "support",
        "team",
        "branch",
        "bank",
        "account",
        "invoice",
        "order",
        "new",
        "street",
        "road",
        "avenue",
    ]
)
# Cue words are factored by common prefixes (the same matches in fewer attempts at each
# of the window's positions: :mod:`detectors.recognizers.literal_trie`).
BEFORE_WORDS = (
    "with|to|from|by|for|contact|cc|mr|mrs|ms|miss|dr|prof|customer|client|dear|hi|hello|"
    "called|emailed|named|name is|signed|owner|holder|agent"
)
_BEFORE = re.compile(
    r"(?:\b(?:" + factored(BEFORE_WORDS) + r")\.?\s+)$",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r" ([^\W\d_][\w.]*)")
_LINE_START = re.compile(r"(?:^|\n)[\s>|*-]*$")
_LINE_END = re.compile(r"[ \t]*(?:\r?\n|$)")
_AFTER = re.compile(
    r"^(?:\s+(?:asked|called|said|wrote|requested|confirmed|phoned|emailed|complained|reported|visited|"
    r"mentioned|wants|needs|is|was|has|had|will|would)\b|['\u2019]s\b)",
    re.IGNORECASE,
)


class PersonNameRecognizer(Recognizer):
    reads_key_as_context = False  # a key called 'name' is no cue
    entity = "PERSON"
    name = "person_name"
    pattern = re.compile(rf"(?<![\w']){_WORD}(?: {_UPPER}\.?)?(?: {_WORD}){{1,2}}{_END}")

    def validate(self, match: re.Match[str]) -> float | None:
        words = [w for w in match.group(0).split() if len(w.rstrip(".")) > 1]  # initials aside
        if words[0].lower() in _NOT_NAMES or words[-1].lower() in _NOT_NAMES:
            return None
        if any(w.lower() in NOT_PERSON_WORDS for w in words) or match.group(0).lower() in PLACES:
            return None  # "Northern Ireland", "Rose Bowl", "Sales Team"
        text = match.string
        before = text[max(0, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 16]
        following = _NEXT_WORD.match(after)
        if following is not None and is_street_type(following.group(1)):
            return None  # 'Isaac Lodge Street', 'Grace Kelly Avenue': a street named after someone
        if _BEFORE.search(before) or _AFTER.match(after):
            return 0.9
        # a bare value is the profiler's to judge; look at a bounded window, not the whole text
        window = text[max(0, match.start() - 40) : match.start()] + " " + after
        in_text = len(window.split()) >= 3 or "\n" in window
        if not in_text:
            return None
        if known_pair(words[0], words[-1]) and (person_value_score(match.group(0)) or 0.0) >= 0.9:
            return 0.86  # a known first name and a known surname: a person, whatever NER says
        kinds = [name_token(w) for w in words]
        if all(_ordinary(w) for w in words) and not is_first_name(words[0]):
            return None  # 'Credit-Builder Loan', 'Home Equity': words, not names
        if all(k in (KNOWN, SHAPED) for k in kinds):
            if KNOWN in kinds:
                return 0.65  # 'Tünde Hoffmann': names by the lists, or written like names
            if not any(_ordinary(w) for w in words):
                return 0.55  # 'Edvard Petrussen': written like names, no English word in them
            if _LINE_START.search(before) and _LINE_END.match(after):
                return 0.6  # a line of its own, of name-shaped words only: 'Einojuhani Pyysalo'
        if kinds[0] == KNOWN and not _ordinary(words[0]) and len(words) == 2 and _word_form(words[1]) == "title":
            # 'Auguste Comte', 'Antoine Lavoisier': a name by the lists that is no English
            # word, then a surname the English lexicon holds because it is a famous one
            # (WordNet lists people); under NER's score, so a place NER reads stays a place
            return 0.6
        return None

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the profiler's NER votes decide


# Lower-case particles inside a name: 'Charles de Gaulle', 'Ludwig van Beethoven', 'Maria
# dos Santos', 'Anna van der Berg' (one or two in a row).
_PARTICLE = r"(?:van|von|de|der|den|del|della|delle|di|da|das|dos|du|des|le|la|ten|ter|bin|binti|ibn|zu)"


class ParticleNameRecognizer(Recognizer):
    """A name with lower-case particles between its words: a known first name (or two
    name words) then one or two particles and a capitalised word ('Charles de Gaulle',
    'Johan van der Berg', 'Pánfilo de Narváez'). The particles split the name for the
    other recognizers, which find its pieces at best. Scored under NER (0.85), so a
    place NER reads in the same words ('Sierra de Guadarrama') stays a place."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "particle_name"
    pattern = re.compile(rf"(?<![\w'\u2019]){_WORD}(?: {_WORD})?(?: {_PARTICLE}){{1,2}} {_WORD}{_END}")

    def validate(self, match: re.Match[str]) -> float | None:
        words = match.group(0).split()
        names = [w for w in words if w[0].isupper()]
        first, last = names[0], names[-1]
        if first.lower() in _NOT_NAMES or last.lower() in _NOT_NAMES or match.group(0).lower() in PLACES:
            return None
        if any(w.lower() in NOT_PERSON_WORDS or w.lower() in PLACES for w in names):
            return None  # 'Banco de Portugal', 'Costa del Sol'
        following = _NEXT_WORD.match(match.string[match.end() : match.end() + 16])
        if following is not None and (
            is_street_type(following.group(1)) or following.group(1).lower() in NOT_PERSON_WORDS
        ):
            return None  # 'Charles de Gaulle Airport', 'Pieter de Hooch Street'
        if is_first_name(first):
            return 0.8
        if all(name_token(w) in (KNOWN, SHAPED) for w in (first, last)):
            return 0.7  # 'Pánfilo de Narváez': name-shaped words on both sides
        return None

    def match_value(self, value: str) -> float | None:
        return None  # whole values: person_value_score


class HonorificNameRecognizer(Recognizer):
    """An honorific followed by one to three capitalised words: Mr. Smith, Dr Jane Doe."""

    entity = "PERSON"
    name = "honorific_name"
    pattern = re.compile(
        r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Sig|Dott)\.?"
        rf" (?:{_UPPER}\. )?{_WORD}(?: {_WORD}){{0,2}}{_END}"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        words = match.group(0).split()
        if any(w.lower() in _NOT_NAMES for w in words[1:]):
            return None
        return 0.85

    def match_value(self, value: str) -> float | None:
        return None  # whole values: person_value_score


class InitialNameRecognizer(Recognizer):
    """One or two initials and a surname ('Approved by K. Osei', 'J. R. Okafor'): how a
    person signs or is cited. The surname must be one of the most frequent surnames
    ('J. Smith'), or no English word ('J. Crew' is not read) and no place's or
    organisation's word."""

    entity = "PERSON"
    name = "initial_name"
    needs = "."
    pattern = re.compile(rf"(?<![\w.])(?:{_UPPER}\. ?){{1,2}}({_WORD}){_END}")

    def validate(self, match: re.Match[str]) -> float | None:
        word = match.group(1)
        if is_top_surname(word):
            return 0.7
        if _ordinary(word) or not _plain_word(word):
            return None
        return 0.7

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the guard's checks (an initial and a known surname)


CUE_WORDS = (
    r"name is|name:|name -|name\?|named|called|i am|i'm|this is|call me|calls me|called me|shouted at|said|"
    r"says|told|asked|met|married|kid|son|daughter|wife|husband|child|friend|brother|sister|mother|father|"
    r"colleague|boss|dear|hi|hello|thanks|regards"
)
_CUE_BEFORE = re.compile(
    r"(?:\b(?:" + factored(CUE_WORDS) + r")\s+)$",
    re.IGNORECASE,
)
_WEAK_CUE_BEFORE = re.compile(r"(?:\b(?:with|to|from|by|for|cc)\s+)$", re.IGNORECASE)
_CUE_AFTER = re.compile(
    r"^(?:\s+(?:asked|began|started|wrote|writes|said|says|told|shouted|lives|lived|works|worked|died|was born|"
    r"married|joined|left|went|became|just|has|had|is|was|will|would|called|emailed|phoned)\b|'s\b)",
    re.IGNORECASE,
)
_SPEAKER = re.compile(r"(?:^|\n)[\s>]*$")  # a name at the start of a line ...
_VOCATIVE_AFTER = re.compile(r",[ \t]+\w")  # ... or a comma and what is said to them
_DRAWN_OUT = re.compile(r"(\w)\1\1", re.IGNORECASE)  # 'Sooo', 'Nooo': a word drawn out, no name
_SPEAKER_AFTER = re.compile(r":\s*[\"“'\w]")  # ... then a colon and what they say
_CAPITALISED_NEXT = re.compile(rf"\s{_UPPER}")
_CAPITALISED_BEFORE = re.compile(rf"{_UPPER}{_LOWER}*\.?\s$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"\u201c(]\s*|\s[-\u2013\u2014]\s*)$")


def _ordinary(word: str) -> bool:
    """An English word, or a hyphenated compound of them ('Credit-Builder')."""
    parts = [p for p in word.lower().split("-") if p]
    return bool(parts) and all(is_english(p) for p in parts)


def _plain_word(word: str) -> bool:
    """Not a function word, a calendar word, a place or an organisation's word."""
    low = word.lower()
    return not (low in _NOT_NAMES or low in NOT_PERSON_WORDS or low in PLACES or is_function_word(low))


class CuedNameRecognizer(Recognizer):
    """One capitalised name word: after or before a cue ('my name is Eliane', 'shouted
    at Scott', 'Rintanen began writing'), as a speaker at the start of a line ('Vinka:
    What a wife.'), or a known first name inside a sentence ('my kid Florence'). Words
    that are ordinary English (lower-case in the lists' sense), places and the words of
    organisations and products are left alone."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "cued_name"
    pattern = re.compile(rf"(?<![\w'\u2019-]){_WORD}(?!-){_END}")
    min_text_score = 0.5

    def validate(self, match: re.Match[str]) -> float | None:
        word = match.group(0)
        if not _plain_word(word) or is_spoken_word(word):
            return None  # 'Lol, ...', 'Hey': a chat word, no name
        kind = name_token(word)
        if kind not in (KNOWN, SHAPED):
            return None
        text = match.string
        before = text[max(0, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 16]
        if _CUE_BEFORE.search(before) or _CUE_AFTER.match(after):
            return 0.9
        if _WEAK_CUE_BEFORE.search(before):
            return 0.8
        if _SPEAKER_AFTER.match(after) and _SPEAKER.search(before):
            return 0.75
        addressed = _VOCATIVE_AFTER.match(after) and _SPEAKER.search(before)
        if addressed and not _ordinary(word) and not _DRAWN_OUT.search(word):
            return 0.7  # at a line's start: 'Isadora, you were right'; not 'Sooo, ...', 'Wait, ...'
        if (
            kind == KNOWN
            and is_first_name(word)
            and not _SENTENCE_START.search(before)
            and not _CAPITALISED_NEXT.match(after)
            and not _CAPITALISED_BEFORE.search(before)
        ):
            return 0.6  # a first name alone where no sentence starts: a person ('Grace Street' is not)
        return None

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the profiler's name tokens decide


_TEXT_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_NAME_WORD_WINDOW = 40  # characters either side a name word's text is read in


def _word_form(word: str) -> str | None:
    """How a word is written: ``title`` (Marisol, O'Neil, Smith-Jones), ``upper``,
    ``lower``, or None (camel case: a handle or a product, iPhone, MacArthur aside)."""
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    parts = [p for p in re.split(r"['\u2019-]", word) if p]
    return "title" if all(p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts) else None


class NameWordRecognizer(Recognizer):
    """One word of a text that the census lists know as a name and English does not,
    in any case it is written: 'Marisol, you should...', 'not a Pemberton fan', 'THANK
    YOU NADINE', 'wow rosalind is so funny'. Capitalised or in capitals (four letters or more):
    a known first name or a common surname. Lower case: a known first name only, with an
    English word or the text's edge on each side (a lower-case surname alone, or a word
    between words of another language, is as often no name). English words ('Grace',
    'Hunter', 'Baker'), interjections ('Hey'), places, calendar words and the words of
    organisations are left to the recognizers with cues and to NER; so is a word that
    starts a street or an organisation's name ('Pemberton Street', 'Castellano Group')."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "name_word"
    pattern = re.compile(r"(?<![\w'\u2019@#/-])[^\W\d_]{3,}(?:['\u2019-][^\W\d_]+)?(?![\w@/-])" + _END)

    def validate(self, match: re.Match[str]) -> float | None:
        word = match.group(0)
        form = _word_form(word)
        if form is None or (form != "title" and len(word) < 4):
            return None  # camel case; a short acronym ('CEO', 'USB') or a short lower-case word
        if "-" in word and not is_first_name(word.split("-", 1)[0]):
            return None  # 'Lockhart-Quintero', two surnames: a firm's name as often as a person's
        if not _plain_word(word) or _ordinary(word) or is_spoken_word(word):
            return None
        known_first = is_first_name(word)
        if not known_first and (form == "lower" or not is_common_surname(word)):
            return None
        text = match.string
        before = _TEXT_WORD.findall(text[max(0, match.start() - _NAME_WORD_WINDOW) : match.start()])
        after = _TEXT_WORD.findall(text[match.end() : match.end() + _NAME_WORD_WINDOW])
        if len(before) + len(after) < 2:
            return None  # a bare value or a pair of words: the profiler's to judge
        if not any(w.islower() and not is_function_word(w) for w in before + after) and not all(
            w.isupper() for w in before + after
        ):
            return None  # among capitalised words only: a title or a place ('Port Alphonse and the Outer Isles')
        head = text[max(0, match.start() - _NAME_WORD_WINDOW) : match.start()].rstrip(" ")
        previous = before[-1] if before and head.endswith(before[-1]) else ""
        capitalised_word = previous[:1].isupper() and _ordinary(previous) and not is_function_word(previous)
        if capitalised_word and not _SENTENCE_START.search(head[: -len(previous)]):
            return None  # after a capitalised word in a sentence: 'Tropical Storm Marisol', 'Aunt Nadine'
        if (
            after
            and not is_function_word(after[0])
            and (is_street_type(after[0]) or after[0].lower() in NOT_PERSON_WORDS)
        ):
            return None  # 'Pemberton Street', 'Castellano Group'; not 'Nadine for'
        if form == "lower" and not all(_english_neighbour(w) for w in before[-1:] + after[:1]):
            return None  # a word between words of another language
        return 0.86  # above NER (0.85): where NER calls a name word a place, it stays a person

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the profiler's name tokens decide


def _english_neighbour(word: str) -> bool:
    return is_function_word(word) or is_spoken_word(word) or _ordinary(word)


_ITEM = r"[^\W\d_]+(?:[-'][^\W\d_]+)?"
_ITEM_WORD = re.compile(_ITEM)
_ITEM_ONCE = f"(?>{_ITEM})"


class NameListRecognizer(Recognizer):
    """A list of people, any case: 'Efimiya, Mary, Ariana, Isabel, Teresa and Jodi',
    'leonti, terrence, pamela, donna and brian', 'Usamov and Bowers'. Each item is a
    finding when at least half of three or more items are known first names, or when
    capitalised items are all names or name-shaped and half of them known (colours,
    fruit, cities and companies are not)."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "name_list"
    # Each item atomic: what follows an item (", ", " and", the end) is no letter, hyphen
    # or apostrophe, so an item is always the longest it can be; the engine need not try
    # it shorter at every start (the same matches).
    pattern = re.compile(rf"(?<![\w'-]){_ITEM_ONCE}(?:, {_ITEM_ONCE}){{0,30}},? (?:and|or|&) {_ITEM_ONCE}(?![\w'-])")
    #: a list needs one of these: a necessary condition, tested before the pattern runs.
    joiners = (" and ", " or ", " & ")

    def _items(self, match: re.Match[str]) -> list[tuple[int, int]] | None:
        items = [(m.start(), m.end()) for m in _ITEM_WORD.finditer(match.group(0))]
        words = [match.group(0)[a:b] for a, b in items]
        names = [w for w in words if w.lower() not in ("and", "or")]
        spans = [(match.start() + a, match.start() + b) for (a, b), w in zip(items, words, strict=True) if w in names]
        if len(names) < 2 or any(not _plain_word(w) for w in names):
            return None
        text = match.string
        phrase = _CAPITALISED_BEFORE.search(
            text[max(0, match.start() - 24) : match.start()]
        ) or _CAPITALISED_NEXT.match(text[match.end() : match.end() + 2])
        if all(w[0].isupper() for w in names) and not phrase:
            # 'Monjeau, Graves and Reed', 'Usamov and Bowers': names or name-shaped, some
            # known; not the ends of longer names ('Personal Loan, and Home Equity Loan')
            kinds = [name_token(w) for w in names]
            if all(k in (KNOWN, SHAPED) for k in kinds) and kinds.count(KNOWN) * 2 >= len(kinds):
                return spans
        if len(names) < 3:
            return None
        known = sum(is_first_name(w) for w in names)
        return spans if known * 2 >= len(names) else None

    def find(self, text: str) -> list[Finding]:
        out = []
        if not any(j in text for j in self.joiners):
            return out  # the pattern's ",? (?:and|or|&) " cannot match
        for m in self.pattern.finditer(text):
            spans = self._items(m)
            for start, end in spans or ():
                out.append(Finding(self.entity, start, end, 0.9, self.name))
        return out

    def match_value(self, value: str) -> float | None:
        return None


_ANY_WORD = r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)?"


class LabelledNameRecognizer(Recognizer):
    """A name in any case after a label that says it is one: 'my name is vitoria',
    'name: hyuuma t. maida', 'mr. elliott', 'ms. Quinzia'. Up to three words (and
    initials); function words and ordinary English words end it."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "labelled_name"
    pattern = re.compile(
        rf"(?:\bname(?: is|:|\?)|\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?)[ \t]+"
        rf"({_ANY_WORD}(?:[ \t]+(?:{_ANY_WORD}|[^\W\d_]\.?)){{0,3}})",
        re.IGNORECASE,
    )

    def find(self, text: str) -> list[Finding]:
        out = []
        for m in self.pattern.finditer(text):
            start = end = m.start(1)
            initial = False
            for i, w in enumerate(re.finditer(r"\S+", m.group(1))):
                word = w.group(0).rstrip(".,;:!?")
                if len(word) == 1:
                    initial = True  # counts once a name word follows it
                    continue
                if not _plain_word(word):
                    break
                if i:
                    # after the first word: a name by the lists, or shaped like one when
                    # capitalised or after an initial ('hyuuma t. maida')
                    kind = name_token(word.title() if word.islower() else word)
                    if kind != KNOWN and not (kind == SHAPED and (initial or not word.islower())):
                        break
                end = start + w.start() + len(word)
                initial = False
            if end > start:
                out.append(Finding(self.entity, start, end, 0.85, self.name))
        return out

    def match_value(self, value: str) -> float | None:
        return None


_CASE_FREE_WORD = r"[^\W\d_]+"


class LowerCaseNameRecognizer(Recognizer):
    """A full name not written in title case inside a text: a known first name, an
    optional initial, and a surname, in lower case or with one of the two capitalised
    ('naomi ryan', 'patricia desrosiers', 'benjamin a seiler', 'Alphonse fairweather',
    'marisol Lockhart'). The surname is known and no English word, or unknown to the lists and to
    English; or a common surname that is also a word ('alphonse smith') after a first name
    that is no English word. 'grace and', 'bill payment' and 'rose garden' are not names,
    nor is 'grace hill' (both words English)."""

    reads_key_as_context = False  # a key called 'name' is no cue

    entity = "PERSON"
    name = "lower_case_name"
    # zero-width at each word start, so 'with patricia desrosiers' is tried at 'patricia'
    pattern = re.compile(rf"(?<![\w'])(?=({_CASE_FREE_WORD}(?: [a-zA-Z]\.?)? {_CASE_FREE_WORD}){_END})")

    def find(self, text: str) -> list[Finding]:
        out = []
        for m in self.pattern.finditer(text):
            words = m.group(1).split()
            first, last = words[0], words[-1]
            forms = (_word_form(first), _word_form(last))
            if "lower" not in forms or None in forms or "upper" in forms:
                continue  # title case is PersonName's; camel case and capitals are no names here
            if len(first) < 2 or len(last) < 3 or not is_first_name(first) or not _plain_word(last):
                continue
            if not _plain_word(first) or is_spoken_word(last):
                continue
            if forms[1] == "lower" and forms[0] == "title" and name_token(last.title()) != KNOWN:
                continue  # 'Marisol arrived': a capitalised word then any word is not a name
            if forms[0] == "lower" and forms[1] == "title" and _ordinary(first):
                continue
            if _ordinary(last):
                # 'bill payment', 'rose garden'; but 'alphonse smith': a surname that is a word
                # too, after a first name that is none
                if len(first) < 3 or _ordinary(first) or not is_common_surname(last):
                    continue
            elif name_token(last.title()) not in (KNOWN, SHAPED):
                continue
            out.append(Finding(self.entity, m.start(1), m.end(1), 0.6, self.name))
        return out

    def match_value(self, value: str) -> float | None:
        return None
