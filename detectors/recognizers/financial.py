"""Payment card numbers, IBANs and cryptocurrency addresses, each with its checksum."""

from __future__ import annotations

import hashlib
import re

from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.runs import windows
from detectors.validators import IBAN_LENGTHS, card_scheme, iban_ok, luhn_ok

_SEPARATORS = re.compile(r"[ ./-]")
_GROUPED = re.compile(r"\d{4}([ ./-])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ ./-])\d{6}\2\d{4,5}")
_CARD_FORMAT = re.compile(r"\d{4}([ .-])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5}")
FORMAT_ONLY = 0.4  # the score of a card-formatted number that fails the card checks
_IBAN_SEPARATORS = re.compile(r"[ -]")
_DIGITS = re.compile(r"\d+")


class CreditCardRecognizer(Recognizer):
    """Every major scheme's prefixes and lengths (including Mastercard 2-series, 19-digit
    Visa, Maestro, JCB, UnionPay), and the Luhn checksum. References that fail Luhn or
    start with no issuer prefix are not cards. Groups may be separated by spaces, dashes,
    dots or slashes (one kind per number; the normaliser has already made every Unicode
    space a space and every dash a dash)."""

    entity = "CREDIT_CARD"
    name = "credit_card"
    needs_digit = True
    context = ("card", "visa", "mastercard", "amex", "credit", "debit", "pan")
    pattern = re.compile(r"(?<![\w-])\d(?:[ ./-]?\d){11,18}(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        return self._score(match.group(0))

    def match_value(self, value: str) -> float | None:
        """A whole value: a valid card (0.95), or a number written exactly as cards are,
        in groups of 4-4-4-4 or 4-6-5, that fails the checks (0.4: weak, never enough in
        a text; a column of nothing else holds card numbers, test or masked ones)."""
        score = super().match_value(value)
        if score is None and _CARD_FORMAT.fullmatch(value.strip()):
            return FORMAT_ONLY
        return score

    def _score(self, text: str) -> float | None:
        digits = _SEPARATORS.sub("", text)
        if not 12 <= len(digits) <= 19 or len(set(digits)) < 2 or not card_scheme(digits) or not luhn_ok(digits):
            return None
        if len(digits) != len(text) and not _GROUPED.fullmatch(text):
            return None  # grouped unlike any card (e.g. a phone number or a date run)
        return 0.95

    def find(self, text: str) -> list[Finding]:
        """Candidates, and inside a failed one the windows of whole digit groups (a card
        number next to stray digits)."""
        out: list[Finding] = []
        if not self._prefilter(text):
            return out
        for m in self.pattern.finditer(text):
            score, start, end = self.validate(m), m.start(), m.end()
            if score is None:
                for start, end in windows(text, m.start(), m.end(), _DIGITS, max_dropped=8):
                    score = self._score(text[start:end])
                    if score is not None:
                        break
                else:
                    continue
            out.append(Finding(self.entity, start, end, score, self.name))
        return out


class IbanRecognizer(Recognizer):
    """ISO 13616 IBANs, compact or in groups (of four, or as a person regroups them: by
    fives, with spaces, dashes or dots), any case: the country length and mod-97 check
    decide, and the country's length says where the IBAN ends (``DE89 3704 ... 00 for the
    refund``: the short word after it is not part of it)."""

    entity = "IBAN_CODE"
    name = "iban"
    needs_digit = True
    # Not inside a hyphen-joined token: the tail of a UUID (``...-be79-d5139c094671``)
    # passes a country's length and mod-97 once in about 10,000 random UUIDs.
    pattern = re.compile(
        r"(?<![\w])(?<!\w-)[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,4})?(?![\w])(?!-\w)"
    )
    # Any grouping (or none, then a short word: 'ES50...81 for'): where the pattern above found nothing.
    # Possessive, separators between groups: one way to read a run (no backtracking).
    regrouped = re.compile(
        r"(?<![\w])(?<!\w-)[A-Za-z]{2}\d{2}[A-Za-z0-9]{0,30}+(?:[ .-][A-Za-z0-9]{1,6}+){0,12}+(?![\w])(?!-\w)"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        return 0.95 if iban_ok(_IBAN_SEPARATORS.sub("", match.group(0)).upper()) else None

    def find(self, text: str) -> list[Finding]:
        found = super().find(text)
        if not self._prefilter(text):
            return found
        taken = [(f.start, f.end) for f in found]
        for m in self.regrouped.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            end = _iban_end(m.group(0))
            if end is not None:
                found.append(Finding(self.entity, m.start(), m.start() + end, 0.95, self.name))
        return found


def _iban_end(run: str) -> int | None:
    """Where the IBAN at the start of ``run`` ends (its country's length of letters and
    digits, at the end of a group), if that much of it passes the check."""
    want = IBAN_LENGTHS.get(run[:2].upper())
    if want is None:
        return None
    seen = 0
    for i, ch in enumerate(run):
        if ch.isalnum():
            seen += 1
            if seen == want:
                if i + 1 < len(run) and run[i + 1].isalnum():
                    return None  # the length ends inside a group: not this country's IBAN
                compact = "".join(c for c in run[: i + 1] if c.isalnum()).upper()
                return i + 1 if iban_ok(compact) else None
    return None


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check_ok(text: str) -> bool:
    number = 0
    for ch in text:
        number = number * 58 + _B58.index(ch)
    raw = number.to_bytes(25, "big") if number.bit_length() <= 200 else b""
    if len(raw) != 25:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


class CryptoRecognizer(Recognizer):
    """Bitcoin addresses: base58check (P2PKH/P2SH) or bech32-shaped (bc1...)."""

    entity = "CRYPTO"
    name = "crypto"
    needs_digit = True
    pattern = re.compile(r"(?<![\w])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})(?![\w])")

    def validate(self, match: re.Match[str]) -> float | None:
        text = match.group(0)
        if text.startswith("bc1"):
            return 0.8
        return 0.95 if _base58check_ok(text) else None


class SortCodeAccountRecognizer(Recognizer):
    """A UK sort code and account number written together (``20-45-67 41234567``,
    ``204567/41234567``): the domestic form of a UK IBAN, which carries both, so the same
    entity. The dashed sort code followed by eight digits is the shape; a bare six and
    eight digits need the words 'sort code' or 'account' near them."""

    entity = "IBAN_CODE"
    name = "sort_code_account"
    needs_digit = True
    context = ("sort code", "sortcode", "account", "acct", "a/c", "bank")
    pattern = re.compile(r"(?<![\w.-])\d{2}(-?)\d{2}\1\d{2}(?: ?[,/] ?| )\d{8}(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        return 0.75 if match.group(1) else 0.4
