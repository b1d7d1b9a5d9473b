"""Near-duplicate replies at a team's scale: how fast 100,000 agent messages are indexed and their repeats
found, and how many of the generator's repeats are found (recall) and how many found are real (precision).

    python -m bench.near_duplicates [--messages 100000] [--templates 300] [--seed 7]

Messages are generated, seeded, to conversations of about five agent messages: half from macros (a handful
of stock openings and closings around words drawn from the shipped English scenarios, every third macro a
variant of another; a customer's name, an order code and a product pasted in; a word dropped or added by
some agents), the rest free replies of such words, often with a stock opening or closing, and greetings.
Two macro messages to different conversations are a true repeat exactly when they come from one macro.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.claims import claim
from grading.near_duplicates import MacroLibrary, ReplyIndex

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Irina", "Jamal", "Kate", "Lars",
    "Maria", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sergei", "Tanya", "Umar", "Vera", "Walter", "Xenia",
)  # fmt: skip
PRODUCTS = (
    "Galaxy S21", "iPhone 13", "ThinkPad X1", "Kettle Pro 2", "AirPods", "Roomba i7", "Kindle Paperwhite",
    "Pixel 8", "Dyson V11", "PlayStation 5", "MacBook Air", "Nest Thermostat", "Fitbit Charge 6",
    "coffee grinder", "desk lamp", "blue backpack", "travel mug", "phone case", "router", "gift card",
)  # fmt: skip
OPENERS = (
    "Hi {name}, thank you for reaching out.",
    "Hello {name}, thanks for contacting us.",
    "Hi {name}, I am sorry for the trouble.",
    "Dear {name}, thank you for your patience.",
    "Hi {name}, thanks for waiting.",
    "Hello {name}, I understand how frustrating this is.",
    "Thank you for your message, {name}.",
    "Hi {name}, I have looked into this for you.",
)
CLOSERS = (
    "Let me know if there is anything else I can help with.",
    "Have a great day!",
    "Is there anything else I can do for you today?",
    "Thank you for choosing us.",
    "We appreciate your patience.",
    "Feel free to reply here if you have any questions.",
)
SHORT = ("Thanks!", "Hi {name}", "One moment please.", "Sure, checking now.", "You're welcome!", "Got it, thanks.")


@dataclass
class Message:
    owner: int
    text: str
    template: int | None
    """Which macro it was sent from (None for a free or short reply): the ground truth."""


def vocabulary() -> list[str]:
    text = " ".join(
        path.read_text(encoding="utf-8").casefold()
        for path in sorted((ROOT / "scenarios").glob("*.yaml"))
        if "\nlanguage: en\n" in path.read_text(encoding="utf-8")
    )
    return sorted(set(re.findall(r"\b[a-z]{3,}\b", text)))


def sentences(words: list[str], rng: random.Random) -> str:
    """Words into capitalised sentences of 4 to 12 words (the last may be shorter)."""
    out = []
    while words:
        n = rng.randint(4, 12)
        chunk, words = words[:n], words[n:]
        out.append(" ".join([chunk[0].capitalize(), *chunk[1:]]) + ".")
    return " ".join(out)


def macros(count: int, rng: random.Random, vocab: list[str]) -> list[str]:
    """Every third macro is a variant of the one before (the same opening, closing and first half), as teams
    keep variants of one answer: the hard case for precision."""
    parts: list[tuple[str, list[str], str]] = []
    for i in range(count):
        if i % 3 == 2:
            opener, body, closer = parts[-1]
            half = len(body) // 2
            body = body[:half] + rng.sample(vocab, len(body) - half)
        else:
            opener, closer = rng.choice(OPENERS), rng.choice(CLOSERS)
            body = rng.sample(vocab, rng.randint(10, 30))
            for slot in rng.sample(["{order}", "{product}", "{name}"], rng.randint(1, 2)):
                body.insert(rng.randint(1, len(body) - 1), slot)
        parts.append((opener, body, closer))
    return [f"{opener} {sentences(body, rng)} {closer}" for opener, body, closer in parts]


def free_reply(rng: random.Random, vocab: list[str]) -> str:
    """Words of its own, often between a stock opening and closing like the macros'."""
    text = sentences(rng.choices(vocab, k=rng.randint(6, 40)), rng)
    if rng.random() < 0.5:
        text = rng.choice(OPENERS).format(name=rng.choice(NAMES)) + " " + text
    if rng.random() < 0.5:
        text += " " + rng.choice(CLOSERS)
    return text


