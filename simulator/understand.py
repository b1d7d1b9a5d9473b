"""How the customer of a scenario would understand an agent message, and why (for trainers).

For trainers teaching a scenario what real trainees say: it shows the same understanding the director, the
grader and the live coach use, and what the customer would do next at the start of the conversation.
"""

from __future__ import annotations

from typing import Any

from grading.cues import analyze
from grading.understanding import Found, Understanding
from simulator.catalog import Persona, Scenario
from simulator.catalog.models import Fact, UnknownFact
from simulator.engine.difficulty import Level
from simulator.engine.director import AgentMessage, Director
from simulator.i18n import t

FORMAT = "sparring.understanding/1"


def explain(scenario: Scenario, director: Director, message: str) -> dict[str, Any]:
    """The understanding of ``message`` and the customer's next move, as plain data."""
    cues = analyze(message, scenario.language, scenario, director.heard)
    meaning = cues.understanding or Understanding()
    decision = director.preview([AgentMessage(message)])
    facts: list[Fact | UnknownFact] = [*scenario.all_facts(), *scenario.facts.unknown]
    labels = {f.id: f.label for f in facts}

    def found(items: tuple[Found, ...], named: bool = True) -> list[dict[str, Any]]:
        return [
            {"id": f.id, **({"label": labels.get(f.id)} if named else {}), "words": list(f.words), "why": f.why}
            for f in items
        ]

    return {
        "format": FORMAT,
        "scenario": scenario.id,
        "message": message,
        "question": meaning.question,
        "asks": found(meaning.asks),
        "unknown": found(meaning.unknown),
        "resolutions": found(meaning.resolutions, named=False),
        "traps": found(meaning.traps, named=False),
        "states": found(meaning.states),
        "unplaced": list(meaning.unplaced),
        "nearest": found((meaning.guess,))[0] if meaning.guess else None,
        "customer": {
            "intents": [b.intent.value for b in decision.beats],
            "facts": [b.fact for b in decision.beats if b.fact],
            "patience": decision.patience,
            "reasons": decision.reasons,
            "end": decision.end,
        },
    }


def render(data: dict[str, Any]) -> str:
    lines = [f"{data['scenario']}: \u201c{data['message']}\u201d"]

    def row(key: str, items: list[dict[str, Any]]) -> None:
        for item in items:
            name = f"{item['label']} ({item['id']})" if item.get("label") else item["id"]
            words = ", ".join(item["words"])
            lines.append(f"  {t(key)}: {name}" + (f" \u2190 {words}" if words else "") + f" [{item['why']}]")

    row("understand.asks", data["asks"])
    row("understand.unknown", data["unknown"])
    row("understand.resolution", data["resolutions"])
    row("understand.trap", data["traps"])
    row("understand.states", data["states"])
    for question in data["unplaced"]:
        lines.append(f"  {t('understand.unplaced')}: \u201c{question}\u201d")
    if data["nearest"]:
        lines.append(f"  {t('understand.nearest')}: {data['nearest']['label']} ({data['nearest']['id']})")
    if len(lines) == 1:
        lines.append(f"  {t('understand.nothing')}")
    customer = data["customer"]
    lines.append(
        f"  {t('understand.customer')}: {', '.join(customer['intents'])}"
        + (f" ({', '.join(customer['reasons'])})" if customer["reasons"] else "")
    )
    return "\n".join(lines) + "\n"


def listener(scenario: Scenario, persona: Persona) -> Director:
    """The customer at the start of a session without a harder customer's behaviours: what they understand."""
    return Director(scenario, persona, Level(scenario.difficulty))


def unplaced_lines(repo: Any, scenario: Scenario, limit: int) -> list[dict[str, Any]]:
    """Questions trainees asked in the stored sessions of ``scenario`` that its customer could not place,
    the most frequent first, with where they were asked (only sessions the acting person may see)."""
    found: dict[str, dict[str, Any]] = {}
    for summary in repo.sessions(scenario=scenario.id, limit=limit):
        heard = " ".join(scenario.opening)
        for event in repo.transcript(summary.id).events:
            if not event.is_message:
                continue
            if event.role == "customer":
                heard += " " + (event.text or "")
            elif event.role == "agent":
                meaning = analyze(event.text or "", scenario.language, scenario, heard).understanding
                for question in meaning.unplaced if meaning else ():
                    entry = found.setdefault(
                        question.casefold(),
                        {"question": question, "count": 0, "sessions": [], "nearest": None},
                    )
                    entry["count"] += 1
                    entry["sessions"].append({"session": summary.id, "trainee": summary.trainee, "seq": event.seq})
                    if meaning and meaning.guess:
                        entry["nearest"] = meaning.guess.id
    return sorted(found.values(), key=lambda e: (-e["count"], e["question"]))
