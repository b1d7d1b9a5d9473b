"""Near-duplicate replies and macro matching, on the real datasketch index (speed is measured in bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grading.near_duplicates import PASTED, MacroLibrary, ReplyIndex, shingles

ROOT = Path(__file__).resolve().parent.parent
REFUND = (
    "Hi {name}, I have checked order {order} and the refund for your {product} was approved today. The money "
    "should be back on your card within five working days, depending on your bank."
)
COURIER = (
    "Our courier could not reach your address yesterday, so please reply with a delivery window that suits you "
    "and we will book it straight away."
)
ROUTER = (
    "Please unplug the router for thirty seconds, plug it back in and wait until the front light turns steady "
    "green before you try the connection again."
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Your order 4471-B has left the warehouse.", "Your order 9912-C has left the warehouse."),
        (
            "Mail help@shop.example or see https://shop.example/a today.",
            "Mail me@x.example or see www.x.example today.",
        ),
        ("Thanks, Anna, the Galaxy S21 is on its way.", "Thanks, Boris, the iPhone is on its way."),
        ("It costs $49.99 until 12/05/2025, Mr Smith.", "It costs $5 until 1/6/2025, Ms Jones."),
    ],
)
def test_pasted_values_shingle_the_same(one, other):
    assert shingles(one) == shingles(other)


def test_words_are_not_pasted_values():
    assert shingles("The order has left.") != shingles("The parcel has left.")


def test_a_capital_at_the_start_of_a_sentence_is_a_word_and_short_texts_shingle_as_words():
    assert shingles("Please wait. Anna") == {"please wait anna"}
    assert shingles("Sorry Anna!") == {"sorry", PASTED}
    assert shingles("USPS") == {"usps"}


def test_the_greeting_before_a_macro_is_not_part_of_it():
    macro = "Ваше обращение зарегистрировано и передано в профильное подразделение."
    assert shingles(f"Добрый день! {macro}") == shingles(f"Здравствуйте, Ольга! {macro}") == shingles(macro)
    assert shingles("Hi Anna, your refund is on its way.") == shingles("Hello Boris! Your refund is on its way.")


def test_the_same_macro_to_different_customers_is_found():
    index = ReplyIndex()
    index.add("a1", "conv-anna", REFUND.format(name="Anna", order="4471-B", product="Galaxy S21"))
    index.add("b1", "conv-boris", REFUND.format(name="Boris", order="#A99120", product="Kettle Pro"))
    index.add("c1", "conv-carla", COURIER)
    index.add("d1", "conv-dmitri", REFUND.format(name="Dmitri", order="5520-C", product="AirPods"))
    assert index.repeated() == {"a1": ["b1", "d1"], "b1": ["a1", "d1"], "d1": ["a1", "b1"]}


def test_an_agent_touching_the_macro_up_is_still_a_repeat():
    index = ReplyIndex()
    index.add(1, "anna", REFUND.format(name="Anna", order="4471-B", product="Galaxy S21"))
    edited = REFUND.format(name="Boris", order="9912-C", product="iPhone 13") + " Sorry for the wait!"
    index.add(2, "boris", edited)
    assert index.repeated() == {1: [2], 2: [1]}


def test_unrelated_replies_are_not_repeats():
    index = ReplyIndex()
    for key, text in enumerate((REFUND.format(name="Anna", order="1-A", product="Pixel 8"), COURIER, ROUTER)):
        index.add(key, f"conversation-{key}", text)
    assert index.repeated() == {}


def test_a_variant_of_a_macro_is_not_the_macro():
    """Same opening and closing, a different answer in between: a team's "approved" and "declined" macros."""
    declined = (
        "Hi {name}, I have checked order {order} and the refund for your {product} was declined because the "
        "return window closed last month. You can still send it in for repair under the warranty instead."
    )
    index = ReplyIndex()
    index.add("approved", "anna", REFUND.format(name="Anna", order="4471-B", product="Galaxy S21"))
    index.add("declined", "boris", declined.format(name="Boris", order="9912-C", product="iPhone 13"))
    assert index.repeated() == {}


def test_replies_within_one_conversation_are_not_repeats():
    index = ReplyIndex()
    index.add(1, "conv-anna", ROUTER)
    index.add(2, "conv-anna", ROUTER)
    assert index.repeated() == {}
    index.add(3, "conv-boris", ROUTER)
    assert index.repeated() == {1: [3], 2: [3], 3: [1, 2]}


def test_short_greetings_never_count():
    index = ReplyIndex()
    for key, owner in enumerate(("anna", "boris", "carla")):
        index.add(f"hi-{key}", owner, "Thanks for waiting!")
        index.add(f"name-{key}", owner, f"Hi {owner.title()}")
    assert len(index) == 0
    assert index.repeated() == {}


def test_a_key_is_indexed_once():
    index = ReplyIndex()
    index.add(1, "anna", ROUTER)
    with pytest.raises(ValueError, match="already indexed"):
        index.add(1, "boris", COURIER)


def test_the_macro_library_names_the_macro_a_reply_pasted_a_name_into():
    library = MacroLibrary(
        [
            ("refund-approved", REFUND),
            ("courier-missed", "Hi {{customer_name}}, " + COURIER),
            ("router-restart", "Hello [name]! " + ROUTER),
            ("thanks", "Thanks for waiting!"),
        ]
    )
    assert library.match(REFUND.format(name="Anna", order="4471-B", product="Galaxy S21")) == "refund-approved"
    assert library.match("Hi Boris, " + COURIER) == "courier-missed"
    assert library.match("Hello Carla! " + ROUTER) == "router-restart"
    assert library.match("Thanks for waiting!") is None, "too short to be told from an ordinary reply"
    assert library.match("Could you tell me which plan you are on and when the slowdown started, please?") is None


@pytest.mark.slow
def test_the_same_replies_give_the_same_result_in_any_process():
    """Set order changes with the process's hash seed; the results must not (ties come in the order added)."""
    probe = (
        "import json, sys\n"
        "from grading.near_duplicates import ReplyIndex\n"
        "index = ReplyIndex()\n"
        "for key, owner, text in json.loads(sys.argv[1]):\n"
        "    index.add(key, owner, text)\n"
        "print(json.dumps(index.repeated()))\n"
    )
    names = ("Anna", "Boris", "Carla", "Dmitri")
    texts = [REFUND.format(name=n, order=f"{i}-B", product="Pixel 8") for i, n in enumerate(names)]
    texts += [ROUTER, COURIER, ROUTER.replace("again.", "once more.")]
    replies = [(f"r{i}", f"conversation-{i % 5}", text) for i, text in enumerate(texts)]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", probe, json.dumps(replies)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    repeated = json.loads(outputs.pop())
    # r4 and r6 are the router macro with its last words changed; the courier reply r5 has no repeat.
    assert repeated == {
        "r0": ["r1", "r2", "r3"],
        "r1": ["r0", "r2", "r3"],
        "r2": ["r0", "r1", "r3"],
        "r3": ["r0", "r1", "r2"],
        "r4": ["r6"],
        "r6": ["r4"],
    }
