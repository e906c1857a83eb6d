"""Parlor's benchmark suite: `python -m benchmarks` (or `make bench`) runs it."""
