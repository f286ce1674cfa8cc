"""Country names as they end a postal address: English short names (ISO 3166) and the
usual native and informal forms. A country line is evidence that the lines before it
are an address; matching ignores case and accents are kept."""

from __future__ import annotations

import re
import unicodedata

_NAMES = """
afghanistan, albania, algeria, andorra, angola, antigua and barbuda, argentina, armenia, australia,
austria, azerbaijan, bahamas, bahrain, bangladesh, barbados, belarus, belgium, belize, benin, bhutan,
bolivia, bosnia and herzegovina, botswana, brazil, brunei, bulgaria, burkina faso, burundi, cabo verde,
cape verde, cambodia, cameroon, canada, central african republic, chad, chile, china, colombia, comoros,
congo, costa rica, croatia, cuba, cyprus, czech republic, czechia, denmark, djibouti, dominica,
dominican republic, ecuador, egypt, el salvador, equatorial guinea, eritrea, estonia, eswatini,
ethiopia, fiji, finland, france, gabon, gambia, georgia, germany, ghana, greece, greenland, grenada,
guatemala, guinea, guinea-bissau, guyana, haiti, honduras, hong kong, hungary, iceland, india,
indonesia, iran, iraq, ireland, israel, italy, ivory coast, jamaica, japan, jordan, kazakhstan, kenya,
kiribati, korea, south korea, north korea, kosovo, kuwait, kyrgyzstan, laos, latvia, lebanon, lesotho,
liberia, libya, liechtenstein, lithuania, luxembourg, macao, madagascar, malawi, malaysia, maldives,
mali, malta, marshall islands, mauritania, mauritius, mexico, micronesia, moldova, monaco, mongolia,
montenegro, morocco, mozambique, myanmar, namibia, nauru, nepal, netherlands, the netherlands,
new zealand, nicaragua, niger, nigeria, north macedonia, macedonia, norway, oman, pakistan, palau,
palestine, panama, papua new guinea, paraguay, peru, philippines, poland, portugal, puerto rico,
qatar, romania, russia, russian federation, rwanda, saint lucia, samoa, san marino, saudi arabia,
senegal, serbia, seychelles, sierra leone, singapore, slovakia, slovenia, solomon islands, somalia,
south africa, south sudan, spain, sri lanka, sudan, suriname, sweden, switzerland, syria, taiwan,
tajikistan, tanzania, thailand, timor-leste, togo, tonga, trinidad and tobago, tunisia, turkey,
türkiye, turkmenistan, tuvalu, uganda, ukraine, united arab emirates, uae, united kingdom, uk,
great britain, england, scotland, wales, northern ireland, united states, united states of america,
usa, us, u.s.a., u.s., uruguay, uzbekistan, vanuatu, vatican city, venezuela, vietnam, viet nam, yemen,
zambia, zimbabwe, faroe islands, isle of man, jersey, guernsey, gibraltar, aruba, curaçao, bermuda,
deutschland, österreich, schweiz, suisse, svizzera, españa, italia, nederland, belgië, belgique,
danmark, norge, sverige, suomi, ísland, eesti, latvija, lietuva, polska, česko, česká republika,
slovensko, magyarország, slovenija, hrvatska, srbija, românia, ελλάδα, κύπρος, brasil, méxico, perú,
россия, україна, 中国, 日本, 한국
"""


def _fold(text: str) -> str:
    """Without accents: text is matched as a reader sees it ("Österreich" as "Osterreich")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


COUNTRIES = frozenset(_fold(n.strip()) for n in _NAMES.replace("\n", " ").split(",") if n.strip())
_PAREN = re.compile(r"\s*\([^()]*\)")  # "Cyprus (Greek)"
_SPACE = re.compile(r"\s+")


def is_country(words: str) -> bool:
    """Whether ``words`` (a place line, perhaps with a postal code after it) names a country."""
    name = _PAREN.sub("", words)
    name = _SPACE.sub(" ", name.strip(" ,.")).lower()
    name = name.rstrip("0123456789- ").strip()
    return _fold(name) in COUNTRIES
