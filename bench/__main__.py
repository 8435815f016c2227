"""Run every benchmark with its default size."""

import runpy
import sys

for module in (
    "bench.store",
    "bench.crawl",
    "bench.extract",
    "bench.nlp",
    "bench.ner",
    "bench.discovery",
    "bench.latency",
    "bench.alerts",
):
    print(f"== {module}", flush=True)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__")
