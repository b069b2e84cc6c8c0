"""Reproducible benchmarks: ``python -m bench <name>`` (see ``python -m bench --help``).

Each benchmark prints its table and writes it into docs/benchmarks.md with
the command that produced it. Heavy phases run in their own processes so
that memory figures are clean.
"""
