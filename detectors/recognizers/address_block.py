"""Address blocks in free text: a street line grown over the lines and comma parts that
belong to the same postal address, and the parts that are addresses on their own.

An address is written as a short run of parts (``4596 Tylova 285 / Suite 578 / Ostrov
nad Ohrí / Czechia 12345``); a recogniser that finds only the street line leaves the rest
verbatim. This module knows the grammar of those parts, not any list of streets:

- **unit designators** with a number: ``Apt. 762``, ``Suite 292``, ``Unit 4``, ``Flat 3``,
  ``Floor 2``, ``Box 8316``, ``#12``; an apartment or suite with a number of two digits or
  more is an address part on its own ("Suite 1 in G major" is not);
- **military addresses**: ``PSC 4095, Box 8316`` / ``Unit 8505 Box 9220`` / a ship
  (``USNS Bergman``), then ``APO|FPO|DPO`` + ``AA|AE|AP`` + a ZIP code;
- **postal lines**: codes in many countries' shapes (ZIP, 4-5 digits, ``NN-NNN``,
  ``NNNN-NNN``, ``NNN NN``, UK, Canadian, Dutch, Irish), before or after a place;
  **region codes** (``CO``, ``NSW``), **place lines** (capitalised words, particles such as
  ``nad``/``de``/``am`` inside them, "La"/"De" leading them) and **country lines**;
- a **weak street line**, a name then a house number (``Tylova 285``, ``Edeby 55``): no
  street-type word, so it counts only inside a block that shows it is an address (a
  leading house number, an apartment or suite, a military line, a corner, or a postal
  code with its place after a comma or line break) or after words such as "address" or
  "lives at". A place followed by a four-digit number, or a floor, does not hold one
  ("Lawyer 23 / Ok 4573 / Samoa", "Barista 60 / Floor 7").

Missing fields written as ``nan``/``n/a``/``null`` (exported tables) are passed over.
Measured in ``bench/address_parsers.py`` (addresses of 33 locales inside sentences, and
texts without one) and ``bench/detection_quality.py`` (labelled sentences).

:func:`grow` extends a street found by :mod:`detectors.recognizers.address` over such
parts: backwards over a leading house number or unit, forwards part by part across
spaces, commas and line breaks (with quoting such as ``>`` at the start of a line). Every
pattern is anchored at a position and bounded: work is linear in the text's length.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from detectors.recognizers.countries import is_country
from detectors.recognizers.literal_trie import factored
from detectors.recognizers.placenames import words

_L = r"[^\W\d_]"  # a letter, in any script
_NAME_WORD = _L + r"[\w'\u2019.-]{0,30}"
_LINE_LEAD = r"[ \t>|*?\u2022\u00b7\u00a0-]{0,8}"
# Between two parts: spaces, a comma or semicolon, up to two line breaks (each line may
# start with quoting or a bullet), in any order a writer puts them.
_SEP = re.compile(r"[ \t\u00a0]*[,;]?(?:[ \t\u00a0]*\r?\n" + _LINE_LEAD + r"){0,2}[ \t\u00a0]*[,;]?[ \t\u00a0]*")

_UNIT_WORDS = (
    r"apt|apartment|appt|app|suite|ste|unit|flat|studio|floor|fl|level|lvl|bldg|building|room|rm|lot|box|"
    r"dept|office|piso|planta|puerta|étage|etage|whg|wohnung|stock|etg|lgh|bus|boite|boîte|interno|int|scala"
)
UNIT_WORDS = _UNIT_WORDS  # as written; the pattern tries them factored (the same matches)
_UNIT_WORDS = factored(_UNIT_WORDS)
# A unit designator and its number. "Apt"/"Suite" with a number are an address part
# anywhere; the others ("Unit 5", "Floor 2", "Room 101", "Box 3") only next to a street.
UNIT = re.compile(
    r"(?<![\w.])(?:(?P<word>(?i:" + _UNIT_WORDS + r"))\.?[ \t]?(?:(?i:no)\.?[ \t]?)?#?[ \t]?"
    r"|#[ \t]?)(?P<num>[A-Za-z]?\d{1,5}[A-Za-z]?(?:-\d{1,4})?)(?![\w\u00C0-\u024F]|[.,]\d)"
)
UNIT_ALONE = frozenset({"apt", "apartment", "appt", "suite", "ste"})
_UNIT_LEADING = UNIT_ALONE | {"flat", "unit"}

_MIL_CODE = r"(?i:[AFD]PO)[ \t]+(?i:A[AEP])[ \t]+\d{5}(?:-\d{4})?(?!\w)"
MILITARY = re.compile(
    r"(?<![\w])(?:(?:(?i:PSC|CMR|unit)[ \t]+\d{1,5}[ \t]*,?[ \t]*(?i:box)[ \t]+\d{1,5}"
    r"|(?i:USNS|USNV|USS|USCGC|USNA)[ \t]+" + _NAME_WORD + r")"
    r"(?:[ \t]*,?[ \t]*(?:\r?\n" + _LINE_LEAD + r")?[ \t]*,?[ \t]*" + _MIL_CODE + r")?"
    r"|" + _MIL_CODE + r")"
)

# Longest shapes first: "4656 JF" is one Dutch code, not "4656" then a region.
_POSTCODE = (
    r"(?:\d{5}-\d{4}|\d{4,5}-\d{3}|[A-Z]-\d{4,5}|\d{2}-\d{3}|\d{3}[ \t]\d{2}|\d{4}[ \t]?[A-Z]{2}(?![\w])"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|[AC-FHKNPRTV-Y]\d{2}[ \t]?[AC-FHKNPRTV-Y\d]{4}|\d{4,5})"
)
POSTCODE = re.compile(r"(?<![\w])" + _POSTCODE + r"(?![\w])")
# A region or state code: two or three capitals (upper-case text only).
_REGION = re.compile(r"(?<![\w])[A-Z]{2,3}(?![\w])")
# A run of place words: a name, possibly of several words joined by particles
# ("Ostrov nad Ohrí", "Frankfurt am Main", "Mora de Rubielos"), a parenthesis ("(Greek)").
_PLACE_WORD = re.compile(r"[ \t]*(?:" + _NAME_WORD + r"|\([^()\n]{1,20}\))")
_PLACE_WORDS = 5
_CODE_GAP = re.compile(r"[ \t]*,?[ \t]*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_FOUR = re.compile(r"\d{4}")  # after a place: a count as often as a code ("Lawyer 23, Ok 4573")
_CODE_AFTER = re.compile(r"[ \t]*,?[ \t]*" + _POSTCODE + r"(?![\w])")
# What a missing field is written as in exported data ("KNIVSTA, nan 18237").
_BLANK = re.compile(r"(?i:nan|n/a|null|none|-{1,3})(?![\w/-])")
# A street named by a type word without a number, after a street line on the same line
# ("1737 Cheriton Dr Reuquén Extensions"), or across "and" at a corner.
_NAMED_STREET = re.compile(r"(?P<name>" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,3})")

# A necessary condition of WEAK_STREET, checked once per word start instead of
# backtracking through up to four words of every length: each name word is followed by
# a space or tab, none of its characters, so it is the whole run of word characters
# where it starts (at most 31); the spaces after it are the whole run of spaces (a word
# or the digit follows); the number starts with a digit. Possessive runs: no
# backtracking. Consumes nothing; where it fails the pattern could not match.
WEAK_STREET_GATE = r"(?=[^\W\d_][\w'\u2019.-]{0,30}+[ \t]++(?:[\w'\u2019.-]{1,31}+[ \t]++){0,3}\d)"
# A name then a house number, no street-type word: a street only with other evidence.
WEAK_STREET = re.compile(
    r"(?<![\w.,$€£#/'\u2019-])" + WEAK_STREET_GATE + r"(?P<name>" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,3})"
    r"[ \t]+(?P<num>\d{1,5}[A-Za-z]?)(?:\.(?![\w]))?(?![\w\u00C0-\u024F]|[.,:/]\d|[ \t]?%)"
)
_HOUSE_BEFORE = re.compile(r"(?<![\w.,$€£#/:+-])\d{1,6}[A-Za-z]?[ \t]+$")
_CORNER_BEFORE = re.compile(r"(?i:(?:the[ \t]+)?corner[ \t]+of)[ \t]+$")
# "... and", perhaps after a type abbreviation ("Nieuwe Baan 473 St. and Inna Loop St.")
_AND = re.compile(r"(?:[ \t]+(?P<type>[A-Za-z]{2,4})\.)?[ \t]+(?:and|&|y|et|und|e)[ \t]+")
_CONTEXT = (
    "address",
    "adresse",
    "dirección",
    "indirizzo",
    "lives at",
    "lives on",
    "living at",
    "live on",
    "corner of",
    "lived in",
    "live at",
    "located at",
    "ship to",
    "send it to",
    "sent to",
    "deliver",
    "return to",
    "moved to",
    "mailing",
    "residence",
)

# Lower-case words inside place and street names.
PARTICLES = words(
    "de del della delle dei degli di da do dos das la le les du des el los las y e van von der den "
    "zu am an im auf bei ob unter nad pod na u v z ve sur sous lès upon en op aan het ter ten "
    "'t d' i og och"
)
# Words that make a run of words a sentence, not a place or a street name.
FUNCTION_WORDS = words(
    "a an the on in at to of for and or but is are was were be been being my your our their his her "
    "its we you they he she it i me us them this that these those with from by as if then than so "
    "have has had do did does not no yes all any some more most very just also only about per each "
    "every other into over under up down out off please can could would should will shall may might "
    "must here there when where what which who whom why how call meet see let get got"
)
# Capitalised words that start counts, versions and labels, not streets.
NOT_STREET_WORDS = words(
    "version v release build chapter page pages section part step figure fig table item items number "
    "no nr num id ref order invoice ticket case room rooms building bldg edition level floor unit units grade class year years "
    "day days week weeks month months hour hours minute minutes top season episode vol volume issue "
    "model type size phase round stage line lines gate platform row seat area zone sector term group "
    "team player players windows iphone ios android python java office world war apollo covid route "
    "highway interstate i-"
)
_MONTHS = words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int
    strong: bool  # a unit or a military line inside, or a leading house number
    parts: int  # parts added after the street line
    located: bool  # a postal code or country among them
    country: bool  # a country line among them
    postal: bool  # a postal code with its place ("90830 Marienberg", "Springfield, IL 62704")


def name_ok(words: list[str], lower_text: bool) -> bool:
    """Words that can name a street or place: capitalised (or the text is all lower
    case), no function words (a code in capitals such as "NO" or "ON" is not one),
    particles only inside."""
    if not words:
        return False
    for i, w in enumerate(words):
        bare = w.strip(".,")
        low = bare.lower()
        if len(bare) > 1 and bare.isupper():
            continue  # a code or a name in capitals
        if low in PARTICLES and 0 < i < len(words) - 1:
            continue
        if low in PARTICLES and i == 0 and len(words) > 1 and w[0].isupper() and low not in FUNCTION_WORDS:
            continue  # "La Coruña", "De Sousa-sur-Étienne", "Le Mans"
        if low in FUNCTION_WORDS or low in PARTICLES:
            return False
        if w.startswith("("):
            continue
        if not (w[0].isupper() or (lower_text and w[0].isalpha())):
            return False
    return True


def trim_name(name: str, lower_text: bool, is_after_type: Callable[[str], bool]) -> tuple[int, bool] | None:
    """The longest suffix of ``name``'s words that can name a street, as its offset in
    ``name``, and whether its last word is a street type written after the name
    ("Wesselényi u.", "Csabai kapu"): "given Gerth his address Arenales" -> "Arenales"."""
    words = name.split()
    typed = len(words) > 1 and is_after_type(words[-1])
    core = words[:-1] if typed else words
    for i in range(len(core)):
        tail = core[i:]
        # before a type word, words after the first may be lower case ("Árpád fejedelem útja")
        inner = typed and len(tail) > 1 and name_ok(tail[:1], lower_text) and name_ok(tail[1:], True)
        if name_ok(tail, lower_text) or inner:
            if any(_not_place(w) for w in tail) or is_country(" ".join(tail)):
                return None  # "Tesla Model 3", "Germany 2": a model or a country, not a street
            return [m.start() for m in re.finditer(r"\S+", name)][i], typed
    return None


def _is_lower(text: str) -> bool:
    return not any(ch.isupper() for ch in text)


def _part_at(text: str, pos: int, lower_text: bool) -> tuple[int, str] | None:
    """The address part starting at ``pos`` and its kind, if any."""
    m = MILITARY.match(text, pos)
    if m:
        return m.end(), "military"
    m = UNIT.match(text, pos)
    if m:
        return m.end(), "unit" if (m.group("word") or "").lower() in _UNIT_LEADING else "subunit"
    m = POSTCODE.match(text, pos)
    if m:
        # a code, maybe then a place ("1016 BR Amsterdam", "80331 München", "38020, Cloz (TN)")
        gap = _CODE_GAP.match(text, m.end())
        if gap.end() > m.end():
            after = _place_at(text, gap.end(), lower_text, after_code=True)
            if after is not None and after[1] in ("place", "region"):
                return after[0], "code?" if _YEAR.fullmatch(m.group(0)) else "code"
        rest = text[m.end() : m.end() + 3].lstrip(" \t")
        return None if rest[:1].isdigit() else (m.end(), "zip")  # "416 60 039" goes on: a phone
    place = _place_at(text, pos, lower_text)
    if place is not None:
        return place
    m = _BLANK.match(text, pos)
    if m and (_ends_part(text, m.end()) or POSTCODE.match(text, _skip_spaces(text, m.end()))):
        return m.end(), "blank"  # "KNIVSTA, nan 18237": the code comes next
    return None


def _place_at(text: str, pos: int, lower_text: bool, after_code: bool = False) -> tuple[int, str] | None:
    """A place (or a region code), perhaps with a postal code after it: the longest run
    of up to five name words that ends the part ("OULU NO. I now live" -> "OULU NO").
    After a postal code the place needs not end the part: "90830 Marienberg by Friday"."""
    ends: list[int] = []
    at = pos
    for _ in range(_PLACE_WORDS):
        m = _PLACE_WORD.match(text, at)
        if m is None or (ends and m.start() == m.end()):
            break
        at = m.end()
        ends.append(at)
    for n in range(len(ends), 0, -1):
        end = ends[n - 1]
        words = text[pos:end].split()
        if not name_ok(words, lower_text) or any(_not_place(w) for w in words):
            continue
        code = _CODE_AFTER.match(text, end)
        if code and not after_code:
            # a code closes the part (what follows may be prose); a year is no postal code
            # for a line that is only a name and a number ("Galaxy 12, Berlin 2021")
            digits = code.group(0).strip(" \t,")
            return code.end(), "code?" if _YEAR.fullmatch(digits) or _FOUR.fullmatch(digits) else "code"
        if text[end - 1] == "." and (end >= len(text) or not text[end].isalnum()):
            end -= 1  # a sentence's full stop, not the place's
        closed = after_code or is_country(" ".join(words[-2:])) or is_country(words[-1]) or _blank_ends(text, end)
        if not closed and not _ends_part(text, end):
            continue  # "Paris was lovely": a sentence going on (a country ends an address)
        if n == 1 and not lower_text and _REGION.fullmatch(words[0]):
            return end, "region"
        return end, "place"
    return None


def _blank_ends(text: str, pos: int) -> bool:
    """A missing field's placeholder ends the part after ``pos`` ("Velenje nan")."""
    at = _skip_spaces(text, pos)
    m = _BLANK.match(text, at) if at > pos else None
    return m is not None and _ends_part(text, m.end())


