"""Benchmarks: throughput and memory, printed as numbers. Run `make bench` or one module,
e.g. `python -m bench.store --help`."""
