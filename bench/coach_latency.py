"""Live coach speed: milliseconds per keystroke on a long conversation, next to the grader on the same turns.

    python bench/coach_latency.py [--turns 100] [--drafts 20]

The coach follows a generated conversation of ``--turns`` exchanges (the grader benchmark's generator), then
advises on every prefix of ``--drafts`` agent drafts, as if each character had just been typed: that is
the work one keystroke costs once the typing pause has passed. English and Russian scenarios alternate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench.claims import claim
from bench.grader_speed import agent_lines, session
from grading import grade
from grading.coach import Coach
from simulator.catalog import catalog_roots, load_catalog
from simulator.catalog.models import Intent

TARGET_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=100, help="exchanges before the drafts")
    parser.add_argument("--drafts", type=int, default=20, help="drafts typed, per scenario")
    args = parser.parse_args()
    catalog = load_catalog(catalog_roots())
    rng = random.Random(11)
    per_key: list[float] = []
    per_turn: list[float] = []
    for scenario_id in sorted(catalog.scenarios):
        scenario = catalog.scenario(scenario_id)
        persona = catalog.cast(scenario)
        lines = [line for intent in Intent for line in persona.lines[intent][scenario.language]]
        transcript = session(scenario, lines, args.turns, rng)
        started = time.perf_counter()
        grade(transcript, scenario)
        per_turn.append((time.perf_counter() - started) / args.turns)
        coach = Coach(scenario, scenario.language)
        for event in transcript.events[:-1]:
            coach.hear(event)
        now = transcript.events[-1].t
        for draft in rng.sample(agent_lines(scenario), min(args.drafts, len(agent_lines(scenario)))):
            for end in range(1, len(draft) + 1):
                began = time.perf_counter()
                coach.advise(draft[:end], now)
                per_key.append(time.perf_counter() - began)
    ms = sorted(1000 * s for s in per_key)
    p50, p95 = statistics.median(ms), ms[int(0.95 * len(ms))]
    grader_ms = 1000 * statistics.median(per_turn)
    print(f"coach: {len(ms):,} keystrokes on {len(catalog.scenarios)} scenarios after {args.turns} exchanges each")
    print(
        f"coach: p50 {p50:.3f} ms, p95 {p95:.3f} ms, max {ms[-1]:.3f} ms per keystroke (target p95 <= {TARGET_MS} ms)"
    )
    print(f"grader on the same conversations: median {grader_ms:.3f} ms per turn; coach/grader {p50 / grader_ms:.1f}x")
    claim(
        f"live coach per keystroke after {args.turns} exchanges, p95",
        f"{p95:.2f} ms",
        f"<= {TARGET_MS:.0f} ms",
        p95 <= TARGET_MS,
    )


if __name__ == "__main__":
    main()
