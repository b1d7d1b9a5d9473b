"""Benchmarks: each module runs on its own (``python bench/<name>.py``); ``python -m bench`` runs them all."""
