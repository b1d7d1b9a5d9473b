"""Time to the customer's first token as a conversation grows, and decode speed, side by side with plain
llama-cpp-python on the same embedded GGUF and thread count.

    python bench/llm_latency.py [--turns 20]

Baselines, on the same persona header and agent lines: (a) a plain loop over an append-only transcript
prompt (llama.cpp's own prefix reuse), and (b) the same prompt with the cache reset every turn. Sparring
keeps its prompt append-only and reads every new line into the cache while nobody waits (the customer's
line while it is typed out, the agent's during the reply pause), so at request time only the director's
note is left to read. The "no idle" run takes that time away: every line is read at request time.
Each turn's figure is the median of that turn and the two before it. Ratios measured in one run are the claim.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from typing import Any

from bench.claims import claim
from simulator.catalog import catalog_roots, load_catalog
from simulator.catalog.models import Persona, Scenario
from simulator.engine.actor import Actor
from simulator.engine.bots import ScriptedAgent, Step
from simulator.engine.clock import VirtualClock
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


def case(turns: int) -> tuple[Scenario, Persona]:
    """An English scenario whose customer stays for ``turns`` turns whatever the agent says."""
    catalog = load_catalog(catalog_roots())
    scenario = catalog.scenario("home-internet-down")
    scenario = scenario.model_copy(update={"end": scenario.end.model_copy(update={"max_turns": turns + 5})})
    persona = catalog.cast(scenario)
    calm = persona.escalates.model_copy(update=dict.fromkeys(type(persona.escalates).model_fields, 0))
    return scenario, persona.model_copy(update={"patience": 100, "escalates": calm})


def plain_ttft(llama: Any, scenario: Scenario, persona: Persona, turns: int, reset: bool) -> tuple[list[float], int]:
    """A plain loop: the transcript grows by one exchange a turn; optionally the cache is dropped first.
    Returns the time to the first token of each turn and the last prompt's length in tokens."""
    actor = Actor(LocalBackend(), persona, scenario, random.Random(0))  # only for its header
    name = actor.name
    prompt = actor.prompt + f"{name}: {' '.join(scenario.opening)}\n"
    stops = ["\nAgent:", f"\n{name}:", "\n\n", "["]
    llama.reset()
    times = []
    for turn in range(turns):
        prompt += f"Agent: {AGENT[turn % len(AGENT)]}\n{name}:"
        if reset:
            llama.reset()
        started = time.perf_counter()
        stream = llama.create_completion(prompt=prompt, max_tokens=24, stop=stops, stream=True, seed=turn)
        first = None
        text = ""
        for chunk in stream:
            if first is None:
                first = time.perf_counter() - started
            text += chunk["choices"][0]["text"]
        times.append(first or 0.0)
        prompt += text.strip().split("\n")[0] + "\n"
    return times, len(llama.tokenize(prompt.encode("utf-8"), special=True))


async def converse(session: Session, agent: ScriptedAgent, idle: bool) -> None:
    """``headless.play`` on virtual time. ``idle``: the model may finish reading each new line before the
    conversation goes on, as it can in a real session (the customer's line is typed out for seconds, the
    agent's is followed by a 1.5 s reply pause; reading a line takes about 0.1 s)."""
    async for event in session.run():
        if idle and session.warming:
            await session.warming
        for text, delay in agent.on_event(event):
            session.say(text, delay) if text is not None else session.finish(delay)


def sparring_ttft(backend: LocalBackend, scenario: Scenario, persona: Persona, turns: int, idle: bool) -> Any:
    """The same model through the director and actor, with an agent that keeps the customer talking.

    Returns the first model token of each turn, the time until each turn's line was validated (every
    attempt included), the share of lines that came from the authored bank and the last prompt's length."""
    backend._llama.reset()
    session = Session(scenario, persona, backend, VirtualClock(), seed=1)
    asyncio.run(converse(session, ScriptedAgent([Step(say=AGENT[i % len(AGENT)]) for i in range(turns)]), idle))
    lines = [
        e
        for e in session.transcript.messages("customer")
        if e.meta.get("chunk") == 0 and e.meta.get("backend") == "local"
    ]
    ttft = [e.meta.get("ttft") or 0.0 for e in lines]
    ready = [e.meta.get("latency") or 0.0 for e in lines]
    fallbacks = sum(e.meta["fallback"] for e in lines) / max(1, len(lines))
    return ttft, ready, fallbacks, lines[-1].meta.get("tokens_in", 0) if lines else 0


