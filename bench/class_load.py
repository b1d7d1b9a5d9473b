"""A class at once: N trainees practising at the same time on one machine, as ``sparring serve`` runs them.

    python -m bench.class_load [--sizes 4,8,16] [--seconds 60]

For each class size the benchmark does what serve does: it starts one model service for the embedded model
(``simulator.tui.serve.shared_model``) and one process per trainee, each running the app with the settings serve
gives a browser tab. In each process the app runs headless, and a trainee types into the practice screen at
human speed (a sentence at about 5 characters a second, after 1-3 s of thought), sends once the customer has
answered, and starts over when the customer leaves. Every trainee starts at the same moment and types for
``--seconds``.

Reported:
- the customer's first word: seconds from the engine asking the model service for a line to the first piece
  of it arriving (each attempt at a line counts; the engine's deliberate typing pauses are not included);
- keystroke to screen: the practice screen's draft, measured as ``bench/ui_latency.py`` does (a key is pressed
  from a thread at its planned time; it is on screen once a frame showing it has been encoded for the
  terminal), in every trainee's process while the class shares the two cores;
- memory: the peak resident size of each trainee's process and of the model service, sampled every second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bench.claims import claim

FIRST_WORD_TARGET = 2.0
KEYSTROKE_TARGET_MS = 50.0
GOAL_SIZE = 8
GAP = (0.12, 0.28)
"""Seconds between two keys: about 5 characters a second."""
THINK = (1.0, 3.0)
"""Seconds a trainee thinks before typing a message."""
READY = "ready"


def percentile(values: list[float], q: float) -> float:
    from bench.ui_latency import percentile as ui_percentile

    return ui_percentile(values, q) if values else float("nan")


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


# The trainee's side: one process per trainee, as serve runs one per browser tab.


async def trainee(settings_json: str, seconds: float, seed: int) -> dict[str, Any]:
    from bench.ui_latency import SENTENCES, Metered, Typist, open_practice, until
    from simulator.llm import make_backend
    from simulator.llm.base import Backend, Piece, Request
    from simulator.settings import load_settings
    from simulator.tui.app import SparringApp

    class Timed(Metered):
        """Times each line the engine asks the model for, to its first piece."""

        def __init__(self, inner: Backend):
            super().__init__(inner)
            self.first_words: list[float] = []

        async def stream(self, request: Request) -> AsyncIterator[Piece]:
            started, first = time.perf_counter(), True
            async for piece in super().stream(request):
                if first and piece.text:
                    self.first_words.append(time.perf_counter() - started)
                    first = False
                yield piece

    settings = load_settings(**json.loads(settings_json))
    rng = random.Random(seed)
    meter = Timed(make_backend(settings))
    app = SparringApp(settings=settings, backend=meter)
    async with app.run_test(size=(120, 40)) as pilot:
        typist = Typist(app, await open_practice(app, pilot), meter, rng, gap=GAP)
        await until(pilot, typist.answered)
        # The app captures print() while it runs; the class waits on the real standard output.
        assert sys.__stdout__ is not None
        sys.__stdout__.write(f"{READY}\n")
        sys.__stdout__.flush()
        await asyncio.to_thread(sys.stdin.readline)  # everyone starts typing at once
        typist.keys.clear()
        meter.first_words.clear()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if typist.ended:  # the customer left: a new session, as a trainee would start one
                await until(pilot, lambda: app.screen is not typist.screen and app.screen.is_mounted)
                await pilot.pause()
                typist.watch(await open_practice(app, pilot))
                await until(pilot, typist.answered)
            await pilot.pause(rng.uniform(*THINK))
            await typist.type(rng.choice(SENTENCES))
            await until(pilot, lambda: typist.answered() or typist.ended, timeout=max(1.0, end - time.monotonic()))
            if typist.ended or time.monotonic() >= end:
                continue
            await until(pilot, lambda: typist.waiting == 0, timeout=5)
            typist.send()
            await until(pilot, lambda: typist.draft.value == "", timeout=5)
        await until(pilot, lambda: typist.waiting == 0, timeout=5)
    return {
        "keys_ms": [k.ms for k in typist.keys if k.shown is not None],
        "lost": sum(k.shown is None for k in typist.keys),
        "first_words": meter.first_words,
    }


# The class: the model service, the trainees, and what they measured.


def run_class(size: int, seconds: float) -> dict[str, Any]:
    from simulator.settings import load_settings
    from simulator.tui.serve import shared_model

    with shared_model(load_settings(backend="local")) as shared, tempfile.TemporaryDirectory() as home:
        assert shared.service is not None
        service = shared.service.pid
        env = {**os.environ, "SPARRING_HOME": home, "SPARRING_USER": "bench"}
        command = [sys.executable, "-m", "bench.class_load", "--seconds", str(seconds), "--trainee"]
        trainees = [
            subprocess.Popen(
                [*command, str(seed), "--settings", json.dumps(shared.settings)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for seed in range(size)
        ]
        for process in trainees:
            assert process.stdout is not None
            if process.stdout.readline().strip() != READY:
                raise RuntimeError(f"a trainee's app did not start (exit code {process.wait()})")
        peaks: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                for pid in [service, *(p.pid for p in trainees)]:
                    peaks[pid] = max(peaks.get(pid, 0.0), rss_mb(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for process in trainees:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in trainees:
            out, _ = process.communicate(timeout=seconds + 180)
            if process.returncode:
                raise RuntimeError(f"a trainee's process failed (exit code {process.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
        done.set()
        sampler.join()
    keys = [ms for r in results for ms in r["keys_ms"]]
    firsts = [s for r in results for s in r["first_words"]]
    return {
        "size": size,
        "first_words": firsts,
        "keys_ms": keys,
        "lost": sum(r["lost"] for r in results),
        "trainee_mb": sum(peaks.get(p.pid, 0.0) for p in trainees) / size,
        "service_mb": peaks.get(service, 0.0),
    }


def print_table(rows: list[dict[str, Any]], seconds: float) -> None:
    cores = len(os.sched_getaffinity(0))
    print(f"\n{cores} cores, {seconds:g} s of typing per class size, load average {os.getloadavg()[0]:.2f} now")
    print(
        f"{'trainees':>8} {'lines':>6} {'first word p50/p95 s':>21} {'keys':>6} {'keystroke p50/p95 ms':>21}"
        f" {'MB a trainee':>13} {'MB service':>11}"
    )
    for r in rows:
        first = f"{percentile(r['first_words'], 0.5):.2f} / {percentile(r['first_words'], 0.95):.2f}"
        keys = f"{percentile(r['keys_ms'], 0.5):.1f} / {percentile(r['keys_ms'], 0.95):.1f}"
        print(
            f"{r['size']:>8} {len(r['first_words']):>6} {first:>21} {len(r['keys_ms']):>6} {keys:>21}"
            f" {r['trainee_mb']:>13.0f} {r['service_mb']:>11.0f}"
        )
    lost = sum(r["lost"] for r in rows)
    if lost:
        print(f"{lost} keystroke(s) never reached the screen and are left out")


def print_claims(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        size = r["size"]
        first95 = percentile(r["first_words"], 0.95)
        keys95 = percentile(r["keys_ms"], 0.95)
        goal = size <= GOAL_SIZE
        claim(
            f"class of {size}: customer's first word, p95",
            f"{first95:.2f} s",
            f"<= {FIRST_WORD_TARGET:g} s" if goal else "(reported)",
            first95 <= FIRST_WORD_TARGET if goal else None,
        )
        claim(
            f"class of {size}: keystroke to screen, p95",
            f"{keys95:.1f} ms",
            f"<= {KEYSTROKE_TARGET_MS:g} ms" if goal else "(reported)",
            keys95 <= KEYSTROKE_TARGET_MS if goal else None,
        )
        claim(
            f"class of {size}: memory a trainee (own process + share of the model service)",
            f"{r['trainee_mb'] + r['service_mb'] / size:.0f} MB",
            "(reported)",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="4,8,16", help="class sizes to run, comma-separated")
    parser.add_argument("--seconds", type=float, default=90.0, help="seconds each class types")
    parser.add_argument("--trainee", type=int, help=argparse.SUPPRESS)  # the seed of one trainee's process
    parser.add_argument("--settings", help=argparse.SUPPRESS)  # the settings serve gives a tab, as JSON
    args = parser.parse_args()
    if args.trainee is not None:
        print(json.dumps(asyncio.run(trainee(args.settings, args.seconds, args.trainee))), flush=True)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"class of {size}: {size} trainees typing for {args.seconds:g} s", flush=True)
        rows.append(run_class(size, args.seconds))
    print_table(rows, args.seconds)
    print_claims(rows)


if __name__ == "__main__":
    main()
