"""How well the customer understands trainees in their own words: recall per kind and false triggers on the
labelled paraphrase corpora in ``tests/data/understanding``, and the time the understanding step takes.

    python -m bench.understanding [--set dev,blind|PATH] [--misses] [--format text|json]

Each corpus file holds agent lines written for one shipped scenario, labelled with the facts they ask for
(``asks``), the resolution they offer or carry out (``resolution``) or the trap advice they give (``trap``);
a line with none of these is neutral. ``dev`` is the set the rules were developed against; ``blind`` was
written apart from the rules and only measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.claims import claim
from grading.understanding import Understanding, reading
from simulator.catalog import catalog_roots, load_catalog

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "tests" / "data" / "understanding"
KINDS = ("asks", "resolution", "trap", "neutral")


@dataclass
class Line:
    scenario: str
    language: str
    text: str
    asks: list[str]
    resolution: str | None
    trap: str | None

    @property
    def kind(self) -> str:
        return "asks" if self.asks else "resolution" if self.resolution else "trap" if self.trap else "neutral"


@dataclass
class Result:
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[tuple[Line, Understanding]] = field(default_factory=list)
    false_triggers: list[tuple[Line, Understanding]] = field(default_factory=list)
    """Lines that set off something they were not labelled with (a neutral line that did anything, or an
    extra resolution or trap on another line)."""
    millis: list[float] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return self.hits[kind] / self.totals[kind] if self.totals[kind] else 0.0


def load(folder: Path) -> list[Line]:
    lines = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in data["lines"]:
            lines.append(
                Line(
                    data["scenario"],
                    "",
                    row["text"],
                    list(row.get("asks") or []),
                    row.get("resolution"),
                    row.get("trap"),
                )
            )
    return lines


def recognized(line: Line, seen: Understanding) -> bool:
    if line.kind == "asks":
        return set(line.asks) <= {*seen.ids("asks"), *seen.ids("unknown"), *seen.ids("states")} and bool(
            seen.asks or seen.unknown
        )
    if line.kind == "resolution":
        return line.resolution in seen.ids("resolutions")
    if line.kind == "trap":
        return line.trap in seen.ids("traps")
    return not (seen.asks or seen.unknown or seen.resolutions or seen.traps)


def false_trigger(line: Line, seen: Understanding) -> bool:
    """Something fired that the line does not do."""
    extra_asks = set(seen.ids("asks")) | set(seen.ids("unknown"))
    if line.kind == "neutral":
        return bool(extra_asks or seen.resolutions or seen.traps)
    wrong_fix = {*seen.ids("resolutions")} - {line.resolution} or {*seen.ids("traps")} - {line.trap}
    return bool(wrong_fix or extra_asks - set(line.asks))


def evaluate(folder: Path) -> Result:
    catalog = load_catalog(catalog_roots())
    result = Result()
    for line in load(folder):
        scenario = catalog.scenarios[line.scenario].model
        compiled = reading(scenario)
        started = time.perf_counter()
        seen = compiled.understand(line.text)
        result.millis.append((time.perf_counter() - started) * 1000)
        kind = line.kind
        result.totals[kind] += 1
        if recognized(line, seen):
            result.hits[kind] += 1
        else:
            result.misses.append((line, seen))
        if false_trigger(line, seen):
            result.false_triggers.append((line, seen))
    return result


def _describe(seen: Understanding) -> str:
    parts = [
        f"{what}={seen.ids(what)}" for what in ("asks", "unknown", "resolutions", "traps", "states") if seen.ids(what)
    ]
    return ", ".join(parts) or "nothing"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--set", default="dev,blind", help="dev, blind, a folder of corpus files, or several, comma-separated"
    )
    parser.add_argument("--misses", action="store_true", help="list every miss and false trigger")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    reports = []
    for name in args.set.split(","):
        folder = CORPORA / name if (CORPORA / name).is_dir() else Path(name)
        if not folder.is_dir():
            print(f"{folder}: no such corpus folder", file=sys.stderr)
            return 2
        reports.append(report(name, folder, args.misses, args.format))
    if args.format == "json":
        print(json.dumps(reports if len(reports) > 1 else reports[0], indent=2))
    return 0


def report(name: str, folder: Path, misses: bool, output: str) -> dict:
    result = evaluate(folder)
    median = statistics.median(result.millis)
    p95 = sorted(result.millis)[int(0.95 * (len(result.millis) - 1))]
    summary = {
        "set": name,
        "recall": {k: result.recall(k) for k in KINDS},
        "hits": dict(result.hits),
        "totals": dict(result.totals),
        "false_triggers": len(result.false_triggers),
        "neutral_false_triggers": sum(1 for line, _ in result.false_triggers if line.kind == "neutral"),
        "median_ms": median,
        "p95_ms": p95,
    }
    if output == "json":
        return summary
    print(f"corpus: {folder} ({sum(result.totals.values())} lines)")
    for kind in KINDS:
        label = "neutral lines read as neutral" if kind == "neutral" else f"{kind} recognized"
        print(f"  {label:<34} {result.hits[kind]:>4} of {result.totals[kind]:<4} {result.recall(kind):.2f}")
    neutral_false = sum(1 for line, _ in result.false_triggers if line.kind == "neutral")
    print(f"  lines that set off something else  {len(result.false_triggers):>4}")
    print(f"  time per message: median {median:.3f} ms, p95 {p95:.3f} ms")
    if misses:
        for title, rows in (("misses", result.misses), ("false triggers", result.false_triggers)):
            print(f"\n{title}:")
            for line, seen in rows:
                want = line.asks or line.resolution or line.trap or "neutral"
                print(f"  [{line.scenario}] {line.text!r}\n      want {want}; got {_describe(seen)}")
    for kind in ("asks", "resolution", "trap"):
        claim(
            f"understanding ({name}): {kind} recognized",
            f"{result.recall(kind):.2f} ({result.hits[kind]}/{result.totals[kind]})",
            ">= 0.90",
            result.recall(kind) >= 0.90,
        )
    claim(
        f"understanding ({name}): neutral lines misread",
        f"{neutral_false} of {result.totals['neutral']}",
        "0",
        neutral_false == 0,
    )
    claim(f"understanding ({name}): time per message, median", f"{median:.2f} ms", "<= 2 ms", median <= 2.0)
    print()
    return summary


if __name__ == "__main__":
    sys.exit(main())
