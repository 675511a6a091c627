"""Run the benchmarks and print one table: `python -m bench [module ...]`.

With no names, every module of bench/ runs and bench/results.json is written with all
their figures. With names (`python -m bench load memory`), only those run and their
table is printed; results.json is left as the last full run wrote it, so that it always
holds every figure from one run.

A benchmark that fails is reported with its traceback and the others still run; the
exit status is then 1.
"""

import argparse
import importlib
import pkgutil
import sys
import traceback

import bench
from bench.report import RESULTS_FILE, format_table, write_report

# Modules of bench/ that are helpers, not benchmarks.
HELPERS = {"__main__", "report"}


def benchmark_names() -> list[str]:
    """The benchmark modules of bench/, in the order they run."""
    return [
        module_info.name
        for module_info in pkgutil.iter_modules(bench.__path__)
        if module_info.name not in HELPERS
    ]


def main(argv: list[str] | None = None) -> int:
    available = benchmark_names()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules",
        nargs="*",
        metavar="module",
        help=f"benchmarks to run (default: all): {', '.join(available)}",
    )
    chosen = parser.parse_args(argv).modules or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(available)}")
    figures, failed = [], []
    for name in chosen:
        print(f"running bench/{name}.py ...", flush=True)
        try:
            figures += importlib.import_module(f"bench.{name}").run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
    if chosen == available:
        print(write_report(figures))
        print(f"\nwritten to {RESULTS_FILE}")
    else:
        print(format_table(figures))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
