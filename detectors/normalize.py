"""One normaliser for every matcher: text as a reader sees it, with a way back.

Detection and audit match on :func:`normalize`'s text, never on the raw one, so a value
disguised by encoding still reads as itself:

1. characters: Unicode format characters (zero-width space/joiner, soft hyphen, BOM,
   bidi marks: category Cf) and the Hangul fillers (letters drawn as nothing) are removed; each cluster (a character and the combining
   marks after it) is put in NFKC (full-width digits and letters, ligatures, the NBSP);
   nonspacing marks are dropped (``é`` reads ``e``), confusable letters (Cyrillic and
   Greek lookalikes) fold to their ASCII twin, decimal digits of any script to ``0-9``,
   every dash to ``-``, every space to ``' '``, dot- and slash-like marks to ``.``/``/``,
   typographic apostrophes to ``'``;
2. runs of spaces and tabs become one space; four or more single digits spaced apart
   (``4 1 5 5 ...``) become one number;
3. percent-encoding (once or twice) and HTML entities of ``@ . + - _`` are decoded;
4. bracketed spellings (``[at]``, ``(dot)``, ``[.]``, ``{@}``) become ``@`` / ``.``;
5. inside an e-mail shape only, spaced and spelled separators (``john dot smith at
   example dot com``, ``john @ example . com``, ``john-at-example-dot-com``, ``john at sign
   example period com``) become ``@`` / ``.``. A bare `` at `` with only real
   dots counts when the local part has a dot, digit, ``_`` or ``+`` ("look at example.com"
   stays prose); ``period``/``point`` for a dot count only before a top-level domain.
6. what people write to slip a value past a filter (:mod:`detectors.spoken`): a line
   break inside a number, an e-mail or an IPv6 address goes, and so does a word's
   hyphen at the end of a line ('Gonz-' / 'alez'; 'Adeyemi-' / 'Okafor' keeps the hyphen); eight or more single
   characters spaced apart (``j o h n @ e x a m p l e . c o m``, ``D E 8 9 3 7 ...``) are
   joined when letters are among them; a dictated number (``four one five, double five``,
   ``4-1-5-5-5-...``) becomes its digits; an IPv4 address with ``dot`` or spaced dots
   gets plain dots.

Every pass records its edits; :meth:`Normalized.original_span` maps a span of the
normalised text back through them to the original characters, so a redaction covers
exactly what the reader saw as the value. Each pass is one linear scan with bounded
regular expressions; plain ASCII text with nothing to rewrite is returned as is (one
``isascii`` and one regex scan).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from detectors import spoken

# -- character folding ---------------------------------------------------------------------

# Characters that render like ASCII ones (from Unicode's confusables, the ones seen in
# disguised values): Cyrillic, Greek, Armenian and Latin lookalikes, and marks standing in
# for @ . / -. NFKC already handles full-width and styled forms. Escaped: the source shows
# what each one is.
_CONFUSABLES = {
    # Cyrillic
    **dict(
        zip("\u0430\u0432\u0435\u0451\u04bb\u0456\u0457\u0458\u043a\u043c\u043d\u043e", "abeehiijkmho", strict=True)
    ),
    **dict(
        zip("\u0440\u0441\u0442\u0443\u0445\u0455\u0501\u051b\u051d\u04cf\u04af\u044c", "pctyxsdqwlyb", strict=True)
    ),
    **dict(
        zip("\u0475\u0410\u0412\u0415\u0401\u041a\u041c\u041d\u041e\u0420\u0421\u0422", "vABEEKMHOPCT", strict=True)
    ),
    **dict(
        zip("\u0423\u0425\u0406\u0407\u0408\u0405\u0500\u051a\u051c\u04c0\u04ae\u0474", "YXIIJSDQWIYV", strict=True)
    ),
    **dict(zip("\u0417\u042c", "3b", strict=True)),
    # Greek
    **dict(
        zip("\u03b1\u03b2\u03b3\u03b5\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7", "abyeikvoptux", strict=True)
    ),
    **dict(
        zip("\u03c9\u03f2\u03f3\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d", "wcjABEZHIKMN", strict=True)
    ),
    **dict(zip("\u039f\u03a1\u03a4\u03a5\u03a7\u03f9", "OPTYXC", strict=True)),
    # other letters
    **dict(
        zip("\u0261\u0585\u057d\u0581\u0570\u0578\u0566\u0561\u0131\u0237\u017f\u01c0", "goughnqwijsl", strict=True)
    ),
    **dict(zip("\ua4f2\u217c", "Il", strict=True)),
    # marks
    **dict(
        zip("\u00b7\u2027\u30fb\u3002\u2219\u2022\u22c5\u2215\u2044\u29f8\uff20\ufe6b", ".......///@@", strict=True)
    ),
    **dict(
        zip("\u24d0\u2212\u2010\u2011\u2012\u2013\u2014\u2015\u2043\ufe58", "@---------", strict=True)
    ),  # apostrophes: 'Osei\u2019s' reads as "Osei's", 'O\u2019Brien' as "O'Brien"
    **dict.fromkeys("\u2019\u2018\u02bc\uff07", "'"),
}

# Characters that join the character before them into one cluster for NFKC: combining
# marks, and the few starters that compose with a preceding one (Hangul medial vowels
# and final consonants, some Indic and other vowel signs).
_COMPOSING_STARTERS = frozenset(
    [chr(c) for c in range(0x1161, 0x1176)]
    + [chr(c) for c in range(0x11A8, 0x11C3)]
    + [
        chr(int(parts[1], 16))
        for cp in range(0x00C0, 0x20000)
        if (d := unicodedata.decomposition(chr(cp))) and not d.startswith("<")
        and len(parts := d.split()) == 2 and unicodedata.combining(chr(int(parts[1], 16))) == 0
    ]
)  # fmt: skip


@lru_cache(maxsize=16384)
def _joins(ch: str) -> bool:
    return bool(unicodedata.combining(ch)) or ch in _COMPOSING_STARTERS or unicodedata.category(ch) == "Cf"


# Hangul fillers: letters by category, but Default_Ignorable (drawn as nothing): a card
# grouped with them ('6011\u3164 2530...') reads as the card
_IGNORABLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


@lru_cache(maxsize=16384)
def _fold_char(ch: str) -> str:
    """What one character reads as (ASCII whenever it has an ASCII twin)."""
    if ch < "\x80":
        return ch
    if ch in _IGNORABLE_LETTERS:
        return ""
    if ch in _CONFUSABLES:  # before NFKC, which turns some lookalikes into others
        return _CONFUSABLES[ch]
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Mn", "Me"):
        return ""
    if cat == "Zs":
        return " "
    if cat in ("Zl", "Zp"):
        return "\n"
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c < "\x80":
            out.append(c)
            continue
        cc = unicodedata.category(c)
        if cc in ("Cf", "Mn", "Me") or c in _IGNORABLE_LETTERS:
            continue
        if cc == "Zs":
            out.append(" ")
        elif c in _CONFUSABLES:
            out.append(_CONFUSABLES[c])
        elif cc == "Nd":
            out.append(str(unicodedata.decimal(c)))
        elif cc == "Pd":
            out.append("-")
        else:
            base = unicodedata.normalize("NFD", c)
            if base[0] < "\x80" and all(unicodedata.combining(x) for x in base[1:]):
                out.append(base[0])  # a Latin letter with accents
            elif base[0] in _CONFUSABLES and all(unicodedata.combining(x) for x in base[1:]):
                out.append(_CONFUSABLES[base[0]])
            else:
                out.append(c)
    return "".join(out)


def _fold_cluster(cluster: str) -> str:
    """Marks and format characters go before composition (so what is left composes as
    it will on the next reading); bounded repeats reach the fixed point."""
    for _ in range(3):
        kept = "".join(
            _CONFUSABLES.get(c, c)
            for c in cluster
            if unicodedata.category(c) not in ("Cf", "Mn", "Me") and c not in _IGNORABLE_LETTERS
        )
        folded = "".join(_fold_char(c) for c in unicodedata.normalize("NFKC", kept))
        if folded == cluster:
            break
        cluster = folded
    return cluster


# -- offset maps ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pass:
    """The edits one pass made, in output order: (out_start, out_end, in_start, in_end).
    Text between edits is copied one to one."""

    out_starts: list[int]
    edits: list[tuple[int, int, int, int]]

    def char_span(self, i: int) -> tuple[int, int]:
        """The input span output character ``i`` came from."""
        k = bisect_right(self.out_starts, i) - 1
        if k < 0:
            return i, i + 1
        o_s, o_e, i_s, i_e = self.edits[k]
        if i < o_e:
            if o_e - o_s == i_e - i_s:  # one-to-one replacement (e.g. full-width digits)
                j = i_s + (i - o_s)
                return j, j + 1
            return i_s, i_e
        j = i - o_e + i_e
        return j, j + 1


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    passes: tuple[_Pass, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.passes)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters behind ``text[start:end]``."""
        if not self.passes:
            return start, end
        if end <= start:
            pos = self.original_span(start, start + 1)[0] if start < len(self.text) else len(self.original)
            return pos, pos
        s, e = start, end - 1
        for p in reversed(self.passes):
            s = p.char_span(s)[0]
            e = p.char_span(e)[1] - 1
        return s, e + 1


