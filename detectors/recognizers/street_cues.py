"""Streets the address grammar cannot see on their own, found by what surrounds them:

- a street named before its type word, with no house number ('shows on Berg Hills
  Street', 'Miletić Dale Street');
- a street phrase with a number right after words that say a place follows ('lives on
  Grössgstötten 50', 'the bus station is on Pod Floriánem 1677', 'the restaurant is at
  9816 214 Pavlou Drandaki', 'lives on 33 avenue de Provence').

Both are LOCATION findings in text only; a whole column value is the address grammar's."""

from __future__ import annotations

import re

from detectors.english import is_english, is_function_word
from detectors.recognizers import address
from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.literal_trie import factored
from detectors.recognizers.person import is_common_surname, is_first_name, name_token
from detectors.recognizers.placenames import words
from detectors.shortcache import short_lru

is_street_type = short_lru(maxsize=8192, longest=64)(address.is_street_type)  # words repeat; bounded

_CAP = r"[^\W\d_a-z][^\W\d_]*(?:['\u2019-][^\W\d_]+)?"  # a capitalised word, any Latin letters
_ANY = r"[^\W\d_][\w'\u2019.-]{0,30}"  # any word (street words can be lower case: 'rue des')
_RUN = re.compile(rf"(?<![\w'-]){_CAP}(?: {_CAP}){{1,4}}(?![\w'-])")  # capitalised words in a row
CUE_WORDS = (
    r"lives?|living|lived|is|are|located|situated|enter|drops? you off|meet(?: me| us)?|sent|send|"
    r"deliver(?:ed)?|ship(?:ped)?|return(?:ed)?|moved|stays?|stayed"
)
# The cue words factored by common prefixes: tried at every word of a text, a few
# attempts each instead of twenty (the same matches: :mod:`detectors.recognizers.literal_trie`).
_CUE = re.compile(r"\b(?:" + factored(CUE_WORDS) + r")\s+(?:on|at|to|in)\s+", re.IGNORECASE)
_WORDS_THEN_NUMBER = re.compile(rf"(?:\d{{1,6}}[A-Za-z]?\s+){{0,2}}((?:{_ANY}\s+){{1,4}})(\d{{1,5}})[A-Za-z]?(?![\w-])")
_NUMBER_THEN_WORDS = re.compile(rf"(?:\d{{1,6}}[A-Za-z]?\s+){{1,2}}((?:{_ANY}\s*){{1,5}})")
_STOP = re.compile(r"[,;:!?()\[\]\n]|\.(?:\s|$)")
_PARTICLES = words(
    "de des du la le di da del della van von der den ter nad pod u ul ul. al el los las do dos "
    # street words written before the name, often in lower case
    "rue via calle avenida rua piazza viale strada ulica plac avenue boulevard chemin route allée place quai "
    "largo travessa praça carrer camino paseo street road lane"
)

_LEADING_ONLY = _PARTICLES - {"street", "road", "lane"}  # words a street phrase does not end on
# Words before a street's name that say a place follows ('on Jess Hill', 'near Sally Field').
_PLACE_BEFORE = re.compile(r"\b(?:on|at|in|into|onto|along|off|near|past|via|from|to)\s+(?:the\s+)?$", re.IGNORECASE)


# Type words that name a thoroughfare and nothing else in a sentence; the landscape words
# that are street types too (Hill, Lake, Field, Ferry, Mill, Wood...) are also surnames.
_THOROUGHFARES = words(
    "street st avenue ave road rd lane ln boulevard blvd drive dr way court ct place pl terrace close "
    "crescent square row walk highway parkway"
)


def _glued_only(word: str) -> bool:
    """A street type only by a glued ending ('Vollering', 'Lindhof'): a surname as often."""
    return not address.is_street_type_word(word)


