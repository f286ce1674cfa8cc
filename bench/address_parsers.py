"""Street-address recognition compared by measurement: the project's recogniser against
usaddress (a CRF with a packaged model, US-trained), on the labelled list in
tests/unit/test_address.py (positives from nine countries' shapes; negatives are
products, organisations, sentences, amounts, versions and codes).

    PYTHONPATH=. python -m bench.address_parsers

usaddress is not a dependency of the project: install it to run its column
(``pip install 'usaddress>=0.5.16,<0.6'``). libpostal is left out: its bindings need a
model of about 2 GB fetched outside the package registries.
"""

from __future__ import annotations

from collections.abc import Callable

from detectors.recognizers.address import AddressRecognizer
from tests.unit.test_address import ADDRESS_CASES


def _ours() -> Callable[[str], bool]:
    rec = AddressRecognizer()
    return lambda v: (rec.match_value(v) or 0.0) >= 0.5


def _usaddress() -> Callable[[str], bool] | None:
    try:
        import usaddress  # type: ignore[import-untyped]
    except ImportError:
        return None

    def is_address(value: str) -> bool:
        labels = {label for _, label in usaddress.parse(value)}
        street = {"AddressNumber", "StreetName"} <= labels and bool(
            labels & {"StreetNamePostType", "StreetNamePreType"}
        )
        return street or "USPSBoxID" in labels

    return is_address


def measure(predict: Callable[[str], bool]) -> tuple[float, float, int, int]:
    tp = fp = fn = 0
    for value, expected in ADDRESS_CASES:
        got = predict(value)
        tp += got and expected
        fp += got and not expected
        fn += expected and not got
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, fp, fn


def _held_out() -> list[tuple[str, list[str], bool]]:
    """A second, larger list: Faker's street addresses per locale (positives) and its
    companies, job titles, catch phrases and sentences (negatives). Not held out: the
    street-type lists were completed (USPS Publication 28 suffixes, Spanish, Italian,
    Dutch and Australian types) after its first run (en_US 0.22, it_IT 0.28 then)."""
    try:
        from faker import Faker
    except ImportError:
        return []
    out = []
    for locale in ("en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_PT"):
        fake = Faker(locale)
        fake.seed_instance(11)
        out.append((f"street_address {locale}", [fake.street_address() for _ in range(300)], True))
    fake = Faker("en_US")
    fake.seed_instance(11)
    out.append(("company (en_US)", [fake.company() for _ in range(300)], False))
    out.append(("job (en_US)", [fake.job() for _ in range(300)], False))
    out.append(("catch_phrase (en_US)", [fake.catch_phrase() for _ in range(300)], False))
    out.append(("sentence (en_US)", [fake.sentence() for _ in range(300)], False))
    return out


def main() -> None:
    positives = sum(1 for _, e in ADDRESS_CASES if e)
    print(f"labelled values: {len(ADDRESS_CASES)} ({positives} addresses, {len(ADDRESS_CASES) - positives} lookalikes)")
    print(f"{'approach':<22} {'precision':>9} {'recall':>7} {'FP':>4} {'FN':>4}")
    for name, factory in (("recognizer (regex)", _ours), ("usaddress 0.5 (CRF)", _usaddress)):
        predict = factory()
        if predict is None:
            print(f"{name:<22} not installed")
            continue
        p, r, fp, fn = measure(predict)
        print(f"{name:<22} {p:>9.2f} {r:>7.2f} {fp:>4} {fn:>4}")
    held = _held_out()
    if not held:
        return
    predictors = [(n, f()) for n, f in (("regex", _ours), ("usaddress", _usaddress))]
    print("\nsecond list (Faker, seed 11; not held out, see _held_out): share flagged as an address")
    print(f"{'values':<28} " + " ".join(f"{n:>9}" for n, f in predictors if f is not None))
    for name, values, _ in held:
        rates = [sum(f(v) for v in values) / len(values) for _, f in predictors if f is not None]
        print(f"{name:<28} " + " ".join(f"{r:>9.2f}" for r in rates))


if __name__ == "__main__":
    main()
