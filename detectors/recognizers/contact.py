"""E-mail addresses, phone numbers and URLs."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from detectors.normalize import COMMON_TLDS
from detectors.recognizers.base import Finding, Recognizer, read_forms
from detectors.recognizers.runs import windows
from detectors.shortcache import short_lru

# national numbers are valid in one of these (a formatted number valid in no listed region
# is weak evidence only): the regions of most of the world's phone numbers in business data
_PHONE_REGIONS = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "BR", "MX", "IN", "CN", "JP", "KR", "AU")
_NANP_FORMATTED = re.compile(r"\(\d{3}\) ?\d{3}[-.]\d{4}")
_DATE_OR_ADDRESS = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$|^(?:\d{1,3}\.){3}\d{1,3}$"
)
# Numbers that are not phone numbers however they parse: a decimal (an amount, a balance,
# a coordinate) anywhere in the run, a US ZIP+4 postal code.
_DECIMAL = re.compile(r"(?:^|\s)-?\(?\d+\.\d+\)?(?=\s|$)")
_ZIP4 = re.compile(r"\d{5}-\d{4}")
_EXIT_CODE = re.compile(r"^(?:\+ ?|00 ?|011[ .-]?)")
_TOKEN = re.compile(r"\S+")
_LABEL = re.compile(r"(?:office|fax|mobile|cell|home|work|tel|phone|main|direct|landline)\b", re.IGNORECASE)
_LABEL_BEFORE = re.compile(
    r"(?:(?:phone|tel|mobile|cell|fax|landline|call|dial)\w*\.?|call(?: me| us)?(?: back)? (?:on|at)|"
    r"reach (?:me |us )?(?:on|at)|text (?:me )?(?:on|at)|(?:phone |mobile |contact )?number is)\s*[:#]?\s*$",
    re.IGNORECASE,
)
_GROUPED = re.compile(r"\(?\d{2,5}\)?(?:[ .-]\d{2,4}){1,4}")  # 2-5 digits, then groups of 2-4
_WINDOW_BUDGET = 64  # failed candidates per text whose inner windows are tried


def _labelled(whole: str, start: int, end: int) -> bool:
    """A phone label right before the number ('Phone: ', 'Tel.') or right after it
    ('-Office', ' (mobile)'). Remembered by the few characters around the number that
    decide it, never by the whole text: a text is a value, as long as a record."""
    return _labelled_by(whole[max(0, start - 24) : start], whole[end : end + 12])


@lru_cache(maxsize=8192)
def _labelled_by(before: str, after: str) -> bool:
    return _LABEL_BEFORE.search(before) is not None or _LABEL.match(after.lstrip(" -_(/")) is not None


def _national(text: str) -> tuple[bool, bool]:
    """(valid in one of the regions, possible in one of them) for a national number."""
    possible = False
    for region in _PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
    return False, possible


@short_lru(maxsize=8192, longest=64)
def is_nanp_number(digits: str) -> bool:
    """Ten bare digits (or eleven with the leading 1) valid as a North American number:
    assigned area code and exchange. Much stricter than "valid in one of the regions",
    which most runs of nine or ten digits are somewhere."""
    if not digits.isdigit() or not (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        return False
    try:
        return phonenumbers.is_valid_number_for_region(phonenumbers.parse(digits, "US"), "US")
    except phonenumbers.NumberParseException:
        return False


class EmailRecognizer(Recognizer):
    entity = "EMAIL_ADDRESS"
    name = "email"
    needs = "@"
    # Internationalised addresses (RFC 6531/6532) are addresses too: letters of any script
    # in the local part and the domain ('ольга.петрова@пример.рф', 'Łukasz@przykład.pl'),
    # and a punycode top-level domain ('xn--p1ai'). Underscores are refused in the domain.
    # A domain may also be an address literal (RFC 5321 4.1.3): 'jane.roe@[203.0.113.5]'.
    pattern = re.compile(
        r"(?:(?<![\w.+-])[^\W_](?:[\w.%+'-]{0,62}[\w%+-])?"
        r'|"[^"\r\n@]{1,64}")'  # RFC 5322 quoted local part: "anne smith"@example.org
        r"@(?:(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,24}|[Xx][Nn]--[A-Za-z0-9-]{1,59})(?![\w-])"
        r"|\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]{2,45})\])"  # an address literal: jane@[203.0.113.5]
    )

    def validate(self, match: re.Match[str]) -> float | None:
        local, domain = match.group(0).rsplit("@", 1)
        if ".." in local and not local.startswith('"'):
            return None
        if "_" in domain:
            return None
        return 0.95


class PhoneRecognizer(Recognizer):
    """International numbers (``+CC``, or an exit code ``00``/``011``) are validated for
    their own region; national numbers must be formatted like phone numbers (separators
    or a trunk prefix) and valid in one of a few regions. A bare run of digits is weak
    evidence only (0.3: order numbers and references look the same): words like "phone"
    or "call" nearby, or a field named so, make it one. An extension (``x42``, ``ext. 42``)
    belongs to the span. Decimals (amounts, balances, coordinates) and ZIP+4 codes never
    are phone numbers."""

    entity = "PHONE_NUMBER"
    name = "phone"
    needs_digit = True
    context = (
        "phone", "call", "tel", "mobile", "cell", "fax", "whatsapp", "sms", "reach", "contact", "dial",
        "ring", "landline", "number", "text me",
    )  # fmt: skip
    negative_context = (
        "order", "invoice", "ref", "iban", "account", "card", "ssn", "version", "balance", "amount",
        "total", "price", "zip", "postal", "postcode", "social security", "social sec", "tax id",
    )  # fmt: skip
    pattern = re.compile(
        r"(?<![\w+/])(?P<num>(?:\+ ?|00|011[ .-]?)?\(?\d[\d\s()./-]{5,18}\d)(?!/\d)"
        r"(?P<ext>,? ?(?:ext\.?|extension|x|\#) ?\d{1,6})?(?![\w])",
        re.IGNORECASE,
    )

    def validate(self, match: re.Match[str]) -> float | None:
        return self._score(match.string, match.start(), match.end("num"), match.end())

    def find(self, text: str) -> list[Finding]:
        """Candidates, and inside a failed one the windows dropping one or two stray
        tokens at its ends ("7 +44 20 7946 0958"); then context, as for every recognizer."""
        out: list[Finding] = []
        if not self._prefilter(text):
            return out
        lowered = text.lower()
        budget = _WINDOW_BUDGET  # windows parse numbers: a text of digit noise gets a bounded number
        for m in self.pattern.finditer(text):
            start, end = m.start(), m.end()
            score = self.validate(m)
            if score is None:
                if budget <= 0:
                    continue
                budget -= 1
                for start, end in windows(text, m.start(), m.end("num"), _TOKEN, max_dropped=2):
                    score = self._score(text, start, end, end) if self.pattern.fullmatch(text, start, end) else None
                    if score is not None:
                        break
                else:
                    continue
            before = lowered[max(0, start - self.context_window) : start]
            after = lowered[end : end + 12]
            labelled = _labelled(text, start, end)  # 'Phone: ' right before it beats 'Accountant' further back
            if (
                score < self.overrides_negative
                and not labelled
                and any(word in before for word in read_forms(self.negative_context))
            ):
                continue
            if labelled or any(word in before or word in after for word in read_forms(self.context)):
                score = min(1.0, score + 0.35)
            if score >= self.min_text_score:
                out.append(Finding(self.entity, start, end, score, self.name))
        return out

    def _score(self, whole: str, start: int, num_end: int, end: int) -> float | None:
        text = whole[start:num_end]
        has_ext = num_end != end
        digits = sum(ch.isdigit() for ch in text)
        if not 7 <= digits <= 15 + (3 if text.startswith("011") else 0):
            return None
        if (start >= 2 and whole[start - 1] in "-_" and whole[start - 2].isalnum()) or (
            end + 1 < len(whole)
            and whole[end] in "-_"
            and whole[end + 1].isalnum()
            and not _LABEL.match(whole, end + 1)
        ):
            return None  # digits inside a longer hyphenated token: a UUID, a reference, a key
        if (start >= 2 and whole[start - 1] in ".," and whole[start - 2].isdigit()) or (
            end < len(whole) - 1 and whole[end] in ".," and whole[end + 1].isdigit()
        ):
            return None  # part of a longer number (1,234,567.89)
        if text.count("-") == 2 and digits == 9 and re.fullmatch(r"\d{3}-\d{2}-\d{4}", text):
            return None  # shaped like an SSN
        if _DATE_OR_ADDRESS.search(text) or _DECIMAL.search(text) or _ZIP4.fullmatch(text):
            return None  # a date, a dotted IPv4 address, a decimal number, a postal code
        exit_code = _EXIT_CODE.match(text)
        if exit_code:
            national = text[exit_code.end() :]
            try:
                number = phonenumbers.parse("+" + national, None)
            except phonenumbers.NumberParseException:
                return None
            if phonenumbers.is_valid_number(number):
                return 0.9
            # Written as an international number but not an allocated range (numbers made
            # up for forms and tests look like this): still a phone number.
            return 0.6 if phonenumbers.is_possible_number(number) else None
        if text.count("/") > 1:
            return None  # 030/1234/5678: a path, a date or a fraction run, not how numbers are written
        formatted = any(ch in text for ch in " ()-./") or text.startswith("0") or has_ext
        valid, possible = _national(text)
        if valid:
            return 0.7 if formatted else 0.3
        if possible and _NANP_FORMATTED.fullmatch(text):
            return 0.55  # (415) 555-0123 shape
        if 8 <= digits <= 13 and (_GROUPED.fullmatch(text) or text.isdigit()) and _labelled(whole, start, end):
            return 0.6  # grouped like a phone number, under 'Phone:' or before '-Fax', any country
        return None


_GENERIC_TLDS = COMMON_TLDS | frozenset(
    [
        "int",
        "ai",
        "me",
        "tv",
        "cc",
        "xyz",
        "online",
        "site",
        "tech",
        "blog",
        "page",
        "link",
        "social",
        "world",
        "life",
        "live",
        "email",
        "cloud",
        "store",
        "shop",
        "club",
        "space",
    ]
)


class UrlRecognizer(Recognizer):
    """``http(s)://`` and ``www.`` URLs, and a host written without them when a path
    follows (``linkedin.com/in/jane-roe-4a1b``, ``facebook.com/jane.roe``): how people
    paste a profile. The host's last label is lower-case letters, the path at least two
    characters, so ``a.m./p.m.`` and ``and/or`` are not URLs."""

    entity = "URL"
    name = "url"
    needs = "/w"
    pattern = re.compile(
        r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'{}|\\^`]+[^\s<>\"'{}|\\^`.,;:!?)]"
        r"|(?<![\w@./:-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[a-z]{2,24}"
        r"/[^\s<>\"'{}|\\^`]*[^\s<>\"'{}|\\^`.,;:!?)/]"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        url = match.group(0)
        if url[:4].lower() in ("http", "www."):
            return 0.6
        # without a scheme, the host must end in a top-level domain people paste profiles
        # under: a country code or a common generic one. Topic and table coordinates
        # ('shop.public.orders/0/7', the cdr.source header) and dotted names are not URLs.
        tld = url.split("/", 1)[0].rsplit(".", 1)[-1]
        return 0.6 if len(tld) == 2 or tld in _GENERIC_TLDS else None
