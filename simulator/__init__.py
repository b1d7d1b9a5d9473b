"""Sparring: practise customer support on AI customers."""

__version__ = "0.1.0"
