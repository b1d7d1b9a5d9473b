"""Precision, recall and F1 of the grader's utterance tags on the public human-labelled dev data.

    python bench/grader_accuracy.py [DATA_DIR]      (default: ../shared/data/dev next to the repository)

Evaluation only: the data is read from outside the repository and never copied into it. Skips cleanly when
the folder is absent.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from bench.claims import claim
from bench.planted_chats import found, load
from grading.tags import tag

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "dev"
SETS = {"questions.jsonl": "clarifying_question", "empathy.jsonl": "empathy", "canned.jsonl": "canned"}


def context_of(row: dict) -> str:
    """Only what the customer/seeker said counts as context; other speakers' lines are not the customer's."""
    context = row.get("context") or ""
    for prefix in ("customer:", "seeker:"):
        if context.startswith(prefix):
            return context.removeprefix(prefix).strip()
    return ""


def scores(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int]:
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(pairs)


def evaluate(folder: Path) -> list[tuple[str, str, tuple[float, float, float, int]]]:
    rows_out = []
    for name, field in SETS.items():
        groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            predicted = getattr(tag(row["text"], row.get("lang"), context_of(row)), field)
            pair = (predicted, bool(row["label"]))
            groups["all"].append(pair)
            groups[f"source={row['source']}"].append(pair)
            groups[f"lang={row['lang']}"].append(pair)
            if field == "clarifying_question" and not row.get("ambiguous"):
                groups["unambiguous"].append(pair)
        for group, pairs in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            rows_out.append((field, group, scores(pairs)))
    return rows_out


def planted() -> None:
    """The hand-labelled chats without a scenario (tests/data/chats/planted.yaml), per language."""
    corpus = load(ROOT / "tests" / "data" / "chats" / "planted.yaml")
    print(f"\n{'planted chats':<20} {'chats':>6} {'right':>6} {'faults':>7} {'found':>6} {'false':>6}")
    for lang in ("en", "ru", "all"):
        chats = [c for c in corpus.chats if lang in ("all", c.language)]
        faults = hits = false = right = 0
        for chat in chats:
            marked, strengths = found(chat, corpus.grade(chat))
            faults += len(chat.faults)
            hits += len(chat.faults & marked)
            false += len(marked - chat.faults)
            right += marked == chat.faults and chat.strengths <= strengths and not (chat.no_strengths & strengths)
        print(f"{lang:<20} {len(chats):>6} {right:>6} {faults:>7} {hits:>6} {false:>6}")
    claim("planted faults found in chats without a scenario", f"{hits}/{faults}", "all", hits == faults)
    claim("false fault marks in chats without a scenario", str(false), "0", false == 0)


def main() -> int:
    planted()
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not (folder / "questions.jsonl").is_file():
        print(f"no dev data at {folder}: nothing to measure")
        claim("grader tags on human-labelled utterances", "skipped: no data", "(reported)")
        return 0
    print(f"{'tag':<20} {'subset':<36} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}")
    for field, group, (precision, recall, f1, n) in evaluate(folder):
        print(f"{field:<20} {group:<36} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {n:>5}")
        if group == "all":
            claim(
                f"grader tag {field}, precision / recall / F1 (n={n})",
                f"{precision:.2f} / {recall:.2f} / {f1:.2f}",
                "(reported)",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
