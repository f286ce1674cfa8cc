"""Street addresses as whole values and inside text, in the shapes of several countries.

Three shapes, each anchored on a house number and a street-type word, because a street
type alone ("Main", "Park", "Rose") says nothing and a number alone says less:

- number first, type last (US/UK/CA/AU/IE): ``462 Rose Lane``, ``6649 N Blue Gum St``,
  ``64 5th Ave #1153``, ``Flat 3, 12 High Street``;
- number first, type first (FR): ``12 rue de la Paix``, ``8 bis, avenue Foch``;
- type first or glued, number last (DE/AT/CH/NL/ES/IT/PT): ``Theodor-Heuss-Straße 34``,
  ``Kalverstraat 92``, ``Via Roma 12``, ``Calle Mayor 5, 2º B``, ``Rua Augusta 100``;
- post-office boxes in English, German, French, Spanish, Italian and Dutch.

Validation rejects what shares the shape: versions and amounts (a number glued to ``.``,
``$``, ``v``), counts and units ("42 ct", "3 Way"), sentences ("20 dollars on the way":
function words are not street names), and long runs of words. A whole value may carry a
unit, a city, a region and a postal code after the street; nothing else.

In text, a street found by these shapes is grown into its whole address block (unit,
place, postal code and country lines, a leading house number, the corner of two streets;
see :mod:`detectors.recognizers.address_block`), and a name-and-number line without a
type word ("Tylova 285") counts when its block shows it is an address.

Chosen over usaddress (a CRF trained on US addresses) by measurement: see
``bench/address_parsers.py`` for precision/recall of both on the labelled list in
``tests/unit/test_address.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from detectors.recognizers.address_block import (
    MILITARY,
    UNIT,
    UNIT_ALONE,
    WEAK_STREET,
    Block,
    grow,
    has_context,
    weak_street,
)
from detectors.recognizers.base import Finding, Recognizer, read_forms
from detectors.recognizers.literal_trie import factored

# Street-type words after the street name (number-first countries). Ambiguous short
# words (dr, pl, ct, way, row, walk, close...) score lower.
_EN_TYPES = (
    "street|st|avenue|ave|av|road|rd|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|"
    "terrace|ter|circle|cir|highway|hwy|parkway|pkwy|pky|square|sq|trail|trl|crescent|cres|"
    "str|close|grove|gardens|garden|gdn|gdns|mews|row|walk|alley|aly|plaza|plz|expressway|expy|freeway|fwy|pike|"
    "loop|crossing|xing|causeway|cswy|turnpike|tpke|cove|cv|ridge|rdg|point|pt|hollow|holw|heights|hts|"
    "path|pass|bend|run|view|vista|glen|green|hill|park|wharf|quay|esplanade|promenade|"
    "center|centre|ctr|route|rte|"
    # the rest of the USPS Publication 28 suffixes, and Australian and British types
    "allee|annex|anx|arcade|bayou|beach|bch|bluffs?|bottom|branch|bridge|brg|brooks?|brk|burgs?|"
    "bypass|byp|camp|canyon|cyn|cape|circles|cliffs?|club|commons?|corners?|courts|coves|creek|"
    "crk|crest|crossroads?|curve|dale|divide|drives|estates?|extensions?|ext|falls|ferry|fields?|"
    "flats?|fords?|forest|forges?|forks?|fort|freeway|dam|unions?|gateway|gtwy|glens|greens|groves|harbou?rs?|haven|hills|"
    "inlet|islands?|isle|junctions?|jct|knolls?|lakes?|landing|lndg|lodge|manors?|meadows?|mdws?|"
    "mills?|mission|motorway|mount|mt|mountains?|mtn|neck|orchard|oval|parks|parkways|passage|"
    "pines|plains?|points|prairie|radial|ranch|rapids?|ridges|river|roads|shoals?|shores?|skyway|"
    "springs?|squares|stravenue|stream|streets|summit|terraces|throughway|trace|trafficway|"
    "trailer|tunnel|underpass|valleys?|viaduct|views|villages?|ville|walks|ways|"
    "approach|parade|circuit|chase|rise|vale|gate|cross|reserve|retreat|boardwalk|concourse|"
    "grange|outlook|entrance|gardens|wynd|hey|brow|drove|fold|garth|rowe|spurs?|mall|towers|roadside|"
    "siding|range|tor|gates|pocket|"
    # Australian and British types (AS/NZS 4819), and plurals written by generators
    "brace|boulevarde|cluster|copse|dell|driveway|fairway|gully|laneway|quadrant|ramble|ridgeway|"
    "riverway|strand|thoroughfare|tollway|walkway|ports?|parklands|esplanade|grange|rest|nook|courtyard"
)
_WEAK_TYPES = frozenset(
    [
        "bottom",
        "branch",
        "bridge",
        "camp",
        "cape",
        "club",
        "common",
        "commons",
        "course",
        "cross",
        "curve",
        "divide",
        "fort",
        "gate",
        "haven",
        "mission",
        "mount",
        "oval",
        "reserve",
        "rise",
        "summit",
        "trace",
        "chase",
        "approach",
        "entrance",
        "outlook",
        "retreat",
        "lodge",
        "hey",
        "fold",
        "range",
        "pocket",
        "tor",
        "port",
        "ports",
        "rest",
        "nook",
        "strand",
        "dell",
        "mall",
        "dr",
        "pl",
        "ct",
        "way",
        "row",
        "walk",
        "close",
        "run",
        "view",
        "green",
        "hill",
        "park",
        "point",
        "pt",
        "pass",
        "bend",
        "path",
        "cove",
        "cv",
        "glen",
        "loop",
        "ter",
        "center",
        "centre",
        "ctr",
        "route",
        "rte",
        "vista",
        "grove",
    ]
)
# Street-type words before the name (French, Spanish, Italian, Portuguese, Catalan,
# and English "Avenue of...").
_LEAD_TYPES = (
    "rue|avenue|av|ave|boulevard|bd|bld|bvd|chemin|allée|allee|place|impasse|quai|route|cours|square|"
    "passage|faubourg|rte|calle|c/|avenida|avda|paseo|plaza|pza|camino|carrera|ronda|travesía|"
    "travesia|carretera|ctra|via|viale|piazza|p\\.zza|piazzale|corso|largo|vicolo|strada|contrada|"
    "lungomare|rua|travessa|praça|praca|estrada|alameda|carrer|passeig|plaça|rambla|pasaje|pasadizo|"
    "cuesta|vial|glorieta|callejón|callejon|urbanización|urbanizacion|c\\.|canale|stretto|borgo|vico|"
    "salita|rotonda|acceso|cañada|canada|r\\.|av\\.|trav\\.|lg\\.|piazzetta|incrocio|"
    # Polish, Czech, Slovak, South Slavic, Greek
    "ul\\.|ulica|al\\.|aleja|os\\.|osiedle|pl\\.|plac|trg|nám\\.|náměstí|nábřeží|třída|bul\\.|bulevar|"
    "λεωφόρος|λεωφ\\.|οδός|πλατεία"
)
# Lead types that name a street even without a number: "rue de la Paix", "Calle Mayor".
_LEAD_ALONE = re.compile(
    r"(?i:rue|chemin|impasse|allée|allee|quai|calle|avenida|rua|travessa|carrer|piazza|viale|strada|vicolo|rambla)"
    r"\s+(?P<name>(?:d[eu']\s?|de la |des |del |della |di |do |da )?[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'\u2019.-]*"
    r"(?:\s+(?:[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'\u2019.-]*|de|la|le|des|du|del|della|di|do|da|y|e)){0,4})"
)
# Type words glued to the end of a name, or standing after it, with the number last
# (German, Dutch, Scandinavian): Hauptstraße 5, Bahnhofstr. 12, Kalverstraat 92.
_GLUED_TYPES = (
    "straße|strasse|str\\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad|markt|"
    "straat|laan|plein|gracht|kade|singel|dijk|steeg|hof|gade|gatan|vägen|vej|veien|gata|dreef|baan|"
    "boulevard|kanaal|wal|"
    # Finnish, Icelandic, Norwegian, Swedish, Danish, Hungarian, Slavic
    "katu|kuja|polku|väylä|gata|gatan|braut|vegur|stígur|stræti|stræde|veien|vegen|utca|ulica|cesta|"
    "gaten|bakken|svingen|stien"
)
# Type words after the name as a word of their own, the number last (Hungarian
# "Wesselényi u. 94.", "Csabai kapu 39."; Nordic and Slavic spellings apart from the name).
_AFTER_TYPES = (
    "u\\.|utca|út|útja|tér|tere|körút|krt\\.|köz|sor|fasor|sétány|kapu|rakpart|ulica|cesta|vej|gade|"
    "gata|gatan|vägen|veien|vegen|vei|tie|katu|kuja|tee|põik|allé|stræde|straße|strasse|str\\.|gasse|weg|"
    "straat|laan|plein|rkp\\.|lejtő|bulevardi|puistotie|kaari|rinne|polku"
)


def _with_folded(alternatives: str) -> str:
    """The alternatives and their spellings without accents: the scanner matches text
    as a reader sees it, with diacritics folded ("Rákóczi út" is read "Rakoczi ut")."""
    out = alternatives.split("|")
    for alt in list(out):
        folded = "".join(c for c in unicodedata.normalize("NFKD", alt) if not unicodedata.combining(c))
        if folded not in out:
            out.append(folded)
    return "|".join(out)


# The lists as written (accents folded too), and factored by common prefixes: the same
# matches, tried in a few steps instead of one attempt per word
# (:mod:`detectors.recognizers.literal_trie`).
_EN_WORDS = _EN_TYPES
_LEAD_WORDS = _with_folded(_LEAD_TYPES)
_GLUED_WORDS = _with_folded(_GLUED_TYPES)
_AFTER_WORDS = _with_folded(_AFTER_TYPES)
_EN_TYPES = factored(_EN_WORDS)
_LEAD_TYPES = factored(_LEAD_WORDS)
_GLUED_TYPES = factored(_GLUED_WORDS)
_AFTER_TYPES = factored(_AFTER_WORDS)
# After-types that are also English words: a street only written in lower case
# ("Trenerys gate 232", "Stensås terrasse 38"), not "Departure Gate 22".
_AFTER_LOWER = frozenset(["gate", "terrasse", "plass", "veg", "sti", "stien", "vei", "torg"])
# Words that are never part of a street name: a run of them is a sentence.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "in",
        "at",
        "to",
        "of",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "we",
        "you",
        "they",
        "he",
        "she",
        "it",
        "i",
        "me",
        "us",
        "them",
        "this",
        "that",
        "these",
        "those",
        "with",
        "from",
        "by",
        "as",
        "if",
        "then",
        "than",
        "so",
        "have",
        "has",
        "had",
        "do",
        "did",
        "does",
        "not",
        "no",
        "yes",
        "all",
        "any",
        "some",
        "more",
        "most",
        "very",
        "just",
        "also",
        "only",
        "about",
        "per",
        "each",
        "every",
        "other",
        "into",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
    ]
)
# Particles inside street names that are lower case by convention.
_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "delle",
        "dei",
        "degli",
        "di",
        "da",
        "do",
        "dos",
        "das",
        "la",
        "le",
        "les",
        "du",
        "des",
        "el",
        "los",
        "las",
        "y",
        "e",
        "van",
        "von",
        "der",
        "den",
        "zu",
        "am",
        "an",
    ]
)

_NUM = r"(?P<num>\d{1,6}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?(?:\s(?:bis|ter|[A-Za-z])\b)?)"
_PRE = r"(?<![\w.,$€£¥/+#:-])"
_WORD = r"(?:\d{1,3}(?:st|nd|rd|th)|[^\W\d_](?:[^\W\d_]|['\u2019.-]){0,30})"
_DIR = r"(?:[NSEW]|N\.|S\.|E\.|W\.|NE|NW|SE|SW|North|South|East|West)"
_UNIT = (
    r"(?:\s*,?\s*(?:#\s?\w{1,6}|\d{1,2}\s?[\u00BA\u00AA\u00B0](?:\s?[A-Za-z]{1,4}\b)?|(?i:apt|apartment|suite|ste|unit|fl|floor|room|rm|bldg|building|flat|"
    r"piso|planta|puerta|étage|etage|esc|escalera|int|interno|scala|app|appt|appartamento|piano|bus|whg|wohnung|studio|lot)\.?\s?#?\s?"
    r"[\w\u00BA\u00AA]{1,6}(?:\s?[A-Za-z]\b)?))?"
)

_NUMBER_FIRST = re.compile(
    _PRE
    + _NUM
    + r",?[ \t]+(?:(?P<dir>"
    + _DIR
    + r")\s+)?(?P<name>"
    + _WORD
    + r"(?:\s+"
    + _WORD
    + r"){0,3}?)\s+(?P<type>(?i:"
    + _EN_TYPES
    + r"))\.?(?:\s+"
    + _DIR
    + r"\b\.?)?"
    + _UNIT
    + r"(?![\w\u00C0-\u024F])"
)
_NUMBER_LEAD = re.compile(
    _PRE
    + _NUM
    + r",?\s+(?P<type>(?i:"
    + _LEAD_TYPES
    + r"))\.?\s+(?P<name>"
    + _WORD
    + r"(?:\s+"
    + _WORD
    + r"){0,4}?)"
    + r"(?=\s*(?:,|$|\n|\d{4,5}\b)|\s+[A-Z]{2}\b|[ \t]+(?:and|&)[ \t])"
)
# A necessary condition of the glued shape below, checked once per word instead of trying
# every glued type at each of the word's characters. The glued street is a letter, up to
# 40 more characters of its class, then a type word whose characters are of that class
# too (so at most 41 + the longest type); the separator after it (``\s*,?\s+``) is
# followed by "nº" or the number, neither a space nor a comma. So the street is the
# whole run of class characters where it starts, and the separator the whole run of
# spaces and commas after it: possessive runs here, no backtracking. The lookahead
# consumes nothing: where it holds the pattern matches exactly as without it, where it
# fails the glued shape could not have matched.
_GLUED_GATE = (
    r"(?=[\w\u00C0-\u024F'\u2019.-]{1,"
    + str(41 + max(len(w.replace("\\.", ".")) for w in _GLUED_WORDS.split("|")))
    + r"}+[\s,]++(?:n[º°o]\.?\s?)?(?:\d|(?i:s/n)))"
)
_NUMBER_LAST = re.compile(
    r"(?<![\w\u00C0-\u024F'\u2019.-])(?:(?P<type>(?i:"
    + _LEAD_TYPES
    + r"))\.?\s+(?P<name>"
    + _WORD
    + r"(?:\s+"
    + _WORD
    + r"){0,4}?)|(?:(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Zum|Zur|Unter den|Op de|Aan de|Aan het"
    # a place's adjective before the street: "Brucker Bundesstrasse", "Berliner Straße"
    r"|[A-Z\u00C4\u00D6\u00DC][a-z\u00E4\u00F6\u00FC\u00DF]{2,20}er)\s+)?"
    + _GLUED_GATE
    + r"(?P<glued>[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'\u2019.-]{0,40}?(?i:"
    + _GLUED_TYPES
    + r")))\s*,?\s+(?:n[º°o]\.?\s?)?(?P<num>\d{1,5}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?|(?i:s/n)\b)"
    + _UNIT
    + r"(?![\w\u00C0-\u024F.,]\d|[\w\u00C0-\u024F])"
)
_TYPE_WORDS = re.compile(r"(?i:" + _EN_TYPES + r"|" + _AFTER_TYPES + r")")
_GLUED_END = re.compile(r"(?i:" + _GLUED_TYPES + r")$")
_AFTER_TYPE = re.compile(r"(?i:" + _AFTER_TYPES + r")")


def is_after_type(word: str) -> bool:
    """Whether a word is a street type written after the name, apart from it."""
    if len(word.rstrip(".")) <= 3 and not word.islower():
        return False  # short types are written in lower case ("Rakoczi ut 13"), "Court Ut 4" is not one
    return bool(_AFTER_TYPE.fullmatch(word)) or (word in _AFTER_LOWER and word.islower())


def is_street_type_word(word: str) -> bool:
    """Whether a word (lower case, no trailing dot) is a street-type word itself, not one
    only by its ending (:func:`is_street_type` also takes 'Hemingway')."""
    return bool(_TYPE_WORDS.fullmatch(word) or _TYPE_WORDS.fullmatch(word + "."))


def is_street_type(word: str) -> bool:
    """Whether a word (lower case, no trailing dot) is a street-type word or ends in one."""
    return bool(_TYPE_WORDS.fullmatch(word) or _TYPE_WORDS.fullmatch(word + ".") or _GLUED_END.search(word))


_PO_BOX = re.compile(
    r"(?<![\w])(?i:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|apartado(?:\s+de\s+correos)?|"
    r"bo[iî]te\s+postale|b\.p\.|casella\s+postale|postbus|postbox|pobox)\s*#?\s?\d{1,7}(?!\w)"
)
# After a street in a whole value: unit, city, region, postal code, country.
_LOCALITY = re.compile(
    r"(?:(?:\s*,\s*|\s+)(?:[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F.'\u2019-]*|\d{4,5}(?:-\d{4})?"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{2}-\d{3}|\d{3}\s\d{2}))*\s*\.?"
)
_UNIT_STREET = re.compile(
    r"(?P<name>" + _WORD + r"(?:\s+" + _WORD + r"){0,2}?)\s+(?P<type>(?i:" + _EN_TYPES + r"))\.?(?![\w\u00C0-\u024F])"
)
_MAX_VALUE = 200
_LEAD_IN = re.compile(r"(?i:(?:flat|apt|apartment|unit|suite|ste|studio|level|c/o)\.?\s*#?[\w/-]{1,8}\s*,?\s+)")


def _name_ok(name: str, lead: bool) -> bool:
    words = name.split()
    if not words or len(words) > 5:
        return False
    content = [w for w in words if w.lower() not in _PARTICLES]
    if not content:
        return False
    for w in words:
        low = w.lower().strip(".")
        if low in _FUNCTION_WORDS and not (lead and low in _PARTICLES):
            return False
    return True


def _case_ok(text: str) -> bool:
    """Title case, all upper or all lower: a street as someone typed it. Mixed lower-case
    words before a capitalised type ("the big Road") are prose."""
    letters = [w for w in re.findall(r"[A-Za-z\u00C0-\u024F]+", text) if w.lower() not in _PARTICLES]
    if not letters:
        return False
    return (
        all(w[0].isupper() for w in letters)
        or text.upper() == text
        or text.lower() == text
        or all(w[0].isupper() or len(w) <= 3 for w in letters)
    )


_ABBREVIATIONS = frozenset(
    [
        "st",
        "str",
        "ave",
        "av",
        "rd",
        "dr",
        "blvd",
        "ln",
        "ct",
        "pl",
        "sq",
        "hwy",
        "pkwy",
        "ter",
        "cres",
        "apt",
        "ste",
        "u",
        "ul",
        "al",
        "krt",
        "rkp",
        "bd",
        "bvd",
        "jr",
        "sr",
        "n",
        "s",
        "e",
        "w",
    ]
)
_LAST_WORD = re.compile(r"[\w\u00C0-\u024F]+\.$")


def _without_full_stop(text: str, f: Finding) -> Finding:
    """A span ending in "." before a space or the end, after a number or a whole word:
    the sentence's full stop, not an abbreviation ("St.") of the address."""
    end = f.end
    if end - f.start < 2 or text[end - 1] != "." or (end < len(text) and not text[end].isspace()):
        return f
    word = _LAST_WORD.search(text, max(f.start, end - 40), end)
    if word is None or word.group(0)[:-1].lower() in _ABBREVIATIONS:
        return f
    return Finding(f.entity, f.start, end - 1, f.score, f.recognizer)


