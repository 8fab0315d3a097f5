"""Benchmarks at scale (issue 7): `python -m benchmarks [--json] [--database URL]`.

Each measurement is a name, a value with its unit, and where it makes sense a baseline
measured in the same run and the ratio value/baseline, checked against its goal.
"""
