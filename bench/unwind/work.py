"""CPU-bound Python workload for bench/unwind/run.sh: recursive fib plus string parsing.
work.py SECONDS  runs rounds until SECONDS have passed; work.py nR  runs exactly R rounds."""
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def parse(lines):
    total = 0
    for line in lines:
        key, _, rest = line.partition("=")
        fields = rest.split(",")
        total += len(key) + sum(int(f, 16) for f in fields if f)
    return total


LINES = ["key%d=%s" % (i, ",".join("%x" % (i * j) for j in range(12))) for i in range(400)]


def one_round():
    return fib(18) + parse(LINES)


def main():
    arg = sys.argv[1] if len(sys.argv) > 1 else "3"
    if arg.startswith("n"):
        for _ in range(int(arg[1:])):
            one_round()
        return
    end = time.monotonic() + float(arg)
    while time.monotonic() < end:
        one_round()


if __name__ == "__main__":
    main()
