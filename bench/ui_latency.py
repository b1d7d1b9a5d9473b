"""UI responsiveness: keystroke-to-screen latency in the practice screen while the customer's line streams.

    python bench/ui_latency.py [--keys 100] [--no-model]

A typist thread presses keys at human pace (30-60 ms apart) the way a terminal driver's input thread does:
it posts each key event to the running app at the key's planned time, whatever the event loop is doing, so a
busy loop delays what is shown, never when a key is pressed. A key counts as on screen when the compositor
hands the app a frame whose draft line shows the text typed so far, and that frame has been encoded for the
terminal (the headless driver skips that step; here it is paid). Latency is that moment minus the planned
press time. The app runs headless at 120x40 on the shipped "home-internet-down" scenario.

The trainee types drafts of a sentence or two, keeps adding to them while the customer's line comes, and
sends once the customer is done (never interrupting, so the customer stays in the chat; a customer who leaves
anyway is met again in a new session). Rows: the scripted backend at a slow model's pace (0.05 s a word, long
lines) and the embedded local model (SmolLM2-135M, real generation). Only keys pressed while a customer line
was being generated or written into its bubble count for them ("gen/reveal" splits them). The idle row is keys
pressed while the customer was silent, waiting for the trainee. Absolute times vary by machine and with what
else it runs (the load average is printed); the ratios to idle, measured in one run, are the claim.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import math
import os
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from textual import events

# Private Textual names (the version is pinned): headless, a frame can only be seen where the compositor hands
# it to App._display, and keys enter where a driver's input thread hands them over.
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input

from bench.claims import claim
from simulator.llm.base import Backend, Piece, Request, generate
from simulator.llm.scripted import ScriptedBackend
from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.home import HomeScreen
from simulator.tui.practice import PracticeScreen

SCENARIO = "home-internet-down"
SIZE = (120, 40)
TARGET_MS = 50.0
WORD_DELAY = 0.05
"""Seconds between the scripted backend's words: a slow model's pace."""
GAP = (0.03, 0.06)
"""Seconds between two keys of the trainee."""
DRAFT_MIN = 60
"""Characters a draft has at least before the trainee thinks of sending it."""
MAX_DRAFT = 160
"""While the customer is still writing, the trainee adds to the draft up to this length, then only while new
words are coming."""
SESSION_SECONDS = 600.0
STREAMING = ("generating", "revealing")

# Questions and sympathy that neither ask for the scenario's facts again nor propose a fix, so the customer
# stays in the chat for many turns.
SENTENCES = [
    "I'm really sorry, three days without internet while working from home is awful.",
    "That sounds exhausting, and I can see why you are upset.",
    "Is it only your laptop, or does your phone lose the connection at home too?",
    "Do you see any error message in the browser when a page fails to load?",
    "Is anyone else in your building having the same trouble this week?",
    "Does the landline still work, or is it silent as well?",
    "Are you connected by cable or over wifi when you work?",
    "I know how much lost work hurts, so let's get to the bottom of this together.",
    "Did anything change at home just before it stopped, like new furniture or cables?",
    "Is the box in the hallway warm to the touch, or cold?",
    "Do you have a mobile hotspot you could use for your meetings today?",
    "Thanks for bearing with me, I'm reading your line's history right now.",
    "Was there a storm or any building work nearby three days ago?",
    "Which rooms have you tried working from since it went down?",
]
# What the scripted customer adds after its authored line, so each line is long enough to take a while.
RANTS = [
    "I have a deadline tomorrow and I keep driving to a cafe just to send a single email to my boss.",
    "My whole team thinks I vanished, and the hotline kept me on hold for forty minutes yesterday evening.",
    "Every evening I check the box in the hallway and nothing changes, not one bit, not one single light.",
    "I pay every month on time and this is what I get in return, a dead line and nobody calling me back.",
]


@dataclass
class Keystroke:
    pressed: float
    """perf_counter time the key was due to be pressed."""
    value: str
    """What the draft should show once the key is in."""
    activity: str
    """What the customer's side was doing when the key was pressed (see ``Typist.activity``)."""
    shown: float | None = None

    @property
    def ms(self) -> float:
        assert self.shown is not None
        return (self.shown - self.pressed) * 1000


