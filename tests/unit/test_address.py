"""Street addresses: a labelled list of positives (several countries' shapes) and of
lookalikes that must not fire (products, organisations, sentences, amounts, versions).
``bench/address_parsers.py`` reads the same list to compare parsers."""

from __future__ import annotations

import pytest

from detectors.recognizers.address import AddressRecognizer

REC = AddressRecognizer()

# (value, is a street address)
ADDRESS_CASES: tuple[tuple[str, bool], ...] = (
    # US / CA
    ("462 Rose Lane", True),
    ("6649 N Blue Gum St", True),
    ("64 5th Ave #1153", True),
    ("1600 Pennsylvania Avenue NW", True),
    ("4 B Blue Ridge Blvd", True),
    ("8 W Cerritos Ave #54", True),
    ("639 Main St, Anchorage, AK 99501", True),
    ("34 Center St, Hamilton, OH 45011", True),
    ("2742 Distribution Way, Metairie, LA 70002", True),
    ("7 Eads St", True),
    ("1 Central Ave, Suite 200", True),
    ("3 Mcauley Dr", True),
    ("128 BRIDGE ST APT 4B", True),
    ("55 elm street", True),
    ("742 Evergreen Terrace", True),
    ("PO Box 1234", True),
    ("P.O. Box 72, Springfield, IL 62701", True),
    ("350 Fifth Avenue, New York, NY 10118", True),
    ("123 King Street West, Toronto, ON M5H 1A1", True),
    # UK / IE / AU
    ("221B Baker Street", True),
    ("10 Downing Street, London SW1A 2AA", True),
    ("Flat 3, 12 High Street", True),
    ("15 Church Road", True),
    ("4 Park Crescent, Bath", True),
    ("27 Queen's Gardens", True),
    # DE / AT / CH
    ("Theodor-Heuss-Straße 34", True),
    ("Hauptstraße 5", True),
    ("Bahnhofstr. 12a", True),
    ("Unter den Linden 77"[:0] + "Lindenallee 3", True),
    ("Am Sonnenweg 14, 80331 München", True),
    ("Marienplatz 8", True),
    ("Postfach 1020", True),
    # FR / BE
    ("12 rue de la Paix", True),
    ("8 bis, avenue Foch, 75116 Paris", True),
    ("45 boulevard Saint-Germain", True),
    ("3 place de la Concorde", True),
    ("BP 45", False),  # too short to tell from a code
    # NL
    ("Kalverstraat 92", True),
    ("Herengracht 182, 1016 BR Amsterdam", True),
    ("Stationsplein 1", True),
    ("Laan van Meerdervoort 50", False),  # type first with a particle: a known gap
    # ES / PT
    ("Calle Mayor 5", True),
    ("Avenida de la Constitución 12", True),
    ("Calle de Alcalá 45, 2º B", True),
    ("Rua Augusta 100", True),
    ("Paseo de Gracia 92", True),
    # IT
    ("Via Roma 12", True),
    ("Piazza Navona 45", True),
    ("Corso Vittorio Emanuele II 21", True),
    ("Via dei Fori Imperiali 1", True),
    ("Flat 3, Russell Gateway", True),  # a flat on a named street, no house number
    ("Studio 58b\nRussell Gateway", True),  # lines of one address
    ("580 Parsons Gateway Apt. 215", True),
    ("Suite 129 7 David Alley", True),
    ("Largo Magalhães, S/N", True),  # sin número
    ("Rambla de Catalunya 14", True),
    ("Canale Mercalli, 2", True),
    ("rue de la Paix", True),  # French: the type word alone names a street
    ("Calle Mayor", True),
    ("Jasperboulevard 99", True),
    # whole blocks: a street line without a type word, held by the unit and place after it
    ("Hlavní 285\nSuite 578\nOstrov nad Ohří", True),
    ("PSC 1234, Box 5678\nAPO AE 09123", True),
    ("ul. Długa 12 Apt. 4", True),
    # negatives: products, organisations, sentences, amounts, versions, codes
    ("Tide Pods 42 ct", False),
    ("3 Way Switch", False),
    ("iPhone 15 Pro Max", False),
    ("Windows 11 Home", False),
    ("Acme Corporation", False),
    ("Main Street Pharmacy", False),
    ("Fifth Avenue Shoes", False),
    ("Park Avenue Capital LLC", False),
    ("version 2.3.1", False),
    ("v10.2 Dr", False),
    ("$1,200.50", False),
    ("1200.50", False),
    ("12.5 Main", False),
    ("I paid 20 dollars on the way home", False),
    ("We walked 5 miles down the road", False),
    ("Order 1234 shipped", False),
    ("Chapter 3 Drive", False),
    ("2021 Annual Report", False),
    ("Room 101", False),
    ("Paris", False),
    ("New York", False),
    ("Dr. John Smith", False),
    ("42", False),
    ("1966-10-17", False),
    ("Category 5 Cable", False),
    ("Studio Apartment", False),
    ("Level 3 support", False),
    ("Platz 1", False),
    ("weg 3", False),
    ("Via 2", False),
    ("Route 66", False),
    ("Strada", False),
    ("Plan B", False),
    ("500 Main Course", False),
    ("Apollo 13 Mission", False),
    ("Area 51", False),
    ("Studio 54", False),
    ("Avenue Capital", False),
    ("Notepad 2", False),
    ("Widget 12, Blue, Large", False),
    ("FIFA 23 Ultimate Edition, Germany", False),
    ("Suite 100", False),  # a unit alone is not a whole address
)