def _apply(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, _Pass]:
    """Apply sorted, non-overlapping (start, end, replacement) edits to ``text``."""
    parts: list[str] = []
    out_starts: list[int] = []
    recorded: list[tuple[int, int, int, int]] = []
    pos = out = 0
    for start, end, rep in edits:
        parts.append(text[pos:start])
        out += start - pos
        if recorded and recorded[-1][1] == out and recorded[-1][3] == start and len(rep) == end - start == 1:
            o_s, o_e, i_s, i_e = recorded[-1]
            if o_e - o_s == i_e - i_s:  # extend a run of one-to-one replacements
                recorded[-1] = (o_s, o_e + 1, i_s, i_e + 1)
                parts.append(rep)
                out += 1
                pos = end
                continue
        out_starts.append(out)
        recorded.append((out, out + len(rep), start, end))
        parts.append(rep)
        out += len(rep)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), _Pass(out_starts, recorded)


# -- passes --------------------------------------------------------------------------------

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SPACES = re.compile(r"[ \t]{2,}|\t")
_SPACED_DIGITS = re.compile(r"(?<![\w.,])\d(?: \d){3,}(?![\w.,])")
_ENCODED = re.compile(r"%(?:25)?(?:40|2[EeBbDd]|5[Ff])|&(?:#0*64|#[xX]0*40|commat|#0*46|#[xX]0*2[eE]|period);")
_DECODED = {"40": "@", "2e": ".", "2b": "+", "2d": "-", "5f": "_"}
_BRACKETED = re.compile(r"(?i)[\[({<][ \[({<]{0,8}(at|dot|@|\.)[ \])}>]{0,8}(?<=[\])}>])")
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Spelled separators: ' at ', '-at-', '_at_', ' at sign ', ' at symbol '; ' dot ', '-dot-',
# '_dot_', ' period ', ' point ' (the last two only before a top-level domain).
_AT = r" ?@ ?| at(?:[ -]sign| symbol)? | ?[-_]at[-_] ?"
_DOT = r" (?:\.|dot|period|point) | ?[-_]dot[-_] ?"


