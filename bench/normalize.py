"""Cost of normalising before matching. Prints figures; never fails on time.

    .venv/bin/python bench/normalize.py [--values N] [--rounds R]

1. Plain text (the common case): the value scanner's patterns with the normaliser in
   front against the same patterns on the raw text; the ratio is the overhead.
2. Map keys: redacting one JSON document of 20,000 and of 40,000 e-mail keys (linear:
   twice the keys, about twice the time).
3. Hostile text: normalising 1 MB of full-width digits, zero-width characters and
   bracketed spellings (linear, bounded).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detectors.normalize import normalize
from detectors.textscan import TextScanner, merge

PLAIN = [
    "gold",
    "2024-01-15",
    "Order 42 shipped to the warehouse in the morning.",
    "status: delivered",
    "The customer asked for a refund on the second item of the order.",
    "SKU-88123-B",
    "Premium Plan",
    "payment settled, reference 6f1c2d3e-4155-5501-2345-0a1b2c3d4e5f",
    "note: box damaged in transit, replacement sent",
    "12.50",
]


def best_of(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)
    values = [rng.choice(PLAIN) + (f" #{i}" if i % 3 else "") for i in range(args.values)]
    scanner = TextScanner()

    def raw() -> None:
        for v in values:
            merge(f for rec in scanner.recognizers for f in rec.find(v))

    def normalised() -> None:
        for v in values:
            scanner.find(v, prose=False)

    def normalise_only() -> None:
        for v in values:
            normalize(v)

    t_raw, t_norm, t_only = (best_of(args.rounds, f) for f in (raw, normalised, normalise_only))
    print(f"plain text, {args.values} values:")
    print(f"  patterns on raw text        {t_raw * 1e6 / args.values:8.1f} us/value")
    print(f"  normalise + patterns        {t_norm * 1e6 / args.values:8.1f} us/value")
    print(f"  normalise alone             {t_only * 1e6 / args.values:8.1f} us/value")
    print(f"  overhead ratio (norm/raw)   {t_norm / t_raw:8.2f}x")

    print("map keys (one document, every key an e-mail):")
    per_key = []
    for n in (20_000, 40_000):
        doc = {f"user{i}@example.com": i for i in range(n)}
        t = best_of(1, lambda doc=doc: scanner.redact_json(doc))
        per_key.append(t / n)
        print(f"  {n:6d} keys                 {t:8.2f} s")
    print(f"  time per key, 40k vs 20k    {per_key[1] / per_key[0]:8.2f}x (1.0 = linear)")

    hostile = ("\uff14\uff11\uff11\uff11\u200b" + " x [at] y (dot) z %40 \u0430\u00a0") * (1_000_000 // 28)
    t = best_of(1, lambda: normalize(hostile))
    print(f"hostile text, {len(hostile) / 1e6:.1f} M chars: normalise {t:.2f} s")


if __name__ == "__main__":
    main()