@pytest.mark.parametrize(("value", "expected"), ADDRESS_CASES)
def test_whole_value(value: str, expected: bool) -> None:
    score = REC.match_value(value)
    got = score is not None and score >= 0.5
    assert got == expected, f"case #{ADDRESS_CASES.index((value, expected))}: expected {expected}, score {score}"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Please ship it to 462 Rose Lane before Friday.", "462 Rose Lane"),
        ("She moved to Theodor-Heuss-Straße 34 last year.", "Theodor-Heuss-Straße 34"),
        ("Send the forms to PO Box 1234 and call us.", "PO Box 1234"),
        ("Our office is at 64 5th Ave #1153, see you there.", "64 5th Ave #1153"),
        ("Il habite 12 rue de la Paix, à Paris.", "12 rue de la Paix"),
        ("Vive en Calle Mayor 5, Madrid.", "Calle Mayor 5"),
    ],
)
def test_spans_in_text(text: str, span: str) -> None:
    found = REC.find(text)
    got = [text[f.start : f.end] for f in found]
    assert any(span in g and len(g) <= len(span) + 8 for g in got), f"{len(found)} spans, none covering the street"


@pytest.mark.parametrize(
    "text",
    [
        "I paid 20 dollars on the way home.",
        "Upgrade to version 3.2 Road map next week.",
        "We sold 40 units at the Main Street Pharmacy branch.",
        "The 3 Way Switch costs $12.",
        "Meet me on Tuesday at 5 in the park.",
    ],
)
def test_no_span_in_text(text: str) -> None:
    assert REC.find(text) == [], "an address span was found in text without one"


def test_bounded_long_value() -> None:
    assert REC.match_value("12 Main Street " * 40) is None


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    [
        "1 " + "Aaaa-" * 3000 + "Street",  # a long hyphenated run before a type word
        "1 " + "Aa " * 3000,
        "12 Oak Street, " + "Xx, " * 400 + "!",  # a long locality tail that fails at the end
        "12 Main St, " + "a" * 5000 + "!",
        "Calle " + "de " * 2000 + "5",
        " ".join(["12 Main St"] * 2000),
    ],
)
def test_hostile_text_stays_cheap(text: str) -> None:
    # patterns are bounded (no nested unbounded repeats): these return in milliseconds
    REC.find(text)
    REC.match_value(text)


