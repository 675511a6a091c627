"""Run every benchmark, print one table, write bench/results.json: `python -m bench`."""

import importlib
import pkgutil

import bench
from bench.report import RESULTS_FILE, write_report

# Modules of bench/ that are helpers, not benchmarks.
HELPERS = {"__main__", "report"}


def main() -> None:
    figures = []
    for module_info in pkgutil.iter_modules(bench.__path__):
        if module_info.name in HELPERS:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        print(f"running bench/{module_info.name}.py ...", flush=True)
        figures += module.run()
    print(write_report(figures))
    print(f"\nwritten to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