def _not_place(word: str) -> bool:
    bare = word.strip(".,")
    if len(bare) in (2, 3) and bare.isupper():
        return False  # a region code ("OULU NO")
    low = bare.lower()
    return low in _MONTHS or low in NOT_STREET_WORDS


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _ends_part(text: str, pos: int) -> bool:
    """A part ends at the end of the text, a line, a comma or a sentence's end."""
    if pos >= len(text):
        return True
    ch = text[pos]
    if ch in ",;\r\n)":
        return True
    if ch in ".?!":
        return pos + 1 >= len(text) or not text[pos + 1].isalnum()
    return ch in " \t" and (_skip_spaces(text, pos) >= len(text) or text[_skip_spaces(text, pos)] in ",;\r\n")


def grow(
    text: str, start: int, end: int, is_type: Callable[[str], bool], weak: bool = False, max_parts: int = 8
) -> Block:
    """The address block around a street line found at ``[start, end)``."""
    lower_text = _is_lower(text[max(0, start - 200) : end + 200])
    strong = False
    # backwards: "the corner of", a leading house number or unit on the same line
    head = text[max(0, start - 40) : start]
    for _ in range(2):  # a house number, perhaps a building's number before it
        m = _HOUSE_BEFORE.search(head)
        if m is None:
            break
        start -= len(head) - m.start()
        strong = True
        head = text[max(0, start - 40) : start]
    for unit in UNIT.finditer(head):
        word = (unit.group("word") or "").lower()
        if head[unit.end() :].strip(" \t,") == "" and word:
            start -= len(head) - unit.start()
            strong = strong or word in _UNIT_LEADING  # "Room 204, Building 7" is not an address
            break
    corner = _CORNER_BEFORE.search(text[max(0, start - 20) : start])
    if corner:
        start -= min(start, 20) - corner.start()
        and_ = _AND.match(text, end)
        if and_ and (and_.group("type") is None or is_type(and_.group("type").lower())):
            street = _named_street(text, and_.end(), lower_text, is_type)
            if street:
                end = street
                strong = True  # two streets at a corner: an address
    parts = 0
    located = country = False
    prev = "unit" if UNIT.fullmatch(text, start, end) else "street"
    postal = False  # a postal code with its place: the grammar of an address's last line
    pos = end
    while parts < max_parts:
        sep = _SEP.match(text, pos)
        nxt = sep.end() if sep else pos
        if nxt == pos and pos < len(text) and text[pos].isalnum():
            break  # parts are separated
        same_line = "\n" not in text[pos:nxt] and "," not in text[pos:nxt]
        # a street named without a number: after a street on its line ("Cheriton Dr
        # Reuquen Extensions"), or on the line after a unit ("Flat 23\nBeverley hills")
        after_unit = prev in ("unit", "subunit")
        named = _named_street(text, nxt, lower_text, is_type) if same_line or after_unit else None
        part = (named, "street") if named is not None else _part_at(text, nxt, lower_text)
        if part is None and prev == "zip":
            part = _place_at(text, nxt, lower_text, after_code=True)  # "9590NC\nColmschate by Friday"
        if part is None:
            break
        part_end, kind = part
        if weak and parts == 0 and same_line and kind in ("place", "region", "code", "blank"):
            break  # "FIFA 23 Ultimate Edition": a name-and-number line's place comes after a comma or a line break
        if kind == "zip" and same_line and prev not in ("place", "region", "blank"):
            break  # a run of numbers ("4111 1111 1111") is not an address's code
        strong = strong or kind in ("unit", "military")  # not "Floor 7", "Room 5": parts of a building
        postal = postal or kind == "code" or (kind == "zip" and prev in ("place", "region"))
        postal = postal or (kind == "place" and prev == "zip")
        if kind == "code?":
            kind = "code"
        country = country or (kind in ("place", "code") and is_country(text[nxt:part_end]))
        located = (
            located
            or kind == "code"
            or (kind == "zip" and prev in ("place", "region"))
            or (kind == "place" and is_country(text[nxt:part_end]))
        )
        prev = kind
        parts += 1
        pos = end = part_end
    return Block(start, end, strong, parts, located, country, postal)


