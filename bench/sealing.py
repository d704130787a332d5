"""Cost of secrets at rest: sealing and opening a variable-sized value with ``SecretBox`` (AES-256-GCM),
against a SHA-256 of the same bytes as the baseline, measured in the same process.

    .venv/bin/python bench/sealing.py [--n 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import time

from starbase.crypto import SecretBox


def rate(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    box = SecretBox("bench-key-0123456789abcdef0123456789abcdef")
    print(f"{'value size':>10}{'sha256 /s':>14}{'seal /s':>12}{'open /s':>12}{'seal x':>9}{'open x':>9}")
    for size in (32, 1024, 65536):
        value = b"v" * size
        sealed = box.seal(value, context="variables:bench")
        base = rate(lambda v=value: hashlib.sha256(v).digest(), args.n)
        seal = rate(lambda v=value: box.seal(v, context="variables:bench"), args.n)
        opened = rate(lambda s=sealed: box.open_bytes(s, context="variables:bench"), args.n)
        print(f"{size:>10}{base:>14,.0f}{seal:>12,.0f}{opened:>12,.0f}{base / seal:>9.1f}{base / opened:>9.1f}")
    print("(x = how many times slower than hashing the same bytes)")


if __name__ == "__main__":
    main()
