"""Benchmarks: throughput of the pipeline stages against baselines measured in the same run."""
