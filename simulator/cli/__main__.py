"""``python -m simulator.cli``: the ``sparring`` command (how the served app starts its tabs)."""

from simulator.cli import main

main()
