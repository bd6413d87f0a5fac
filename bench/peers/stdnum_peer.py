"""python-stdnum reading and validating the benchmarks' inputs: isbn / ean validate, and to_isbn13; prints seconds per run."""
import sys
import time

from stdnum import ean, isbn


def read_all(inputs):
    valid = 0
    for x in inputs:
        try:
            isbn.to_isbn13(isbn.validate(x))
            valid += 1
        except Exception:
            try:
                ean.validate(x)
                valid += 1
            except Exception:
                pass
    return valid


def main():
    inputs = open(sys.argv[1], encoding="ascii").read().split("\n")[:-1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for _ in range(runs):
        started = time.perf_counter()
        valid = read_all(inputs)
        print(f"{time.perf_counter() - started:.4f} {valid}")


main()
