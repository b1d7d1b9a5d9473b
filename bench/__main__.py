"""Run every benchmark on this machine, one after another (they would compete for the cores), then print
their claims side by side as a Markdown table.

    python -m bench [--quick] [--only NAME ...]

Each benchmark prints its own measurements as it goes; the summary gathers the lines where each states a
claim (``bench/claims.py``). ``--quick`` uses tiny sizes so the whole run takes a minute or two: it proves
the benchmarks work, its figures are not the claims. Exits non-zero if a benchmark failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.claims import parse

HERE = Path(__file__).resolve().parent
# name: (script, full-run arguments, quick-run arguments)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "startup": ("startup.py", [], ["--runs", "1"]),
    "llm": ("llm_latency.py", [], ["--turns", "3"]),
    "ui": ("ui_latency.py", [], ["--keys", "20", "--no-model"]),
    "grader": ("grader_speed.py", [], ["--sessions", "20", "--turns", "5", "--no-model"]),
    "coach": ("coach_latency.py", [], ["--turns", "10", "--drafts", "2"]),
    "accuracy": ("grader_accuracy.py", [], []),
    "understanding": ("understanding.py", [], []),
    "duplicates": ("near_duplicates.py", [], ["--messages", "5000"]),
    "customer": ("customer_fit.py", [], ["--sessions", "2"]),
    "store": ("store_progress.py", [], ["--sessions", "2000", "--groups", "4", "--trainees", "5", "--runs", "1"]),
    "class": ("class_load.py", [], ["--sizes", "1", "--seconds", "30"]),
}


def run(name: str, quick: bool) -> tuple[int, list[tuple[str, str, str, str]], float]:
    script, full, small = BENCHMARKS[name]
    print(f"\n## {name} ({script})\n", flush=True)
    started = time.perf_counter()
    command = [sys.executable, str(HERE / script), *(small if quick else full)]
    claims = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if (found := parse(line)) is not None:
                claims.append(found)
    return process.returncode, claims, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the benchmarks work")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run just these")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    failed = []
    for name in args.only or list(BENCHMARKS):
        code, claims, seconds = run(name, args.quick)
        if code:
            failed.append(name)
            rows.append((name, "the benchmark failed", f"exit {code}", "", "MISSED"))
        rows += [(name, *c) for c in claims]
        print(f"({name}: {seconds:.0f} s)", flush=True)
    print("\n## Summary" + (" (quick run: sizes too small for the figures to count)" if args.quick else "") + "\n")
    print("| benchmark | claim | measured | target | verdict |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