_DIGITS = re.compile(r"\d+")
_REACH = 300  # every pattern's match lies within this many characters of one of its digits


def _digit_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` around its digits, merged: every shape here holds a digit,
    so the patterns need not be tried on long runs of prose without one. A stretch ends
    at a space (or the text's end), so lookaheads at its end see what they would see."""
    out: list[tuple[int, int]] = []
    for m in _DIGITS.finditer(text):
        start = max(0, m.start() - _REACH)
        end = m.end() + _REACH
        if out and end <= out[-1][1]:
            continue  # inside the stretch already (the walk below covers new text only: linear)
        while end < len(text) and not text[end].isspace():
            end += 1
        end = min(end, len(text))
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _matches(pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def _block_score(score: float, block: Block) -> float:
    """A street with more of its address around it (a house number before it, a unit,
    a place, a postal code) is surer than the street line alone."""
    return round(min(0.95, score + 0.05 * (block.parts > 0) + 0.05 * block.strong + 0.05 * block.located), 2)


def _ends_clause(text: str, pos: int) -> bool:
    rest = text[pos : pos + 2]
    return not rest or rest[0] in ",;\r\n" or (rest[0] in ".?!" and (len(rest) == 1 or not rest[1].isalnum()))


class AddressRecognizer(Recognizer):
    entity = "LOCATION"
    name = "street_address"
    context = ("address", "street", "lives at", "living at", "ship to", "deliver", "located at", "addr")
    min_text_score = 0.55
    pattern = _NUMBER_FIRST

    def _score(self, m: re.Match[str], lead: bool) -> float | None:
        g = m.groupdict()
        name = g.get("name")
        if name is not None and not _name_ok(name, lead):
            return None
        text = m.group(0)
        if not _case_ok(name if name is not None else text):
            return None
        typ = (g.get("type") or "").lower().rstrip(".")
        if g.get("glued"):
            glued = g["glued"]
            if glued[0].islower():
                return None  # German and Dutch street names are capitalised: "uninspiring 2-1" is not one
            if glued.lower() in ("weg", "ring", "hof", "markt", "platz", "damm", "pfad", "steig", "ufer", "kade"):
                return None  # the type word alone: no street named
            stem = _GLUED_END.sub("", glued).strip("-")
            if len(stem) < 2 or (glued.lower().endswith("ring") and (len(stem) < 3 or stem[-1].lower() in "aeiou")):
                return None  # "During 1971", "String 5", "Offering 2": English words, not a name and a type
            score = 0.85
        elif typ in _WEAK_TYPES:
            score = 0.65
        else:
            score = 0.85
        num = g.get("num") or ""
        if num.isdigit() and num.startswith("0"):
            score -= 0.2  # house numbers do not start with 0
        if re.search(r"#|apt|suite|ste\b|unit|flat|piso|étage", text, re.IGNORECASE):
            score += 0.05
        if g.get("dir"):
            score += 0.05
        return round(min(score, 0.95), 2)

    # A single alternation would let one shape shadow another; three patterns, merged.
    def find(self, text: str) -> list[Finding]:
        windows = _digit_windows(text)
        if not windows:
            return []
        out: list[Finding] = []
        lowered = text.lower()
        streets = ((_NUMBER_FIRST, False), (_NUMBER_LEAD, True), (_NUMBER_LAST, True))
        for pattern, lead in streets:
            for m in _matches(pattern, text, windows):
                score = self._score(m, lead)
                if score is None:
                    continue
                before = lowered[max(0, m.start() - self.context_window) : m.start()]
                if any(word in before for word in read_forms(self.context)):
                    score = min(1.0, score + 0.2)
                if score >= self.min_text_score:
                    out.append(Finding(self.entity, m.start(), m.end(), score, self.name))
        for m in _matches(_PO_BOX, text, windows):
            out.append(Finding(self.entity, m.start(), m.end(), 0.9, self.name))
        for m in _matches(MILITARY, text, windows):
            out.append(Finding(self.entity, m.start(), m.end(), 0.85, self.name))
        for m in _matches(UNIT, text, windows):
            if (m.group("word") or "").lower() in UNIT_ALONE and len(m.group("num")) > 1:
                out.append(Finding(self.entity, m.start(), m.end(), 0.6, self.name))
        out = self._grown(text, out)
        out.extend(self._weak_streets(text, out, windows))
        out.sort(key=lambda f: (f.start, -f.end))
        kept: list[Finding] = []
        for f in out:
            if kept and f.start < kept[-1].end:
                if f.score > kept[-1].score or f.end > kept[-1].end:
                    last = kept[-1]
                    kept[-1] = Finding(
                        f.entity, last.start, max(last.end, f.end), max(last.score, f.score), f.recognizer
                    )
                continue
            kept.append(f)
        return [_without_full_stop(text, f) for f in kept]

    def _grown(self, text: str, found: list[Finding]) -> list[Finding]:
        """Each finding grown into its address block; a finding inside a block grown
        already is not grown again (the work stays linear in the text)."""
        out: list[Finding] = []
        reach = -1
        for f in sorted(found, key=lambda f: (f.start, -f.end)):
            if f.end <= reach:
                out.append(f)
                continue
            block = grow(text, f.start, f.end, is_street_type)
            reach = max(reach, block.end)
            # a street-type word and a number: surer in text than a name NER guessed there
            score = _block_score(f.score + 0.05, block)
            out.append(Finding(f.entity, block.start, block.end, score, f.recognizer))
        return out

    def _weak_streets(self, text: str, found: list[Finding], windows: list[tuple[int, int]]) -> list[Finding]:
        """Name-and-number street lines ("Tylova 285") kept only inside an address block
        (a leading house number, a unit or military line, a postal code or country among
        two more parts) or after address words."""
        covered: list[tuple[int, int]] = []  # the union of what was found, in order
        for start, end in sorted((f.start, f.end) for f in found):
            if covered and start <= covered[-1][1]:
                covered[-1] = (covered[-1][0], max(covered[-1][1], end))
            else:
                covered.append((start, end))
        out: list[Finding] = []
        i = 0
        for m in _matches(WEAK_STREET, text, windows):
            while i < len(covered) and covered[i][1] < m.end():
                i += 1
            if i < len(covered) and covered[i][0] <= m.start():
                continue  # inside a block found already
            if out and m.end() <= out[-1].end:
                continue
            weak = weak_street(text, m, is_after_type)
            if weak is None:
                continue
            start, typed = weak
            block = grow(text, start, m.end(), is_street_type, weak=not typed)
            if typed:
                out.append(Finding(self.entity, block.start, block.end, _block_score(0.85, block), self.name))
            elif block.strong or block.postal:
                out.append(Finding(self.entity, block.start, block.end, _block_score(0.75, block), self.name))
            elif block.parts == 0 and has_context(text, start) and _ends_clause(text, block.end):
                out.append(Finding(self.entity, block.start, block.end, 0.6, self.name))
        return out

    def match_value(self, value: str) -> float | None:
        """Score if the whole value is a street address (optionally followed by a unit,
        locality, region, postal code and country)."""
        value = ", ".join(line.strip() for line in value.strip().splitlines() if line.strip())
        if not value or len(value) > _MAX_VALUE:
            return None
        if not any(ch.isdigit() for ch in value) and "s/n" not in value.lower():
            alone = _LEAD_ALONE.fullmatch(value)
            return 0.6 if alone and _name_ok(alone.group("name"), True) else None
        best: float | None = None
        lead_in = _LEAD_IN.match(value)
        for pattern, lead in ((_NUMBER_FIRST, False), (_NUMBER_LEAD, True), (_NUMBER_LAST, True), (_PO_BOX, False)):
            # a leading unit or care-of: "Flat 3, 12 High Street", "Suite 129 7 David Alley"
            m = pattern.match(value) or (pattern.match(value, lead_in.end()) if lead_in else None)
            if m is None:
                continue
            rest = value[m.end() :]
            if rest and not _LOCALITY.fullmatch(rest):
                continue
            if rest and len(rest.split()) > 8:
                continue
            score = 0.9 if pattern is _PO_BOX else self._score(m, lead)
            if score is not None and (best is None or score > best):
                best = score
        if best is None and lead_in is not None:
            # a flat or studio on a named street, no house number: "Flat 3, Russell Gateway"
            m = _UNIT_STREET.match(value, lead_in.end())
            rest = value[m.end() :] if m else ""
            if m and (not rest or _LOCALITY.fullmatch(rest)) and self._score(m, False) is not None:
                best = 0.75
        if best is None:
            best = self._whole_block(value)
        return best

    def _whole_block(self, value: str) -> float | None:
        """An address block that is the whole value ("Tylova 285, Suite 578, Ostrov nad
        Ohří, Czechia"): one finding with more than a street line's evidence, covering
        every letter and digit."""
        found = self.find(value)
        if len(found) != 1 or found[0].score < 0.75:
            return None
        f = found[0]
        outside = value[: f.start] + value[f.end :]
        return None if any(ch.isalnum() for ch in outside) else min(f.score, 0.85)
