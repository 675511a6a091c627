"""Benchmarks: `make bench` runs each module here and prints one table of figures."""
