"""Does the actor's check keep nonsense from the trainee? The customer lines a small model wrote, labelled by hand
as fitting what the director decided or not, run through the actor's own check; and, with the model at hand,
how often sessions fall back to authored lines and how varied the customer is.

    python -m bench.customer_fit [--sessions N] [--no-model]

The labelled set is ``tests/data/fit/model-lines.yaml``: SmolLM2-135M lines from simulated sessions, each with
the beats it was asked to carry and the agent's message before it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.claims import claim
from simulator.catalog import Catalog, catalog_roots, load_catalog
from simulator.catalog.models import Intent
from simulator.engine.actor import Actor
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.director import Beat, Decision
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "fit" / "model-lines.yaml"
ENGLISH = (
    "home-internet-down",
    "chatbot-loop",
    "duplicate-card-charge",
    "online-school-mentor",
    "slow-mobile-internet",
)


@dataclass
class Verdicts:
    misfits_passed: list[str]
    good_rejected: list[tuple[str, str]]
    misfits: int
    good: int


def judge(catalog: Catalog, rows: list[dict]) -> Verdicts:
    """Each labelled line through a fresh actor's full check, as the model's line for its beats."""
    passed: list[str] = []
    rejected: list[tuple[str, str]] = []
    for row in rows:
        scenario = catalog.scenario(row["scenario"])
        actor = Actor(ScriptedBackend(), catalog.cast(scenario), scenario, random.Random(0))
        actor.heard_agent(row.get("agent") or "")
        beats = [Beat(Intent(b["intent"]), b.get("fact"), b.get("value"), why=b.get("why")) for b in row["beats"]]
        problem = actor.problem(row["text"], Decision(beats, 50, "annoyed"))
        if row["fits"] and problem is not None:
            rejected.append((row["text"], problem))
        elif not row["fits"] and problem is None:
            passed.append(row["text"])
    misfits = sum(1 for r in rows if not r["fits"])
    return Verdicts(passed, rejected, misfits, len(rows) - misfits)


def sessions_on_the_model(catalog: Catalog, count: int) -> tuple[int, int, Counter[str], int, int, list[str]]:
    """Play the bots on the embedded model: (model lines kept, lines written, rejection reasons, distinct
    customer lines, customer lines, the kept lines)."""
    from simulator.llm.local import LocalBackend

    backend = LocalBackend(threads=1)
    kept = written = 0
    reasons: Counter[str] = Counter()
    lines: list[str] = []
    shown: list[str] = []
    for i in range(count):
        scenario = catalog.scenario(ENGLISH[i % len(ENGLISH)])
        bot = ["good", "canned"][i // len(ENGLISH) % 2]
        session = Session(scenario, catalog.cast(scenario), backend, VirtualClock(), seed=4 + i)
        transcript = asyncio.run(play(session, BOTS[bot](scenario)))
        for event in transcript.messages("customer"):
            if event.meta.get("chunk") != 0 or "fallback" not in event.meta or event.meta.get("intents") == ["opening"]:
                continue
            tried = event.meta.get("rejected", [])
            written += len(tried) + (0 if event.meta["fallback"] else 1)
            kept += not event.meta["fallback"]
            if not event.meta["fallback"]:
                shown.append(f"{'+'.join(event.meta.get('intents', []))}: {event.text}")
            reasons.update(r["reason"].split(" '")[0] for r in tried)
        lines += [e.text or "" for e in transcript.messages("customer")]
    return kept, written, reasons, len(set(lines)), len(lines), shown


def scripted_variety(catalog: Catalog) -> tuple[int, int, int]:
    """Every scenario with every bot on the scripted backend: (distinct customer lines, customer lines,
    lines said twice within one session). The hasty bot sends one message every turn, and no bank outlasts
    twenty identical turns, so its repeats are not counted."""
    distinct: set[str] = set()
    total = twice = 0
    for scenario_id in sorted(catalog.scenarios):
        scenario = catalog.scenario(scenario_id)
        for bot in BOTS:
            session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=1)
            transcript = asyncio.run(play(session, BOTS[bot](scenario)))
            said = [e.text or "" for e in transcript.messages("customer") if e.meta.get("intents") != ["opening"]]
            distinct |= set(said)
            total += len(said)
            twice += 0 if bot == "hasty" else len(said) - len(set(said))
    return len(distinct), total, twice


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="sessions to play on the embedded model")
    parser.add_argument("--no-model", action="store_true", help="only the labelled set")
    args = parser.parse_args()
    catalog = load_catalog(catalog_roots())
    rows = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["lines"]
    verdicts = judge(catalog, rows)
    let_through = len(verdicts.misfits_passed) / max(1, verdicts.misfits)
    wrongly = len(verdicts.good_rejected) / max(1, verdicts.good)
    print(f"labelled model lines: {len(rows)} ({verdicts.good} fit, {verdicts.misfits} do not)")
    print(f"  misfits the check lets through: {len(verdicts.misfits_passed)} ({let_through:.0%})")
    for text in verdicts.misfits_passed:
        print(f"    {text!r}")
    print(f"  fitting lines it rejects: {len(verdicts.good_rejected)} ({wrongly:.0%})")
    for text, why in verdicts.good_rejected:
        print(f"    {text!r}: {why}")
    claim("customer lines: misfits let through (hand-labelled)", f"{let_through:.1%}", "<= 5%", let_through <= 0.05)
    claim("customer lines: fitting lines rejected (hand-labelled)", f"{wrongly:.1%}", "(reported)")
    distinct, total, twice = scripted_variety(catalog)
    print(f"scripted backend, every scenario and bot: {distinct} distinct of {total} customer messages")
    claim("customer variety, scripted: distinct lines per 100", f"{100 * distinct / max(1, total):.0f}", "(reported)")
    claim("customer lines said twice in one session, scripted", str(twice), "0", twice == 0)
    if not args.no_model:
        kept, written, reasons, distinct, total, shown = sessions_on_the_model(catalog, args.sessions)
        print(f"embedded model, {args.sessions} sessions: kept {kept} of {written} lines it wrote")
        for line in shown:
            print(f"  kept: {line}")
        for reason, n in reasons.most_common(8):
            print(f"  rejected {n:>3}: {reason}")
        claim("embedded model: lines kept (the rest fall back to authored lines)", f"{kept}/{written}", "(reported)")
        claim("customer variety: distinct lines per 100", f"{100 * distinct / max(1, total):.0f}", "(reported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