class Metered:
    """A backend that counts its generations and cache warm-ups in flight, to classify each keystroke."""

    def __init__(self, inner: Backend):
        self.inner = inner
        self.name = inner.name
        self.framing = inner.framing
        self.generating = 0
        self.warming = 0
        if hasattr(inner, "warm"):  # the actor only warms backends that can
            self.warm = self._warm

    @property
    def model(self) -> str:
        return self.inner.model

    def options(self) -> dict[str, Any]:
        return self.inner.options()

    async def stream(self, request: Request) -> AsyncIterator[Piece]:
        self.generating += 1
        try:
            async for piece in self.inner.stream(request):
                yield piece
        finally:
            self.generating -= 1

    async def _warm(self, prompt: str) -> None:
        self.warming += 1
        try:
            await self.inner.warm(prompt)  # type: ignore[attr-defined]
        finally:
            self.warming -= 1


class LongWinded(ScriptedBackend):
    """The scripted backend at a slow model's pace: the authored line and a rant after it, word by word."""

    def __init__(self, delay: float):
        super().__init__(delay=delay)
        self.rants = itertools.cycle(RANTS)

    async def stream(self, request: Request) -> AsyncIterator[Piece]:
        longer = dataclasses.replace(request, fallback=f"{request.fallback} {next(self.rants)}")
        async for piece in super().stream(longer):
            yield piece


class Typist:
    """Presses keys into the practice screen's draft from its own thread and sees when each one is shown."""

    def __init__(
        self,
        app: SparringApp,
        screen: PracticeScreen,
        meter: Metered,
        rng: random.Random,
        gap: tuple[float, float] = GAP,
    ):
        """``gap``: the seconds between two keys, drawn between these bounds."""
        self.app = app
        self.gap = gap
        self.meter = meter
        self.rng = rng
        self.keys: list[Keystroke] = []
        self.value = ""
        """The draft as the trainee has typed it."""
        self._unseen = 0
        """Index of the first keystroke not shown yet; keys are shown in the order they were pressed."""
        self._display = app._display
        app._display = self._displayed  # type: ignore[method-assign]
        self.watch(screen)

    def watch(self, screen: PracticeScreen) -> None:
        self.screen = screen
        self.draft = screen.query_one("#draft", Input)
        self.row = [" "] * self.draft.content_region.width
        """The draft's line as the terminal would show it, kept from the frames the app paints."""
        self.value = self.draft.value
        self._unseen = len(self.keys)  # keys still unseen went to a screen that is gone: never shown

    def activity(self) -> str:
        """What the customer's side is doing; read from the typist's thread (plain attribute reads)."""
        if self.meter.generating:
            return "generating"
        if self.screen.streams:
            return "revealing"
        if self.meter.warming:
            return "warming"
        if self.screen.customer_typing:
            return "typing"
        return "idle"

    @property
    def ended(self) -> bool:
        return self.screen.session is None or self.screen.session.ended

    def answered(self) -> bool:
        """The customer has written out a reply to everything the trainee sent and now waits for them."""
        session = self.screen.session
        if session is None or self.screen.customer_typing or self.screen.streams or self.meter.generating:
            return False
        messages = session.transcript.messages()
        return bool(messages) and messages[-1].role == "customer" and messages[-1].final

    async def type(self, text: str) -> None:
        await asyncio.to_thread(self._type, text)

    def _type(self, text: str) -> None:
        driver = self.app._driver
        assert driver is not None
        due = time.perf_counter()
        for char in text:
            due += self.rng.uniform(*self.gap)
            time.sleep(max(0.0, due - time.perf_counter()))
            if self.ended:
                return  # the trainee stops typing when the chat closes
            self.value += char
            self.keys.append(Keystroke(due, self.value, self.activity()))
            # What a terminal driver's input thread does with a key it has read.
            driver.process_message(events.Key(_character_to_key(char), char))

    def send(self) -> None:
        """Enter, through the same path as the keys; not measured."""
        driver = self.app._driver
        assert driver is not None
        self.value = ""
        driver.process_message(events.Key("enter", "\r"))

    @property
    def waiting(self) -> int:
        """Keys pressed but not shown yet."""
        return len(self.keys) - self._unseen

    def _displayed(self, screen: Any, update: Any) -> None:
        self._display(screen, update)
        if not isinstance(update, CompositorUpdate) or screen is not self.screen:
            return
        update.render_segments(self.app.console)  # a real driver encodes each frame like this before writing it
        self._read_row(update)
        now = time.perf_counter()
        shown = "".join(self.row).rstrip()
        for i in range(len(self.keys) - 1, self._unseen - 1, -1):
            if self._shows(shown, self.keys[i].value):
                for key in self.keys[self._unseen : i + 1]:
                    key.shown = now
                self._unseen = i + 1
                break

    def _read_row(self, update: CompositorUpdate) -> None:
        region = self.draft.content_region
        y, left, right = region.y, region.x, region.right
        if isinstance(update, ChopsUpdate):
            for line_y, x1, x2 in update.spans:
                if line_y != y:
                    continue
                for x, strip in update.chops[y].items():
                    if strip is None:
                        continue
                    a, b = max(x, x1, left), min(x + strip.cell_length, x2, right)
                    if a < b:
                        self.row[a - left : b - left] = strip.crop(a - x, b - x).text.ljust(b - a)[: b - a]
        elif isinstance(update, LayoutUpdate) and update.region.y <= y < update.region.bottom:
            line = Strip.join(list(update.strips[y - update.region.y]))
            start = left - update.region.x
            self.row = list(line.crop(start, start + region.width).text.ljust(region.width)[: region.width])

    def _shows(self, shown: str, value: str) -> bool:
        """The line shows ``value``: typing at its end keeps the cursor in the last cell, so a long value
        is scrolled to show just its end."""
        return shown == value[-(len(self.row) - 1) :].rstrip()