def _mail_shape(at: str, dot: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?i)(?<![A-Za-z0-9._%+'@-])(?P<local>{_LOCAL}(?:(?:{dot}){_LOCAL}){{0,4}})(?P<at>{at})"
        rf"(?P<domain>{_LABEL}(?:(?:\.|{dot}){_LABEL}){{1,8}})(?![A-Za-z0-9-])"
    )


_SPELLED_MAIL = _mail_shape(_AT, _DOT)
# Without the '-at-'/'_dot_' forms (the local part's own '-' and '_' make the full shape
# backtrack twice as much): for text that has none of them.
_SPACED_MAIL = _mail_shape(r" ?@ ?| at(?:[ -]sign| symbol)? ", r" (?:\.|dot|period|point) ")
_SPELLED_DOT = re.compile(rf"(?i){_DOT}")
_WORD_DOT = re.compile(r"(?i) (?:period|point) ")
_DOMAIN_SPLIT = re.compile(rf"(?i)\.|{_DOT}")
_MAIL_HINT = re.compile(r"(?i) at | @|@ |[-_]at[-_]| at[ -]s")
_LOCAL_MARKS = re.compile(r"[._+0-9]")
# Generic top-level domains people write addresses and links under (the URL recognizer
# reads a host without a scheme only under these or a country code).
COMMON_TLDS = frozenset(
    ["com", "org", "net", "edu", "gov", "mil", "info", "biz", "name", "pro", "mobi", "app", "dev", "io"]
)
# Top-level domains a 'period'/'point' must come before to count as a dot (and the local
# part must have a dot, a digit, '_' or '+'): the generic ones people write out and
# common country codes, not two-letter words ('in', 'to', 'me').
_WORD_TLDS = COMMON_TLDS | frozenset(
    ["co", "uk", "de", "fr", "nl", "es", "ca", "au", "us", "ch", "se", "dk", "fi", "pl", "ie", "nz", "jp", "br", "mx"]
)
# Plain ASCII text with none of these needs no pass at all (substring tests run in C).
_TRIGGERS = ("  ", "\t", "%", "&", "[", "(", "{", "<", "@", "\n")
# One token (no space): only '-at-', '_dot_' and the like can be in it.
_SLOW_TOKEN = re.compile(r"[_-][aA][tT][_-]|[_-][dD][oO][tT][_-]")
# ...nor with none of these (one regex search): spelled separators, spaced digits or
# dotted numbers, eight single characters spaced apart.
_SLOW = re.compile(
    r"[ _-][aA][tT][ _-]|[ _-][dD][oO][tT][ _-]|\d \. \d|(?<![\w.,])\d(?: \d){3,}(?![\w.,])|(?<!\S)\S(?: \S){7}"
)


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on demand with :func:`_fold_char`."""

    def __missing__(self, key: int) -> str:
        value = self[key] = _fold_char(chr(key))
        return value


_FOLD_TABLE = _FoldTable()


@lru_cache(maxsize=1)
def _joiner() -> re.Pattern[str]:
    """A character class of every joining character (built on first non-ASCII text)."""
    ranges: list[list[int]] = []
    for cp in (*range(0x80, 0x30000), *range(0xE0000, 0xE1000)):
        if _joins(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    _joins.cache_clear()
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def _chars(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    joiner = _joiner()
    for m in _NON_ASCII.finditer(text):
        run, base = m.group(0), m.start()
        if not joiner.search(run):  # no clusters: one C-speed translate of the whole run
            folded = run.translate(_FOLD_TABLE)
            if folded == run:
                continue
            if len(folded) == len(run):
                edits.append((base, base + len(run), folded))  # one to one, mapped by position
                continue
        i, n = 0, len(run)
        while i < n:
            j = i + 1
            while j < n and _joins(run[j]):
                j += 1
            src = run[i:j]
            rep = _fold_char(src) if j == i + 1 else _fold_cluster(src)
            if rep != src:
                if len(rep) == len(src):
                    edits.extend((base + i + k, base + i + k + 1, rep[k]) for k in range(len(src)))
                else:
                    edits.append((base + i, base + j, rep))
            i = j
    return edits


def _spaces(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), " ") for m in _SPACES.finditer(text)]


def _spaced_digits(text: str) -> list[tuple[int, int, str]]:
    """``4 1 5 5 5 5 0 1 2 3`` reads as one number: the spaces go."""
    out = []
    for m in _SPACED_DIGITS.finditer(text):
        base = m.start()
        out.extend((base + i, base + i + 1, "") for i in range(1, len(m.group(0)), 2))
    return out


def _encoded(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ENCODED.finditer(text):
        token = m.group(0).lower()
        if token[0] == "%":
            rep = _DECODED[token[-2:]]  # %40, and %2540 (encoded twice)
        else:
            rep = "@" if token in ("&commat;",) or token.rstrip(";").endswith(("64", "40")) else "."
        out.append((m.start(), m.end(), rep))
    return out


def _bracketed(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _BRACKETED.finditer(text):
        word = m.group(1).lower()
        out.append((m.start(), m.end(), "@" if word in ("at", "@") else "."))
    return out


def _spelled(text: str) -> list[tuple[int, int, str]]:
    if not _MAIL_HINT.search(text):
        return []
    out = []
    shape = _SPELLED_MAIL if _SLOW_TOKEN.search(text) else _SPACED_MAIL
    for m in shape.finditer(text):
        at, local, domain = m.group("at"), m.group("local"), m.group("domain")
        local_dots = list(_SPELLED_DOT.finditer(local))
        dots = list(_SPELLED_DOT.finditer(domain))
        if at == "@" and not dots and not local_dots:
            continue  # a plain address: nothing to rewrite
        if at.lower() == " at " and not dots and not local_dots and not _LOCAL_MARKS.search(local):
            continue  # "look at example.com": prose, not an address
        tld = _DOMAIN_SPLIT.split(domain)[-1].lower()
        if not (tld.isalpha() and 2 <= len(tld) <= 24):
            continue  # no top-level domain ('follow @jane.roe54'): a handle, not an address
        if (_WORD_DOT.search(domain) or _WORD_DOT.search(local)) and (
            tld not in _WORD_TLDS or not _LOCAL_MARKS.search(local)
        ):
            continue  # "met at school point blank", "and at some point in": prose
        out.extend((m.start("local") + d.start(), m.start("local") + d.end(), ".") for d in local_dots)
        if at != "@":
            out.append((m.start("at"), m.end("at"), "@"))
        base = m.start("domain")
        out.extend((base + d.start(), base + d.end(), ".") for d in dots)
    return out


# A line break inside a value: between digits (the number's own separator kept, or the
# one it uses elsewhere), around an e-mail's '@' or after its domain's dot, after an
# IPv6 group's colon.
_DIGIT_BREAK = re.compile(r"(?<=\d)[ \t]*([-./]?)[ \t]*\r?\n[ \t]*([-./]?)[ \t]*(?=\d)")
# A word hyphenated over a line ('Gonz-\nalez', 'Naka-\n  mura'): one word again, when
# a lower-case letter follows.
_WORD_BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_A-Z])")
# ... and a compound broken after its hyphen ('Adeyemi-\nOkafor'): the hyphen stays.
_COMPOUND_BREAK = re.compile(r"(?<=[^\W\d_]-)[ \t]*\r?\n[ \t]*(?=[A-Z\u00c0-\u00de])")
_MAIL_BREAK = re.compile(
    r"(?<=[A-Za-z0-9])[ \t]*\r?\n[ \t]*(?=@[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9]@)[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9]\.)[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9._%+-]{1,64}@)"
)
# (one label before the dot: 'x@state.gov.' then a line 'Subject' is a whole address and a full stop)
_DOMAIN_BREAK = re.compile(r"@[A-Za-z0-9-]{1,63}\.([ \t]*\r?\n[ \t]*)(?=[a-z]{2,24}\b)")
_IPV6_BREAK = re.compile(r"(?<![\w:])((?:[0-9A-Fa-f]{1,4}:){1,7})([ \t]*\r?\n[ \t]*)(?=[0-9A-Fa-f]{1,4}[:\s]|:)")
_GROUP_SEP = re.compile(r"\d([-./ ])\d{1,5}$")
_GROUP_SEP_AFTER = re.compile(r"\d{1,5}([-./ ])\d")
_NUMBER_TAIL = re.compile(r"[\d]+(?:[-./ ]\d+)*$")  # the number a line ends with
_NUMBER_HEAD = re.compile(r"\d+(?:[-./ ]\d+)*")  # the number the next line starts with


def _count_digits(run: str) -> int:
    return sum(c.isdigit() for c in run)


def _line_breaks(text: str) -> list[tuple[int, int, str]]:
    if "\n" not in text:
        return []
    out = number_line_breaks(text, unseparated=False)
    out.extend((m.start(), m.end(), "") for m in _MAIL_BREAK.finditer(text))
    out.extend((m.start(1), m.end(1), "") for m in _DOMAIN_BREAK.finditer(text))
    out.extend((m.start(2), m.end(2), "") for m in _IPV6_BREAK.finditer(text) if any(c.isdigit() for c in m.group(1)))
    out.extend((m.start(), m.end(), "") for m in _WORD_BREAK.finditer(text))
    out.extend((m.start(), m.end(), "") for m in _COMPOUND_BREAK.finditer(text))
    out.sort()
    kept: list[tuple[int, int, str]] = []
    for edit in out:  # one edit per break
        if not kept or edit[0] >= kept[-1][1]:
            kept.append(edit)
    return kept


def number_line_breaks(text: str, unseparated: bool) -> list[tuple[int, int, str]]:
    """Edits joining a number split over a line break: where the number's own separator
    stands at the break ('702-' / '859-8381'), or, with ``unseparated``, where none does
    and the separator it uses elsewhere joins it ('131-41' / '0293'). The normaliser
    joins only the first kind: lines of numbers without one (a postcode line over a phone
    line, 'APO AA 61487' / '416 60 039 office') are also lines of an address block;
    :mod:`detectors.unwrap` reads the second kind as an extra text."""
    out: list[tuple[int, int, str]] = []
    for m in _DIGIT_BREAK.finditer(text):
        sep = m.group(1) or m.group(2)
        if not sep and not unseparated:
            continue
        left = _NUMBER_TAIL.search(text, max(0, m.start() - 24), m.start())
        right = _NUMBER_HEAD.match(text, m.end(), m.end() + 24)
        if left is None or right is None or _count_digits(left.group(0)) + _count_digits(right.group(0)) < 7:
            continue  # two short numbers on two lines ('Flat 4' / '221 Baker St'): lines stay lines
        if not sep:  # the separator the number uses elsewhere ('131-41\n0293', '332\n88-5754')
            before = _GROUP_SEP.search(text, max(0, m.start() - 12), m.start())
            after = _GROUP_SEP_AFTER.match(text, m.end(), m.end() + 12)
            sep = before.group(1) if before is not None else after.group(1) if after is not None else " "
        out.append((m.start(), m.end(), sep))
    return out


def join_number_lines(text: str) -> str | None:
    """``text`` with every number split over a line break joined (None: none is)."""
    if "\n" not in text:
        return None
    edits = number_line_breaks(text, unseparated=True)
    return _apply(text, edits)[0] if edits else None


# Eight or more single characters spaced apart, letters among them: one word written
# letter by letter.
_SPACED_CHARS = re.compile(r"(?<!\S)[A-Za-z0-9@._+-](?: [A-Za-z0-9@._+-]){7,}(?!\S)")


_SPACED_CHARS_HINT = re.compile(r"\S \S \S \S \S \S \S \S")


def _spaced_chars(text: str) -> list[tuple[int, int, str]]:
    if not _SPACED_CHARS_HINT.search(text):
        return []
    out = []
    for m in _SPACED_CHARS.finditer(text):
        run = m.group(0)
        if sum(c.isalpha() for c in run) < 2:
            continue  # digits: the spoken and spaced-digits passes read them
        base = m.start()
        out.extend((base + i, base + i + 1, "") for i in range(1, len(run), 2))
    return out


def _spoken(text: str) -> list[tuple[int, int, str]]:
    if not spoken.might_hold(text):
        return []
    dates = spoken.spoken_dates(text, hinted=True)
    numbers = [
        n for n in spoken.spoken_numbers(text, hinted=True) if not any(n[0] < d[1] and d[0] < n[1] for d in dates)
    ]
    return sorted(dates + numbers)


# An IPv4 address with 'dot' or spaced dots ('10 dot 4 dot 22 dot 130', '10 . 4 . 22 . 130').
# Matched on the lower-cased text, starting on a digit; the character before is checked
# in Python (the engine skips ahead to digits in C).
_SPELLED_IP = re.compile(r"([0-9]{1,3})( ?\. ?| dot )([0-9]{1,3})\2([0-9]{1,3})\2([0-9]{1,3})(?![\w]|\.[0-9])")
_SPELLED_IP_HINT = re.compile(r"[0-9] \.|\. [0-9]| dot ")
_WORD_OR_DOT = re.compile(r"[\w.]")


def _spelled_ip(text: str) -> list[tuple[int, int, str]]:
    lowered = text.lower()
    if len(lowered) != len(text) or not _SPELLED_IP_HINT.search(lowered):
        return []
    out = []
    for m in _SPELLED_IP.finditer(lowered):
        if m.start() and _WORD_OR_DOT.match(lowered, m.start() - 1):
            continue
        if m.group(2) == "." or any(int(m.group(g)) > 255 for g in (1, 3, 4, 5)):
            continue
        for g in (3, 4, 5):  # the separator before each octet after the first
            out.append((m.end(g - 1 if g > 3 else 1), m.start(g), "."))
    return out


_PASSES = (_line_breaks, _spaces, _spaced_chars, _spoken, _spaced_digits, _encoded, _bracketed, _spelled_ip, _spelled)


def _needs_reading(text: str) -> bool:
    """Whether plain ASCII text with no trigger may still hold a spelled separator, a
    spaced or dictated number or spaced characters. One token (no space) can hold only
    '-at-' and the like, or digits between separators."""
    if " " in text or "\t" in text:
        return _SLOW.search(text) is not None or spoken.might_hold(text)
    if ("_" in text or "-" in text) and _SLOW_TOKEN.search(text):
        return True
    return spoken.might_hold(text)


def normalize(text: str) -> Normalized:
    """``text`` as a reader sees it, and the way back to the original characters."""
    plain = text.isascii()
    if plain and not any(t in text for t in _TRIGGERS) and not _needs_reading(text):
        return Normalized(text, text)
    passes: list[_Pass] = []
    current = text
    for step in (_PASSES) if plain else (_chars, *_PASSES):
        edits = step(current)
        if edits:
            current, record = _apply(current, edits)
            passes.append(record)
    return Normalized(text, current, tuple(passes))