def _person_shaped(words: list[str]) -> bool:
    """A known first name, perhaps a middle name, and a landscape type word that is also a
    common surname: 'Sally Field', 'Greg Lake', 'John Stuart Mill'. Without a word saying a
    place follows it is as often a person as a street; NER, which reads the sentence, decides."""
    if not 2 <= len(words) <= 3 or not is_first_name(words[0]) or words[-1].lower() in _THOROUGHFARES:
        return False
    if not is_common_surname(words[-1]) and not _glued_only(words[-1]):
        return False
    return all(is_first_name(w) or name_token(w) is not None for w in words[1:-1])


def _allowed(word: str) -> bool:
    return word[0].isupper() or word.lower() in _PARTICLES or is_street_type(word)


def _street_words(words: list[str], need_type: bool) -> bool:
    """Words of a street: capitalised ones (particles aside), and a street type when
    there is no capital to go on ('33 avenue de Provence' has both)."""
    if not words or not _allowed(words[0]) or not all(_allowed(w) for w in words):
        return False
    caps = [w for w in words if w[0].isupper()]
    if need_type:
        return any(is_street_type(w) for w in words) or len(caps) >= 2
    # 'Section 5', 'Gate 12', 'Level 3': one ordinary word and a number is no street
    return len(caps) >= 2 or any(not is_english(w.strip(".")) for w in caps)


class CuedStreetRecognizer(Recognizer):
    reads_key_as_context = False  # a key called 'name' is no cue
    entity = "LOCATION"
    name = "cued_street"
    pattern = _RUN

    def find(self, text: str) -> list[Finding]:
        out = []
        for m in _RUN.finditer(text):
            words = m.group(0).split(" ")
            lead = 0
            while lead < len(words) - 1 and is_function_word(words[lead]):
                lead += 1  # 'The Grace Street': the article is no part of the name
            start = m.start() + sum(len(w) + 1 for w in words[:lead])
            around = len(text[max(0, m.start() - 40) : m.start()].split()) + len(text[m.end() : m.end() + 40].split())
            if around < 2:
                continue  # a short value ('Blue Harbor Coffee') is no sentence about a street
            for i in range(len(words) - 1, lead, -1):  # the last street type after a name
                if is_street_type(words[i]):
                    end = m.start() + len(" ".join(words[: i + 1]))
                    # above NER: a street named after someone; but 'designed by Sally Field'
                    # is as often a person: under NER and the name recognizers, so they
                    # decide, and a place still when neither reads a person there
                    person_shaped = (
                        i == len(words) - 1
                        and _person_shaped(words[lead:])
                        and not _PLACE_BEFORE.search(text[max(0, start - 12) : start])
                    )
                    out.append(Finding(self.entity, start, end, 0.5 if person_shaped else 0.86, self.name))
                    break
        for cue in _CUE.finditer(text):
            found = self._after_cue(text, cue.end())
            if found is not None:
                out.append(Finding(self.entity, found[0], found[1], 0.88, self.name))
        return out

    @staticmethod
    def _after_cue(text: str, at: int) -> tuple[int, int] | None:
        """The street phrase right after a cue, up to punctuation: words then a house
        number that is no year ('Pod Floriánem 1677'), or numbers then street words
        ('9816 214 Pavlou Drandaki', '33 avenue de Provence')."""
        stop = _STOP.search(text, at, at + 120)
        limit = stop.start() if stop else min(len(text), at + 120)
        m = _WORDS_THEN_NUMBER.match(text, at, limit)
        if m is not None and _street_words(m.group(1).split(), need_type=False):
            number = int(m.group(2))
            if not (1900 <= number <= 2099 and len(m.group(2)) == 4):
                return at, m.end()
        m = _NUMBER_THEN_WORDS.match(text, at, limit)
        if m is not None:
            words = m.group(1).split()
            keep = 0
            while keep < len(words) and _allowed(words[keep]):
                keep += 1  # the street's words end at the first ordinary one ('... Zervou now')
            while keep and words[keep - 1].lower() in _LEADING_ONLY:
                keep -= 1
            if keep and _street_words(words[:keep], need_type=True):
                end = m.start(1)
                for w in words[:keep]:
                    end = text.index(w, end) + len(w)
                return at, end
        return None

    def match_value(self, value: str) -> float | None:
        return None
