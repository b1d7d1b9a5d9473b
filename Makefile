# The project's own checks, in the order CI cares about them.
.PHONY: check lint test

check: lint test

lint:
	ruff check .
	ruff format --check .
	lint-imports
	mypy

test:
	python -m pytest
