"""Time to the customer's first token as a conversation grows, and decode speed, side by side with plain
llama-cpp-python on the same embedded GGUF and thread count.

    python bench/llm_latency.py [--turns 20]

Baselines: (a) a plain loop over an append-only transcript prompt (llama.cpp's own prefix reuse), and
(b) the same prompt with the cache reset every turn. Sparring's director and actor keep the prompt
append-only, so it should track (a), far below (b). Ratios measured in one run are the claim.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

from simulator.catalog import catalog_roots, load_catalog
from simulator.engine.bots import ScriptedAgent, Step
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.base import Request, generate
from simulator.llm.local import LocalBackend

AGENT = [
    "I see. Can you tell me more about what happens?",
    "When did you first notice it?",
    "Does it happen all day or only at certain times?",
    "Which devices are affected?",
    "Have you changed anything at home recently?",
]
STOPS = ["\nAgent:", "\nDana:", "\n\n", "["]


def plain_ttft(llama: Any, turns: int, reset: bool) -> list[float]:
    """A plain loop: the transcript grows by one exchange a turn; optionally the cache is dropped first."""
    prompt = "A support chat. Dana is an angry customer whose internet has been down for three days.\n"
    times = []
    for turn in range(turns):
        prompt += f"Agent: {AGENT[turn % len(AGENT)]}\nDana:"
        if reset:
            llama.reset()
        started = time.perf_counter()
        stream = llama.create_completion(prompt=prompt, max_tokens=24, stop=STOPS, stream=True, seed=turn)
        first = None
        text = ""
        for chunk in stream:
            if first is None:
                first = time.perf_counter() - started
            text += chunk["choices"][0]["text"]
        times.append(first or 0.0)
        prompt += text.strip().split("\n")[0] + "\n"
    return times


def sparring_ttft(backend: LocalBackend, turns: int) -> tuple[list[float], float]:
    """The same model through the director and actor, with an agent that keeps the customer talking."""
    catalog = load_catalog(catalog_roots())
    scenario = catalog.scenario("home-internet-down")
    scenario = scenario.model_copy(update={"end": scenario.end.model_copy(update={"max_turns": turns + 5})})
    persona = catalog.cast(scenario)
    calm = persona.escalates.model_copy(update=dict.fromkeys(type(persona.escalates).model_fields, 0))
    persona = persona.model_copy(update={"patience": 100, "escalates": calm})
    steps = [Step(say=AGENT[i % len(AGENT)]) for i in range(turns)]
    session = Session(scenario, persona, backend, VirtualClock(), seed=1)
    transcript = asyncio.run(play(session, ScriptedAgent(steps)))
    lines = [
        e for e in transcript.messages("customer") if e.meta.get("chunk") == 0 and e.meta.get("backend") == "local"
    ]
    ttft = [e.meta.get("ttft") or 0.0 for e in lines]
    fallbacks = sum(e.meta["fallback"] for e in lines) / max(1, len(lines))
    return ttft, fallbacks


def decode_speed(backend: LocalBackend, llama: Any, tokens: int = 96) -> tuple[float, float]:
    prompt = "Write a long complaint about a broken washing machine:\n"
    llama.reset()
    started = time.perf_counter()
    out = llama.create_completion(prompt=prompt, max_tokens=tokens, seed=3, temperature=0.7)
    plain = out["usage"]["completion_tokens"] / (time.perf_counter() - started)
    llama.reset()
    generation = asyncio.run(generate(backend, Request(prompt=prompt, max_tokens=tokens, seed=3, temperature=0.7)))
    ours = generation.usage.completion_tokens / generation.seconds
    return plain, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    backend = LocalBackend()
    asyncio.run(generate(backend, Request(prompt="Hello", max_tokens=1)))  # load outside the timings
    llama = backend._llama
    checkpoints = sorted({1, min(10, args.turns), args.turns})
    plain = plain_ttft(llama, args.turns, reset=False)
    reset = plain_ttft(llama, args.turns, reset=True)
    llama.reset()
    ours, fallback_rate = sparring_ttft(backend, args.turns)
    print(f"embedded model, {backend.threads} llama.cpp thread(s) of {len(os.sched_getaffinity(0))} cores")
    print(f"{'turn':>5} {'plain (a)':>10} {'reset (b)':>10} {'sparring':>10} {'vs (a)':>7} {'vs (b)':>7}")
    for turn in checkpoints:
        a, b = plain[turn - 1], reset[turn - 1]
        s = ours[min(turn, len(ours)) - 1] if ours else float("nan")
        print(f"{turn:>5} {a:>9.3f}s {b:>9.3f}s {s:>9.3f}s {s / a:>6.2f}x {s / b:>6.2f}x")
    print(f"median TTFT over all turns: plain {statistics.median(plain):.3f}s, sparring {statistics.median(ours):.3f}s")
    print(f"actor fallback rate (lines from the authored bank): {fallback_rate:.0%}")
    plain_speed, our_speed = decode_speed(backend, llama)
    print(
        f"decode: plain {plain_speed:.1f} tok/s, sparring {our_speed:.1f} tok/s, ratio {our_speed / plain_speed:.2f}x"
    )


if __name__ == "__main__":
    main()