def decode_speed(backend: LocalBackend, llama: Any, tokens: int = 200, runs: int = 5) -> tuple[float, float, float]:
    """Tokens per second, plain and through the backend (median of ``runs`` each, alternating), and the
    CPU cores the process kept busy while decoding through the backend."""
    prompt = "Write a long complaint about a broken washing machine:\n"
    plain, ours, cores = [], [], []
    for run in range(runs):
        llama.reset()
        started = time.perf_counter()
        out = llama.create_completion(prompt=prompt, max_tokens=tokens, seed=run, temperature=0.7)
        plain.append(out["usage"]["completion_tokens"] / (time.perf_counter() - started))
        llama.reset()
        cpu, wall = time.process_time(), time.perf_counter()
        request = Request(prompt=prompt, max_tokens=tokens, seed=run, temperature=0.7)
        generation = asyncio.run(generate(backend, request))
        cores.append((time.process_time() - cpu) / (time.perf_counter() - wall))
        ours.append(generation.usage.completion_tokens / generation.seconds)
    return statistics.median(plain), statistics.median(ours), statistics.median(cores)


def at(times: list[float], turn: int) -> float:
    window = times[max(0, turn - 3) : turn]
    return statistics.median(window) if window else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    backend = LocalBackend()
    asyncio.run(generate(backend, Request(prompt="Hello", max_tokens=1)))  # load outside the timings
    llama = backend._llama
    scenario, persona = case(args.turns)
    print(f"conversations of {args.turns} turns…", flush=True)
    plain, plain_tokens = plain_ttft(llama, scenario, persona, args.turns, reset=False)
    reset, _ = plain_ttft(llama, scenario, persona, args.turns, reset=True)
    ours, ready, fallback_rate, our_tokens = sparring_ttft(backend, scenario, persona, args.turns, idle=True)
    cold, _, _, _ = sparring_ttft(backend, scenario, persona, args.turns, idle=False)
    cores = len(os.sched_getaffinity(0))
    print(f"embedded model {backend.model}, {backend.threads} llama.cpp thread(s), {cores} cores")
    print(f"prompt at the last turn: plain {plain_tokens} tokens, sparring {our_tokens} tokens")
    print("time to the customer's first token:")
    columns = ("plain (a)", "reset (b)", "sparring", "vs (a)", "vs (b)", "no idle", "vs (a)")
    print(f"{'turn':>5}" + "".join(f"{c:>11}" for c in columns))
    for turn in sorted({1, min(10, args.turns), args.turns}):
        a, b, s, c = at(plain, turn), at(reset, turn), at(ours, turn), at(cold, turn)
        cells = (f"{a:.3f}s", f"{b:.3f}s", f"{s:.3f}s", f"{s / a:.3f}x", f"{s / b:.4f}x", f"{c:.3f}s", f"{c / a:.2f}x")
        print(f"{turn:>5}" + "".join(f"{cell:>11}" for cell in cells))
    last = args.turns
    a, b, s, c = at(plain, last), at(reset, last), at(ours, last), at(cold, last)
    claim(f"first customer token at turn {last} vs plain append-only (a)", f"{s / a:.3f}x", "<= 1.5x", s / a <= 1.5)
    claim(f"first customer token at turn {last} vs cache reset (b)", f"{s / b:.4f}x", "<= 0.05x", s / b <= 0.05)
    claim("same, with no idle time to read ahead, vs (a)", f"{c / a:.2f}x", "(reported)")
    print(f"median over all turns: plain (a) {statistics.median(plain):.3f}s, sparring {statistics.median(ours):.3f}s")
    print(f"median time to a validated line (every attempt): {statistics.median(ready):.3f}s")
    print(f"actor fallback rate (lines from the authored bank): {fallback_rate:.0%}")
    claim("actor fallback rate, embedded 135M model", f"{fallback_rate:.0%}", "(reported)")
    plain_speed, our_speed, busy = decode_speed(backend, llama)
    print(
        f"decode: plain {plain_speed:.1f} tok/s, sparring {our_speed:.1f} tok/s, ratio {our_speed / plain_speed:.2f}x"
    )
    claim(
        "decode speed vs plain llama-cpp-python",
        f"{our_speed / plain_speed:.2f}x",
        ">= 0.95x",
        our_speed >= 0.95 * plain_speed,
    )
    load = os.getloadavg()[0]
    verdict = "not oversubscribed" if backend.threads + 1 <= cores else "OVERSUBSCRIBED"
    print(
        f"cpu: {busy:.2f} cores busy while decoding; {backend.threads} llama.cpp thread(s) + 1 for the app "
        f"on {cores} cores, load average {load:.1f}: {verdict}"
    )
    claim(
        "llama.cpp threads + app thread within the cores",
        f"{backend.threads} + 1 of {cores}",
        "<= cores",
        backend.threads + 1 <= cores,
    )


if __name__ == "__main__":
    main()