# Address blocks in text: the street line and the parts after it (unit, place, code,
# country), a leading house number or unit, military addresses, corners of two streets.
BLOCK_CASES: tuple[tuple[str, str], ...] = (
    (
        "Send it to 4596 Hlavní 285\nSuite 12\nOstrov nad Ohří\nCzechia 36301 please.",
        "4596 Hlavní 285\nSuite 12\nOstrov nad Ohří\nCzechia 36301",
    ),
    ("Deliver to PSC 1234, Box 5678\nAPO AE 09123 by Monday.", "PSC 1234, Box 5678\nAPO AE 09123"),
    ("Ship to Unit 2050 Box 4190\nDPO AP 96522.", "Unit 2050 Box 4190\nDPO AP 96522"),
    ("Crew mail: USS Nimitz\nFPO AP 96620", "USS Nimitz\nFPO AP 96620"),
    ("Adres: ul. Długa 12, 80-827 Gdańsk, Poland.", "ul. Długa 12, 80-827 Gdańsk, Poland"),
    ("Wesselényi u. 94.\n Apt. 7\n Budapest\n Hungary 1077", "Wesselényi u. 94.\n Apt. 7\n Budapest\n Hungary 1077"),
    ("Mannerheimintie 12\n00100 Helsinki\nFinland", "Mannerheimintie 12\n00100 Helsinki\nFinland"),
    ("Meet at the corner of Hauptstraße 5 and Rosa Lane.", "the corner of Hauptstraße 5 and Rosa Lane"),
    ("Apt. 4B, 12 Rose Lane, Springfield, IL 62704", "Apt. 4B, 12 Rose Lane, Springfield, IL 62704"),
    ("> 77 Storgata 12\n> Apt. 310\n> TROMSØ\n> Norway 9008", "77 Storgata 12\n> Apt. 310\n> TROMSØ\n> Norway 9008"),
    ("It's at 12 Kiannonkatu 98 Apt. 934 OULU NO. See you.", "12 Kiannonkatu 98 Apt. 934 OULU NO"),
    ("ship to 12 oak street, apt 3, springfield", "12 oak street, apt 3, springfield"),
    ("Please leave it at Suite 210.", "Suite 210"),
)


@pytest.mark.parametrize(("text", "span"), BLOCK_CASES)
def test_address_block_in_text(text: str, span: str) -> None:
    found = [text[f.start : f.end] for f in REC.find(text)]
    assert span in found, f"case #{BLOCK_CASES.index((text, span))}: {len(found)} spans, none the whole address"


# Ordinary sentences with numbers, capitalised words and lines: no address span.
LOOKALIKE_TEXTS: tuple[str, ...] = (
    "I paid 250 for 3 items.",
    "Room 5 at 10 am.",
    "Upgrade to version 2.3.1 before Friday.",
    "Windows 10 Pro and Office 365 are installed.",
    "Chapter 3, Section 4.2 explains it.",
    "The meeting is on March 15, 2024 at 3 pm.",
    "Apollo 13 launched in April 1970.",
    "We sold 40 units in Q3 2023, up 12% from Q2.",
    "Total: $1,234.56 (incl. 20% VAT)",
    "Flight BA 117 departs from Gate 22, Terminal 5.",
    "Order 12345 shipped via UPS, tracking 1Z999.",
    "Python 3.11 and Django 4.2 are required.",
    "Top 10 Songs of 2019",
    "Level 3 support, Tier 2 escalation.",
    "He was born in 1985 in Paris, France.",
    "iPhone 15 Pro Max, 256 GB, Blue",
    "Season 2 Episode 5 airs Monday.",
    "Team 7 won 4 games, Germany 2 lost.",
    "Widget 5, Gadget 7, Gizmo 9",
    "Invoice 2023-001\nAmount 500\nDue March 3",
    "Widget 12\nBlue\nLarge",
    "Tesla Model 3, Germany 2021",
    "During 2017, Acme invested 5 million in Berlin.",
    "Refund 4111 1111 1111 1111 today",
    "Meet me in Room 204, Building 7 at 10:30.",
    "FIFA 23 Ultimate Edition, Germany",
    "Bach Cello Suite 1 in G major",
    "Vitamin D 1000 IU, 90 capsules, Made in USA",
    "Gate 5\nTerminal 2\nFrankfurt Airport",
)


@pytest.mark.parametrize("text", LOOKALIKE_TEXTS)
def test_no_address_in_ordinary_text(text: str) -> None:
    found = REC.find(text)
    assert found == [], f"case #{LOOKALIKE_TEXTS.index(text)}: {len(found)} address spans in ordinary text"


@pytest.mark.parametrize(
    "unit",
    [
        "4596 Hlavní 285\n Suite 12\n Ostrov\n Czechia 36301\n",  # blocks that grow, back to back
        "Tylova 285 ",  # weak street lines, none with evidence
        "Apt 5\n",
        "PSC 1, Box 2\n",
        "Aa 1\nBb\nBb\nBb\nBb\nBb\nBb\nBb\nBb\n",  # a weak line, then place lines that end nowhere
        "the corner of ",
        "Xx Yy Zz Ww 12, ",
    ],
)
def test_long_hostile_text_completes(unit: str) -> None:
    # 200k characters of repeated address-shaped parts: every pattern is anchored and
    # bounded, blocks are not grown twice, so this finishes (no timing asserted)
    text = unit * (200_000 // len(unit) + 1)
    REC.find(text)
