"""Grader speed: median milliseconds per turn over generated 30-turn sessions, next to model time per turn.

    python bench/grader_speed.py [--sessions 1000] [--turns 30] [--no-model]

Sessions are assembled from the shipped line banks, bots' phrasing and company templates, so every rule
of the grader has something to look at. The model figure is the embedded local model writing one
customer line, measured in the same run, so the ratio is the claim, not the absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from bench.claims import claim
from grading import grade
from simulator.catalog import catalog_roots, load_catalog
from simulator.catalog.models import Intent, Scenario
from simulator.engine.bots import CANNED, GREETING
from transcripts.format import Event, Transcript


def agent_lines(scenario: Scenario) -> list[str]:
    lang = scenario.language
    lines = [f.question for f in scenario.facts.hidden if f.question]
    lines += [r.example for r in scenario.resolutions] + list(scenario.templates) + CANNED[lang]
    lines.append(GREETING[lang].format(quote=scenario.opening[0]))
    return lines


def session(scenario: Scenario, persona_lines: list[str], turns: int, rng: random.Random) -> Transcript:
    events: list[Event] = []
    t = 0.0
    agent = agent_lines(scenario)
    for _ in range(turns):
        for role, pool in (("customer", persona_lines), ("agent", agent)):
            t += rng.uniform(2, 20)
            final = role == "agent" or rng.random() > 0.2
            text = scenario.opening[0] if not events else rng.choice(pool)
            events.append(Event(seq=len(events) + 1, t=round(t, 2), role=role, type="message", text=text, final=final))
    events.append(Event(seq=len(events) + 1, t=t + 1, role="system", type="end", text="unfinished"))
    return Transcript(id=f"bench-{rng.random():.6f}", scenario=scenario.id, language=scenario.language, events=events)


def model_seconds_per_line(samples: int = 5) -> float:
    from simulator.llm.base import Request, generate
    from simulator.llm.local import LocalBackend

    backend = LocalBackend()
    prompt = "A support chat. Dana is an angry customer.\nAgent: Hello, what happened?\nDana:"
    request = Request(prompt=prompt, stop=("\n",), max_tokens=40, seed=1)
    asyncio.run(generate(backend, request))  # load the model outside the measurement
    times = [asyncio.run(generate(backend, request)).seconds for _ in range(samples)]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--no-model", action="store_true", help="skip the model comparison")
    args = parser.parse_args()

    catalog = load_catalog(catalog_roots())
    rng = random.Random(7)
    cases = []
    for scenario_id in sorted(catalog.scenarios):
        scenario = catalog.scenario(scenario_id)
        persona = catalog.cast(scenario)
        cases.append((scenario, [line for intent in Intent for line in persona.lines[intent][scenario.language]]))
    transcripts = []
    for i in range(args.sessions):
        scenario, lines = cases[i % len(cases)]
        transcripts.append((session(scenario, lines, args.turns, rng), scenario))

    per_turn = []
    start = time.perf_counter()
    for transcript, scenario in transcripts:
        began = time.perf_counter()
        grade(transcript, scenario)
        per_turn.append((time.perf_counter() - began) / args.turns)
    total = time.perf_counter() - start
    median_ms = statistics.median(per_turn) * 1000
    print(f"grader: {args.sessions} sessions x {args.turns} turns in {total:.2f} s")
    print(
        f"grader: median {median_ms:.3f} ms/turn, p95 {sorted(per_turn)[int(0.95 * len(per_turn))] * 1000:.3f} ms/turn"
        f" (target <= 1 ms)"
    )
    claim(
        f"grader, median per turn ({args.sessions} sessions x {args.turns} turns)",
        f"{median_ms:.3f} ms",
        "<= 1 ms",
        median_ms <= 1,
    )
    if not args.no_model:
        line = model_seconds_per_line()
        print(f"model:  median {line * 1000:.0f} ms per customer line (embedded SmolLM2-135M, same run)")
        print(f"ratio:  grading a turn costs {median_ms / (line * 1000):.4f}x of generating its customer line")
        claim("grading a turn vs generating its customer line", f"{median_ms / (line * 1000):.4f}x", "(reported)")


if __name__ == "__main__":
    main()
