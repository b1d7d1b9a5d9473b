"""A benchmark states each claim it checks on one line; ``python -m bench`` gathers them into its summary."""

from __future__ import annotations

PREFIX = "claim:"


def claim(what: str, measured: str, target: str, met: bool | None = None) -> None:
    """``met`` is None where there is no target, only a figure to report."""
    verdict = "-" if met is None else "met" if met else "MISSED"
    print(f"{PREFIX} {what} | {measured} | {target} | {verdict}", flush=True)


def parse(line: str) -> tuple[str, str, str, str] | None:
    if not line.startswith(PREFIX):
        return None
    parts = [p.strip() for p in line[len(PREFIX) :].split("|")]
    return (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None
