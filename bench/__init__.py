"""Benchmarks: deterministic data, COPY loader, load tools and the suite (see README.md)."""
