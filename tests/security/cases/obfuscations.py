"""What people really write to slip contact data past a filter: e-mails spelled out
(``maria dot roe at example dot com``, ``-at-``, ``AT``/``DOT``, letters spaced apart,
split by a line break), numbers in number words (``four one five, double five``), mixed
words and digits, one digit at a time with dashes or dots, split over a line, with an
extension; IBANs, IP addresses and dates of birth in the same shapes; profile URLs
written without a scheme and handles.

Each form is tried in three places: (a) a declared free-text column (``redact_detected``)
inside a sentence, (b) a column declared ``none`` (the per-value guard) and (c) an
undeclared column released by detection (``undeclared: detect``, a few categories), the
value alone. Values are computed from the case id (:mod:`tests.security.values`)."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, key
from tests.security.ledger import Case, with_fragments

ATTACK = "disguised-values"
TEXTS = 30
QUIET = 150  # past the profiler's default sample: the harmless start is released
LOUD = 30
TIERS = ("bronze", "silver", "gold", "platinum")
FREE_TEXT = "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"
NONE = "id: {pii: none}\nref: {pii: none}"
RELEASED = "id: {pii: none}"

# rng -> (a sentence holding the value, the value as written alone, the planted forms)
Form = Callable[[Random], tuple[str, str, list[str]]]

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
COUNTRY_LENGTHS = {"DE": 18, "FR": 23, "NL": 10, "ES": 20}  # digits after the check digits (NL: 4 letters first)


def _free_text(case_id: str, description: str, form: Form) -> Case:
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(TEXTS):
        sentence, _, forms = form(r)
        planted.extend(forms)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": sentence})))
    return _case(case_id, f"free text: {description}", FREE_TEXT, records, planted)


def _guarded(case_id: str, description: str, form: Form, released: bool) -> Case:
    r = v.rng(case_id)
    column = "tier" if released else "ref"
    records, planted = [], []
    for n in range(QUIET):
        quiet = TIERS[n % len(TIERS)] if released else f"R{n:04d}"
        records.append(Rec(key(n), change(table(case_id), {"id": n, column: quiet})))
    for n in range(QUIET, QUIET + LOUD):
        _, alone, forms = form(r)
        planted.extend(forms)
        records.append(Rec(key(n), change(table(case_id), {"id": n, column: alone})))
    where = "released categorical" if released else "declared none"
    return _case(case_id, f"{where}: {description}", RELEASED if released else NONE, records, planted)


def _case(case_id: str, description: str, columns: str, records: list[Rec], planted: list[str]) -> Case:
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, columns),
        tuple(records),
        tuple(dict.fromkeys(p for p in planted if len(p) >= 6)),
    )


def _three(form_id: str, description: str, form: Form) -> list[Case]:
    return [
        _free_text(f"obf-text-{form_id}", description, form),
        _guarded(f"obf-none-{form_id}", description, form, released=False),
        _guarded(f"obf-released-{form_id}", description, form, released=True),
    ]


# -- shapes -------------------------------------------------------------------------------


def _spoken(digits: str, r: Random, oh: bool = True) -> str:
    """Digits as number words; zero sometimes 'oh'; two or three alike sometimes
    'double'/'triple'."""
    out: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        run = 1
        while i + run < len(digits) and digits[i + run] == d and run < 3:
            run += 1
        word = "oh" if d == "0" and oh and r.random() < 0.5 else WORDS[int(d)]
        if run >= 2 and r.random() < 0.6:
            out.append(f"{'double' if run == 2 else 'triple'} {word}")
            i += run
        else:
            out.append(word)
            i += 1
    return " ".join(out)


def _mixed(digits: str, r: Random) -> str:
    """Each digit a word or a digit, at random, at least one of each kind."""
    parts = [WORDS[int(d)] if r.random() < 0.5 else d for d in digits]
    if all(p.isdigit() for p in parts):
        parts[0] = WORDS[int(digits[0])]
    if not any(p.isdigit() for p in parts):
        parts[-1] = digits[-1]
    return " ".join(parts)


def _groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, pos = [], 0
    for size in sizes:
        out.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        out.append(digits[pos:])
    return out


PHONE = (3, 3, 4)
SSN = (3, 2, 4)
CARD = (4, 4, 4, 4)


def _iban(r: Random) -> str:
    country = r.choice(sorted(COUNTRY_LENGTHS))
    body = "".join(str(r.randrange(10)) for _ in range(COUNTRY_LENGTHS[country]))
    if country == "NL":
        body = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + body
    rearranged = body + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{country}{98 - number % 97:02d}{body}"


def _ipv4(r: Random) -> str:
    first = r.choice([n for n in range(23, 224) if n not in (127, 169, 172, 192)])
    return f"{first}.{r.randrange(0, 256)}.{r.randrange(0, 256)}.{r.randrange(1, 255)}"


def _ipv6(r: Random) -> str:
    return "2001:db8:" + ":".join(f"{r.randrange(1, 0xFFFF):x}" for _ in range(6))


# -- forms --------------------------------------------------------------------------------


def _mail(shape: Callable[[str, str, str, Random], str], lead: str = "Write to {} please.") -> Form:
    def make(r: Random) -> tuple[str, str, list[str]]:
        email = v.email(r)
        local, domain = email.split("@")
        name, tld = domain.rsplit(".", 1)
        shown = shape(local, name, tld, r)
        return lead.format(shown), shown, [shown, email]

    return make


def _number(
    make_raw: Callable[[Random], str],
    shape: Callable[[str, Random], str],
    lead: str,
    raw_planted: bool = True,
    cued: bool = False,
) -> Form:
    """A number (or a date) shaped by ``shape``; alone as it is, or with its sentence's
    cue word (``cued``: a date is a date of birth only next to one)."""

    def make(r: Random) -> tuple[str, str, list[str]]:
        raw = make_raw(r)
        shown = shape(raw, r)
        alone = lead.format(shown).split(" in ")[0] if cued else shown
        return lead.format(shown), alone, [shown, raw] if raw_planted else [shown]

    return make


def _words_grouped(sizes: tuple[int, ...], sep: str = ", ") -> Callable[[str, Random], str]:
    return lambda raw, r: sep.join(_spoken(g, r) for g in _groups(raw, sizes))


def _mixed_grouped(sizes: tuple[int, ...]) -> Callable[[str, Random], str]:
    return lambda raw, r: ", ".join(_mixed(g, r) for g in _groups(raw, sizes))


def _one_by_one(raw: str, r: Random) -> str:
    return r.choice(("-", ".", " - ", " / ")).join(raw)


def _line_break(sizes: tuple[int, ...], sep: str = "-") -> Callable[[str, Random], str]:
    def shape(raw: str, r: Random) -> str:
        groups = _groups(raw, sizes)
        cut = r.randrange(1, len(groups))
        return sep.join(groups[:cut]) + r.choice(("\n", f"{sep}\n", "\r\n")) + sep.join(groups[cut:])

    return shape


def _extension(raw: str, r: Random) -> str:
    number = r.choice((f"({raw[:3]}) {raw[3:6]}-{raw[6:]}", f"{raw[:3]}.{raw[3:6]}.{raw[6:]}", raw))
    ext = r.choice(("ext. {}", "x{}", "ext {}", "extension {}", "#{}")).format(r.randrange(10, 9999))
    return f"{number} {ext}"


def _ip_words(ip: str, r: Random) -> str:
    return r.choice((" dot ", " DOT ", " [dot] ", "[.]", " . ")).join(ip.split("."))


def _dob(r: Random) -> str:
    return v.birth_date(r).isoformat()


ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _two_digit_words(n: int) -> str:
    if n < 10:
        return f"oh {WORDS[n]}"
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + (f"-{WORDS[n % 10]}" if n % 10 else "")


def _dob_words(iso: str, r: Random) -> str:
    year, month, day = (int(p) for p in iso.split("-"))
    ordinal = ORDINALS[day - 1] if day <= 20 else (f"twenty-{ORDINALS[day - 21]}" if day < 30 else f"{day}th")
    spoken_year = f"{_two_digit_words(year // 100)} {_two_digit_words(year % 100)}"
    if r.random() < 0.5:
        return f"the {ordinal} of {MONTHS[month - 1]} {spoken_year}"
    return f"{MONTHS[month - 1]} {ordinal}, {spoken_year}"


def _dob_spaced(iso: str, r: Random) -> str:
    year, month, day = iso.split("-")
    sep = r.choice((" / ", " - ", " . ", " "))
    return sep.join((month, day, year) if r.random() < 0.5 else (day, month, year))


def _profile(r: Random) -> tuple[str, str, list[str]]:
    first, last = r.choice(v.FIRST).lower(), r.choice(v.LAST).lower()
    tag = f"{r.randrange(16**4):04x}"
    shown = r.choice(
        (
            f"linkedin.com/in/{first}-{last}-{tag}",
            f"www.linkedin.com/in/{first}{last}{tag}",
            f"facebook.com/{first}.{last}.{tag}",
            f"instagram.com/{first}_{last}{tag[:2]}",
            f"x.com/{first}{last}{tag[:2]}",
            f"github.com/{first}-{last}{tag[:2]}",
        )
    )
    return f"Found her profile: {shown} (ask before adding).", shown, [shown]


# Names the public lists know (as in guard_disguises.py): a handle made of them is a person.
KNOWN_FIRST = ("Maria", "James", "Aisha", "Carlos", "Fatima", "Olga")
KNOWN_LAST = ("Gonzalez", "Nakamura", "Whitfield", "Haddad", "Moreau", "Kowalski")


def _handle(r: Random) -> tuple[str, str, list[str]]:
    first, last = r.choice(KNOWN_FIRST).lower(), r.choice(KNOWN_LAST).lower()
    shown = f"@{first}{r.choice(('_', '.', '-'))}{last}{r.choice(('', str(r.randrange(10, 99))))}"
    return f"follow {shown} on instagram for updates", shown, [shown]


CASES = [
    # 1. e-mails
    *_three(
        "email-dot-at-words",
        "e-mails as 'x dot y at example dot com'",
        _mail(lambda lo, na, tld, r: f"{lo.replace('.', ' dot ')} at {na} dot {tld}"),
    ),
    *_three(
        "email-brackets-unspaced",
        "e-mails as 'x[at]example[dot]com'",
        _mail(lambda lo, na, tld, r: f"{lo}{r.choice(('[at]', '(at)', '{at}', '[AT]'))}{na}[dot]{tld}"),
    ),
    *_three(
        "email-parens-spaced",
        "e-mails as 'x (at) example (dot) com'",
        _mail(lambda lo, na, tld, r: f"{lo} (at) {na} (dot) {tld}"),
    ),
    *_three(
        "email-upper-words",
        "e-mails as 'x AT example DOT com'",
        _mail(lambda lo, na, tld, r: f"{lo.replace('.', ' DOT ')} AT {na} DOT {tld}"),
    ),
    *_three(
        "email-dashed-words",
        "e-mails as 'x -at- example -dot- com' and '_at_'",
        _mail(
            lambda lo, na, tld, r: "{0}{1}at{2}{3}{1}dot{2}{4}".format(
                lo, *r.choice((("-", "-"), ("_", "_"), (" -", "- "), (" _", "_ "))), na, tld
            )
        ),
    ),
    *_three(
        "email-letters-dotted",
        "e-mails as 'm.a.r.i.a.roe@example.com'",
        _mail(lambda lo, na, tld, r: ".".join(lo.split(".")[0]) + "." + lo.split(".")[1] + f"@{na}.{tld}"),
    ),
    *_three(
        "email-letters-spaced",
        "e-mails with every character spaced apart",
        _mail(lambda lo, na, tld, r: " ".join(f"{lo}@{na}.{tld}")),
    ),
    *_three(
        "email-line-break",
        "e-mails split by a line break at '@' or '.'",
        _mail(lambda lo, na, tld, r: r.choice((f"{lo}@\n{na}.{tld}", f"{lo}\n@{na}.{tld}", f"{lo}@{na}.\n{tld}"))),
    ),
    *_three(
        "email-spaced-separators",
        "e-mails with spaces around '@' and '.'",
        _mail(lambda lo, na, tld, r: f"{lo.replace('.', ' . ')} @ {na} . {tld}"),
    ),
    *_three(
        "email-at-sign-words",
        "e-mails as 'x at sign example period com'",
        _mail(
            lambda lo, na, tld, r: (
                f"{lo} {r.choice(('at sign', 'at-sign', 'at symbol'))} {na} "
                f"{r.choice(('period', 'dot', 'point'))} {tld}"
            )
        ),
    ),
    # 2. phone numbers
    *_three(
        "phone-words",
        "phone numbers in number words",
        _number(v.phone, _words_grouped(PHONE), "Call me back on {} tonight."),
    ),
    *_three(
        "phone-words-unbroken",
        "phone numbers in number words without pauses",
        _number(v.phone, _words_grouped(PHONE, " "), "my number is {} ok"),
    ),
    *_three(
        "phone-mixed",
        "phone numbers in words and digits mixed",
        _number(v.phone, _mixed_grouped(PHONE), "Call me back on {} tonight."),
    ),
    *_three(
        "phone-one-by-one",
        "phone numbers one digit at a time with dashes, dots or slashes",
        _number(v.phone, _one_by_one, "Text me on {} after work."),
    ),
    *_three(
        "phone-line-break",
        "phone numbers split over a line break",
        _number(v.phone, _line_break(PHONE), "Call me back on {} tonight."),
    ),
    *_three(
        "phone-extension",
        "phone numbers with an extension",
        _number(v.phone, _extension, "Office line {} during the week."),
    ),
    # 3. cards
    *_three(
        "card-words", "card numbers in number words", _number(v.card, _words_grouped(CARD), "Card number {} exp 09/29.")
    ),
    *_three(
        "card-mixed",
        "card numbers in words and digits mixed",
        _number(v.card, _mixed_grouped(CARD), "Card number {} exp 09/29."),
    ),
    *_three(
        "card-one-by-one",
        "card numbers one digit at a time with dashes, dots or slashes",
        _number(v.card, _one_by_one, "paid with {} yesterday"),
    ),
    *_three(
        "card-line-break",
        "card numbers split over a line break",
        _number(v.card, _line_break(CARD, " "), "paid with {} yesterday"),
    ),
    # 4. SSNs
    *_three("ssn-words", "SSNs in number words", _number(v.ssn, _words_grouped(SSN), "SSN is {} for the form.")),
    *_three(
        "ssn-mixed", "SSNs in words and digits mixed", _number(v.ssn, _mixed_grouped(SSN), "SSN is {} for the form.")
    ),
    *_three(
        "ssn-one-by-one",
        "SSNs one digit at a time with dashes, dots or slashes",
        _number(v.ssn, _one_by_one, "social security {} on file"),
    ),
    *_three(
        "ssn-line-break", "SSNs split over a line break", _number(v.ssn, _line_break(SSN), "SSN is {} for the form.")
    ),
    # 5. IBANs, IP addresses, dates of birth
    *_three(
        "iban-lower-regrouped",
        "IBANs in lower case, grouped by fives or dots",
        _number(
            _iban,
            lambda raw, r: r.choice((" ", ".", "-")).join(raw.lower()[i : i + 5] for i in range(0, len(raw), 5)),
            "IBAN {} for the refund.",
        ),
    ),
    *_three(
        "iban-line-break",
        "IBANs split over a line break",
        _number(
            _iban,
            lambda raw, r: (
                " ".join(raw[i : i + 4] for i in range(0, 12, 4))
                + "\n"
                + " ".join(raw[i : i + 4] for i in range(12, len(raw), 4))
            ),
            "IBAN {} for the refund.",
        ),
    ),
    *_three(
        "iban-spaced",
        "IBANs with every character spaced apart",
        _number(_iban, lambda raw, r: " ".join(raw), "IBAN {} for the refund."),
    ),
    *_three(
        "ipv4-dot-words",
        "IPv4 addresses with 'dot', '[dot]', '[.]' or ' . '",
        _number(_ipv4, _ip_words, "logged in from {} twice", raw_planted=True),
    ),
    *_three(
        "ipv6-spaced",
        "IPv6 addresses split over a line break or in brackets with a port",
        _number(
            _ipv6,
            lambda raw, r: r.choice((f"[{raw}]:8443", raw.upper(), raw.replace(":", ":\n", 1))),
            "logged in from {} twice",
        ),
    ),
    *_three(
        "dob-words",
        "dates of birth in words",
        _number(_dob, _dob_words, "born on {} in Leeds", raw_planted=False, cued=True),
    ),
    *_three(
        "dob-spaced",
        "dates of birth with spaced separators",
        _number(_dob, _dob_spaced, "DOB: {} in the file", raw_planted=False, cued=True),
    ),
    # 6. identity in URLs
    *_three("profile-url", "profile URLs without a scheme", _profile),
    *_three("handle-known-names", "handles made of a known first name and surname", _handle),
]


def _hostile_shapes(case_id: str) -> Case:
    """Text built to make the readings backtrack or run long (runs of 'dot' words, number
    words, single digits, spaced characters, line breaks, IBAN-like groups, URL labels)
    in a free-text column and a column declared none, each ending in a spelled e-mail."""
    r = v.rng(case_id)
    shapes = [
        "a-dot-" * 800, "a_at_" * 800, "maria dot " * 500, "four one five " * 600, "four, " * 1500,
        "1-" * 2000, "a " * 3000, "12-\n" * 1500, "a\n@" * 1500, "2001:\n" * 1000, "a." * 2000 + "com/",
        "@a_b" * 2000, "the first of May " * 500, "1 dot " * 2000, "DE12" + "a" * 4000,
    ]  # fmt: skip
    records, planted = [], []
    for n, shape in enumerate(shapes):
        email = v.email(r)
        local, domain = email.split("@")
        spelled = f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"
        planted.extend([spelled, email])
        after = {"id": n, "notes": f"{shape} write to {spelled}", "ref": f"{shape} {spelled}"}
        records.append(Rec(key(n), change(table(case_id), after)))
    return Case(
        case_id,
        "resources",
        "readings of written-out values on text built to backtrack (60 KB per value)",
        declaration(case_id, FREE_TEXT + "\nref: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        bounded=True,
    )


CASES.append(_hostile_shapes("obf-hostile-shapes"))  # fmt: skip
CASES = with_fragments(CASES)  # a partial leak (a surname, the last six digits) counts too