async def until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.02)
    return True


async def open_practice(app: SparringApp, pilot: Pilot[Any]) -> PracticeScreen:
    screen = PracticeScreen(SCENARIO)
    if isinstance(app.screen, HomeScreen):
        await app.push_screen(screen)
    else:  # the report of a session that ended
        await app.switch_screen(screen)
    await until(pilot, lambda: app.screen is screen and screen.session is not None)
    return screen


def draft(rng: random.Random) -> str:
    text = rng.choice(SENTENCES)
    while len(text) < DRAFT_MIN:
        text += " " + rng.choice([s for s in SENTENCES if s not in text])
    return text


def count(keys: list[Keystroke], activities: tuple[str, ...]) -> int:
    return sum(k.activity in activities for k in keys)


async def practise(backend: Backend, label: str, keys: int, idle: int, seed: int = 7) -> list[Keystroke]:
    """Type drafts into a practice session until ``keys`` keystrokes overlapped a streaming customer line
    and ``idle`` ones a silent customer; send each draft once the customer has finished their line."""
    rng = random.Random(seed)
    meter = Metered(backend)
    app = SparringApp(settings=load_settings(backend=backend.name), backend=meter)
    async with app.run_test(size=SIZE) as pilot:
        typist = Typist(app, await open_practice(app, pilot), meter, rng)
        await until(pilot, typist.answered)  # the opening has been written out
        started = time.monotonic()

        def enough() -> bool:
            return count(typist.keys, STREAMING) >= keys and count(typist.keys, ("idle",)) >= idle

        def report() -> None:
            streaming, silent = count(typist.keys, STREAMING), count(typist.keys, ("idle",))
            print(f"  {label}: {streaming}/{keys} keys while streaming, {silent}/{idle} idle", flush=True)

        while not enough() and time.monotonic() - started < SESSION_SECONDS:
            if typist.ended:  # the customer left: start over
                # Leaving a report still being mounted crashes its header: let it settle first.
                await until(pilot, lambda: app.screen is not typist.screen and app.screen.is_mounted)
                await pilot.pause()
                typist.watch(await open_practice(app, pilot))
                await until(pilot, typist.answered)
            await typist.type(draft(rng))
            # The customer is not done: the trainee adds to the draft, reads once it is long, and starts typing
            # again whenever new words come; they send once the customer has finished.
            while not enough() and not typist.answered():
                if len(typist.value) < MAX_DRAFT or typist.activity() in STREAMING:
                    await typist.type(" " + rng.choice(SENTENCES))
                else:
                    await pilot.pause(0.02)
            if enough():
                break
            await until(pilot, lambda: typist.answered() or typist.ended)
            if typist.ended:
                continue
            await until(pilot, lambda: typist.waiting == 0, timeout=5)
            typist.send()
            await until(pilot, lambda: typist.draft.value == "", timeout=5)
            report()
        await until(pilot, lambda: typist.waiting == 0, timeout=5)
        report()
    return typist.keys


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Row:
    label: str
    keys: list[Keystroke]
    split: str
    claim: str
    """What ``python -m bench`` calls the row's p95."""

    @property
    def ms(self) -> list[float]:
        return [k.ms for k in self.keys if k.shown is not None]

    @property
    def lost(self) -> int:
        return sum(k.shown is None for k in self.keys)