def order_code(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return rng.choice(
        (f"{rng.randint(1000, 99999)}-{rng.choice(letters)}", f"#{rng.choice(letters)}{rng.randint(10**5, 10**6)}")
    )


def filled(text: str, rng: random.Random, vocab: list[str]) -> str:
    text = text.format(name=rng.choice(NAMES), order=order_code(rng), product=rng.choice(PRODUCTS))
    if rng.random() < 0.3:  # the agent touches the macro up: a word dropped or added
        words = text.split()
        at = rng.randrange(1, len(words))
        if rng.random() < 0.5:
            del words[at]
        else:
            words.insert(at, rng.choice(vocab))
        text = " ".join(words)
    return text


def generate(count: int, templates: int, seed: int) -> tuple[list[Message], list[str]]:
    rng = random.Random(seed)
    vocab = vocabulary()
    library = macros(templates, rng, vocab)
    conversations = max(1, count // 5)
    messages = []
    for _ in range(count):
        owner = rng.randrange(conversations)
        roll = rng.random()
        if roll < 0.5:
            which = rng.randrange(templates)
            messages.append(Message(owner, filled(library[which], rng, vocab), which))
        elif roll < 0.95:
            messages.append(Message(owner, free_reply(rng, vocab), None))
        else:
            messages.append(Message(owner, rng.choice(SHORT).format(name=rng.choice(NAMES)), None))
    return messages, library


def true_pairs(messages: list[Message]) -> int:
    """Pairs of messages from one template to different conversations."""
    per_template = Counter(m.template for m in messages if m.template is not None)
    per_conversation = Counter((m.template, m.owner) for m in messages if m.template is not None)
    return sum(n * (n - 1) // 2 for n in per_template.values()) - sum(
        n * (n - 1) // 2 for n in per_conversation.values()
    )


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """The result, wall-clock seconds and CPU seconds (the machine may be shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    messages, library = generate(args.messages, args.templates, args.seed)
    index = ReplyIndex()

    def build() -> None:
        for key, message in enumerate(messages):
            index.add(key, message.owner, message.text)

    _, built, built_cpu = timed(build)
    repeated, searched, searched_cpu = timed(index.repeated)

    found = sum(len(others) for others in repeated.values()) // 2  # each pair is listed from both sides
    right = sum(1 for k, others in repeated.items() for o in others if messages[k].template == messages[o].template)
    right //= 2
    expected = true_pairs(messages)
    recall, precision = right / expected, right / found if found else 1.0
    macro = sum(1 for m in messages if m.template is not None)
    flagged = sum(1 for k in repeated if messages[k].template is not None)

    macros = MacroLibrary((f"macro-{i}", text) for i, text in enumerate(library))
    sample = messages[:10_000]
    named = sum(1 for m in sample if macros.match(m.text) == (None if m.template is None else f"macro-{m.template}"))

    rate = len(messages) / built
    print(f"messages: {len(messages):,}, {macro:,} from {args.templates} macros; {len(index):,} long enough to index")
    print(f"index:    {built:.2f} s ({built_cpu:.2f} s CPU), {rate:,.0f} messages/s")
    print(f"repeated: {searched:.2f} s ({searched_cpu:.2f} s CPU), {len(repeated):,} replies with a repeat")
    print(f"pairs:    {found:,} found, {right:,} of {expected:,} true: recall {recall:.3f}, precision {precision:.3f}")
    print(f"replies:  {flagged:,} of {macro:,} macro messages flagged, {len(repeated) - flagged:,} other replies")
    print(
        f"library:  {named:,} of {len(sample):,} messages named right (their macro, or none): {named / len(sample):.3f}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine:  peak memory {peak:,.0f} MB, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    claim(f"index {len(messages):,} agent messages", f"{built:.1f} s, {rate:,.0f} msg/s", "< 60 s", built < 60)
    claim(f"repeats among {len(messages):,} messages", f"{searched:.1f} s", "(reported)")
    claim("repeated pairs, recall / precision", f"{recall:.3f} / {precision:.3f}", "(reported)")


if __name__ == "__main__":
    main()