def _named_street(text: str, pos: int, lower_text: bool, is_type: Callable[[str], bool]) -> int | None:
    """End of a street named by words and a type word at ``pos`` ("Leokadia Trail",
    "Inna Loop St."), no number."""
    m = _NAMED_STREET.match(text, pos)
    if not m:
        return None
    words = [(w.group(0), pos + w.end()) for w in re.finditer(r"\S+", m.group("name"))]
    for n in range(len(words), 1, -1):  # the longest run ending in a street-type word
        last, end = words[n - 1]
        bare = last.rstrip(".,").lower()
        if bare not in PARTICLES and is_type(bare) and name_ok([w for w, _ in words[: n - 1]], lower_text):
            if last.endswith(","):
                end -= 1
            elif not last.endswith(".") and text[end : end + 1] == ".":
                end += 1
            return end
    return None


def weak_street(text: str, m: re.Match[str], is_after_type: Callable[[str], bool]) -> tuple[int, bool] | None:
    """Start of a name-and-number street line found by :data:`WEAK_STREET`, and whether
    a street type stands after its name (then it is a street on its own)."""
    lower_text = _is_lower(text[max(0, m.start() - 200) : m.end() + 200])
    trimmed = trim_name(m.group("name"), lower_text, is_after_type)
    if trimmed is None:
        return None
    offset, typed = trimmed
    return m.start() + offset, typed


def has_context(text: str, start: int, window: int = 40) -> bool:
    before = text[max(0, start - window) : start].lower()
    return any(word in before for word in _CONTEXT)