def row(label: str, keys: list[Keystroke], activities: tuple[str, ...], claim: str) -> Row:
    chosen = [k for k in keys if k.activity in activities]
    split = "/".join(str(count(chosen, (a,))) for a in activities) if len(activities) > 1 else "-"
    return Row(label, chosen, split, claim)


def print_table(rows: list[Row], idle: Row, load: float) -> None:
    base50, base95 = (percentile(idle.ms, 0.5), percentile(idle.ms, 0.95)) if idle.ms else (math.nan, math.nan)
    print(f"keystroke-to-screen latency, practice screen {SIZE[0]}x{SIZE[1]}, target p95 <= {TARGET_MS:.0f} ms")
    cores = len(os.sched_getaffinity(0))
    now = os.getloadavg()[0]
    print(f"{cores} cores, load average {load:.2f} at the start, {now:.2f} at the end (other work slows every row)")
    header = f"{'':<30} {'keys':>5} {'gen/reveal':>10} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    print(f"{header} {'p50/idle':>8} {'p95/idle':>8}  target")
    for r in rows:
        ms = r.ms
        if not ms:
            print(f"{r.label:<30} {0:>5} {r.split:>10}  no keystrokes overlapped")
            continue
        p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
        verdict = "ok" if p95 <= TARGET_MS else "MISSED"
        print(
            f"{r.label:<30} {len(ms):>5} {r.split:>10} {p50:>7.1f} {p95:>7.1f} {max(ms):>7.1f}"
            f" {p50 / base50:>7.2f}x {p95 / base95:>7.2f}x  {verdict}"
        )
    lost = sum(r.lost for r in rows)
    if lost:
        print(f"{lost} keystroke(s) never reached the screen and are left out")


def print_claims(rows: list[Row], idle: Row) -> None:
    base95 = percentile(idle.ms, 0.95) if idle.ms else math.nan
    claim(idle.claim, f"{base95:.1f} ms", "(reported)")
    for r in rows:
        if r is idle or not r.ms:
            continue
        p95 = percentile(r.ms, 0.95)
        claim(
            r.claim,
            f"{p95:.1f} ms, {p95 / base95:.2f}x idle",
            f"<= {TARGET_MS:.0f} ms",
            p95 <= TARGET_MS,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100, help="keystrokes to collect for each row")
    parser.add_argument("--no-model", action="store_true", help="skip the local model row")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sparring-bench-") as home:
        os.environ["SPARRING_HOME"] = home  # the store and config of this run only, never the user's
        os.environ["SPARRING_USER"] = "bench"
        print(f"scripted backend, {WORD_DELAY} s a word, long lines:", flush=True)
        scripted = asyncio.run(practise(LongWinded(WORD_DELAY), "scripted", args.keys, idle=args.keys))
        rows = [
            row("idle (customer silent)", scripted, ("idle",), "keystroke to screen, customer silent, p95"),
            row("scripted slow, streaming", scripted, STREAMING, "keystroke to screen, slow scripted model, p95"),
        ]
        warming: list[Keystroke] = []
        if not args.no_model:
            from simulator.llm.local import LocalBackend

            print("local model: loading the embedded model", flush=True)
            local_backend = LocalBackend()
            asyncio.run(generate(local_backend, Request(prompt="Hello", max_tokens=1)))  # load outside the timings
            print(f"local model, {local_backend.threads} llama.cpp thread(s):", flush=True)
            local = asyncio.run(practise(local_backend, "local", args.keys, idle=0))
            rows.append(row("local model, streaming", local, STREAMING, "keystroke to screen, local model, p95"))
            warming = [k for k in local if k.activity == "warming" and k.shown is not None]
        print()
        print_table(rows, rows[0], load)
        if warming:
            ms = [k.ms for k in warming]
            print(
                f"also: {len(ms)} keys while the local model read the chat into its cache:"
                f" p50 {percentile(ms, 0.5):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"
            )
        print_claims(rows, rows[0])


if __name__ == "__main__":
    main()
