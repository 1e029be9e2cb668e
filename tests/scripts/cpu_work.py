# A CPU-bound Python workload for the unwinding tests and bench/unwind: recursion (fib) and
# string parsing, for argv[1] seconds, or exactly N rounds with argv[1] = "nN".
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def parse(text):
    return sum(int(x) for x in text.split(","))


def main():
    data = ",".join(str(i) for i in range(2000))
    arg = sys.argv[1] if len(sys.argv) > 1 else "3"
    if arg.startswith("n"):
        for _ in range(int(arg[1:])):
            fib(18)
            parse(data)
        return
    end = time.monotonic() + float(arg)
    while time.monotonic() < end:
        fib(18)
        parse(data)


main()
