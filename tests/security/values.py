"""Deterministic personal data for the attack ledger: every value is computed from a
seed (a case id), never taken from a file, so a case plants the same values each run.

Card numbers pass Luhn, SSNs sit in issued ranges, phone numbers are valid North American
numbers, e-mails live on the reserved example domains and names come from a small list.
"""

from __future__ import annotations

import base64
import gzip
import random
import zlib
from datetime import date, timedelta

FIRST = ("Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "Liam", "Priya", "Kenji", "Amara", "Henrik")
LAST = ("Gonzalez", "Okafor", "Lindqvist", "Nakamura", "Petrov", "Whitfield", "Haddad", "Moreau", "Kowalski", "Osei")
STREETS = ("Rose Lane", "Blue Gum St", "Harbor View Rd", "Maple Avenue", "Kingsway", "Elm Court", "Quarry Hill Dr")
DOMAINS = ("example.com", "example.org", "example.net")
CARD_PREFIXES = ("4539", "4916", "5425", "2221", "6011", "3530")  # Visa, Mastercard 5/2-series, Discover, JCB
HARMLESS = ("n/a", "", "none", "-", "pending", "unknown")


def rng(seed: str) -> random.Random:
    return random.Random(zlib.crc32(seed.encode()))


def luhn_complete(digits: str) -> str:
    """``digits`` plus the check digit that makes the whole pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these sit at odd positions once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card(r: random.Random) -> str:
    prefix = r.choice(CARD_PREFIXES)
    body = prefix + "".join(str(r.randrange(10)) for _ in range(15 - len(prefix)))
    return luhn_complete(body)


def ssn(r: random.Random) -> str:
    """Nine digits in the issued ranges: area 001-665 or 667-899, group 01-99, serial 0001-9999."""
    area = r.choice([a for a in range(101, 900) if a != 666])
    return f"{area:03d}{r.randrange(1, 100):02d}{r.randrange(1, 10000):04d}"


def ssn_dashed(value: str) -> str:
    return f"{value[:3]}-{value[3:5]}-{value[5:]}"


def phone(r: random.Random) -> str:
    """Ten digits of a valid North American number (area and exchange start 2-9, no 555, no N11)."""
    area = r.choice((212, 312, 415, 617, 718, 206, 303, 404, 512, 646, 702, 917))
    exchange = r.randrange(200, 1000)
    while exchange % 100 == 11 or exchange == 555:
        exchange = r.randrange(200, 1000)
    return f"{area}{exchange}{r.randrange(0, 10000):04d}"


def name(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def email(r: random.Random, n: int = 0) -> str:
    first, last = r.choice(FIRST).lower(), r.choice(LAST).lower()
    return f"{first}.{last}{n or r.randrange(10, 99)}@{r.choice(DOMAINS)}"


def address(r: random.Random) -> str:
    return f"{r.randrange(12, 9800)} {r.choice(STREETS)}"


def birth_date(r: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=r.randrange(0, 365 * 60))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def decimal_b64(unscaled: int) -> str:
    """A Connect ``Decimal`` value: base64 of the unscaled big-endian two's-complement integer."""
    return base64.b64encode(unscaled.to_bytes((unscaled.bit_length() + 8) // 8, "big", signed=True)).decode()


# Disguises a reader decodes (percent, HTML entities, quoted-printable, gzip in base64),
# applied to the whole text.
def percent_all(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


def entities_all(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def qp_all(text: str) -> str:
    return "".join(f"={b:02X}" for b in text.encode())


def gzip_b64(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()


# People's names in scripts other than Latin, and Latin names with letters outside ASCII
# (first names, surnames): none is in the census name lists the detectors know, and the
# English NER model reads none of the non-Latin ones. Han names are transliterations of
# foreign names (with the middle dot), long enough to be searched for.
NAMES_BY_SCRIPT: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "cyrillic": (
        ("Ольга", "Иван", "Наталья", "Дмитрий", "Екатерина", "Сергей", "Анна", "Алексей"),
        ("Петрова", "Смирнов", "Кузнецова", "Соколов", "Волкова", "Морозов", "Лебедева"),
        " ",
    ),
    "greek": (
        ("Γιώργος", "Ελένη", "Νίκος", "Μαρία", "Κώστας", "Δημήτρης", "Σοφία"),
        ("Παπαδόπουλος", "Γεωργίου", "Αλεξίου", "Οικονόμου", "Νικολάου", "Βασιλείου"),
        " ",
    ),
    "han": (
        ("玛丽亚", "詹姆斯", "奥尔加", "卡洛斯", "法蒂玛", "利亚姆", "普里娅", "亨里克"),
        ("冈萨雷斯", "奥卡福", "林德奎斯特", "彼得罗夫", "惠特菲尔德", "莫罗", "科瓦尔斯基"),
        "·",
    ),
    "arabic": (
        ("فاطمة", "محمد", "أحمد", "مريم", "خالد", "يوسف", "ليلى"),
        ("حداد", "العلي", "منصور", "الخطيب", "السعيد", "الحسيني"),
        " ",
    ),
    "hebrew": (("דוד", "שרה", "משה", "רחל", "יוסף", "מרים"), ("כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם"), " "),
    "latin-accented": (
        ("Łukasz", "Małgorzata", "Ayşe", "Çağla", "Gökhan", "Şule", "Paweł"),
        ("Wójcik", "Kamiński", "Öztürk", "Çelik", "Şahin", "Doğan", "Zieliński"),
        " ",
    ),
}


def name_in(r: random.Random, script: str) -> str:
    """A full name written in ``script`` (a key of :data:`NAMES_BY_SCRIPT`)."""
    first, last, sep = NAMES_BY_SCRIPT[script]
    return f"{r.choice(first)}{sep}{r.choice(last)}"


# IANA's internationalised test domains (RFC 2606 'example.test' in other scripts).
IDN_DOMAINS = {
    "cyrillic": "пример.испытание",
    "greek": "παράδειγμα.δοκιμή",
    "han": "例子.测试",
    "arabic": "مثال.إختبار",
    "hebrew": "בײַשפּיל.טעסט",
    "latin-accented": "exämple.test",
}


def idn_email(r: random.Random, script: str, punycode: bool = False) -> str:
    """An internationalised e-mail address (RFC 6531): a name in ``script`` as the local
    part and that script's test domain; with ``punycode``, an ASCII local part and the
    domain as DNS carries it ('xn--e1afmkfd.xn--80akhbyknj4f')."""
    first, last, _sep = NAMES_BY_SCRIPT[script]
    domain = IDN_DOMAINS[script]
    if punycode:
        return (
            f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{r.randrange(10, 99)}@{domain.encode('idna').decode()}"
        )
    return f"{r.choice(first)}.{r.choice(last)}".lower() + f"@{domain}"


# National identity numbers outside the US, with their check digits computed here
# (independently of the detectors): Spanish DNI and NIE, Brazilian CPF, Italian codice
# fiscale, French NIR, UK National Insurance number.
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(r: random.Random) -> str:
    number = r.randrange(10_000_000, 100_000_000)
    return f"{number}{_DNI_LETTERS[number % 23]}"


def nie(r: random.Random) -> str:
    prefix, body = r.randrange(3), r.randrange(1_000_000, 10_000_000)
    return f"{'XYZ'[prefix]}{body}{_DNI_LETTERS[int(f'{prefix}{body}') % 23]}"


def cpf(r: random.Random) -> str:
    digits = [r.randrange(10) for _ in range(9)]
    for n in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(n + 1, 1, -1), strict=False))
        digits.append(total * 10 % 11 % 10)
    s = "".join(map(str, digits))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


_CF_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def codice_fiscale(r: random.Random) -> str:
    letters = "BCDFGHLMNPRSTVZ"
    body = "".join(r.choice(letters) for _ in range(6))
    body += f"{r.randrange(40, 100)}{r.choice('ABCDEHLMPRST')}{r.randrange(1, 72):02d}"
    body += f"{r.choice('ABCDEFGHLM')}{r.randrange(1, 1000):03d}"
    total = 0
    for i, ch in enumerate(body):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += _CF_ODD[value] if i % 2 == 0 else value  # odd places: digits count as A-J
    return body + chr(ord("A") + total % 26)


def nir(r: random.Random) -> str:
    body = f"{r.randrange(1, 3)}{r.randrange(40, 100)}{r.randrange(1, 13):02d}{r.randrange(1, 96):02d}"
    body += f"{r.randrange(1, 1000):03d}{r.randrange(1, 1000):03d}"
    key = 97 - int(body) % 97
    return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"


def nino(r: random.Random) -> str:
    first, second = r.choice("ABCEGHJKLMNPRSTWXYZ"), r.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        second = r.choice("ABCEGHJKLMNPRSTWXYZ")
    digits = f"{r.randrange(1_000_000):06d}"
    return f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {r.choice('ABCD')}"


def cn_resident_id(r: random.Random) -> str:
    """China: area, birth date, sequence, ISO 7064 MOD 11-2 check (computed here, so the
    test is independent of the recognizer's own code)."""
    born = date(1950, 1, 1) + timedelta(days=r.randrange(20_000))
    body = f"{r.choice((110101, 310104, 440305, 510107))}{born:%Y%m%d}{r.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def sg_nric(r: random.Random) -> str:
    digits = f"{r.randrange(10_000_000):07d}"
    total = sum(int(d) * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True))
    return f"S{digits}{'JZIHGFEDCBA'[total % 11]}"


def se_personnummer(r: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=r.randrange(25_000))
    body = f"{born:%y%m%d}{r.randrange(1000):03d}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{born:%Y%m%d}-{body[6:]}{(10 - total % 10) % 10}"


def ch_ahv(r: random.Random) -> str:
    body = f"756{r.randrange(1_000_000_000):09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    s = body + str((10 - total % 10) % 10)
    return f"{s[:3]}.{s[3:7]}.{s[7:11]}.{s[11:]}"


# Latin-script names none of the census lists holds (first names, surnames).
UNLISTED_FIRST = ("Oluwaseun", "Tendai", "Siddharth", "Aigerim", "Chiamaka", "Thandiwe", "Nkechi", "Bolat")
UNLISTED_LAST = ("Adeyemi", "Moyo", "Venkataraman", "Nurlanovna", "Dlamini", "Okonkwo", "Seitkali")


def unlisted_name(r: random.Random) -> str:
    return f"{r.choice(UNLISTED_FIRST)} {r.choice(UNLISTED_LAST)}"
