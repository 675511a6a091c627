"""One benchmark figure, and the table and JSON file that `make bench` writes."""

import dataclasses
import json
from pathlib import Path

RESULTS_FILE = Path(__file__).with_name("results.json")


@dataclasses.dataclass(frozen=True)
class Figure:
    """A measured figure, with its target and, where there is one, a baseline.

    Attributes:
        name: what was measured, e.g. "home page render after server up".
        value: the measurement.
        unit: "s", "ms", ...
        target: the goal in `unit`: an upper bound, or a lower bound when
            `higher_is_better`; None for no goal.
        baseline: the same measurement of the thing we compare with, or None.
        higher_is_better: True for rates (redraws per second), False for times and sizes.
        min_ratio: the goal for `ratio` ("at least 3 times faster" is 3.0), or None.
    """

    name: str
    value: float
    unit: str
    target: float | None = None
    baseline: float | None = None
    higher_is_better: bool = False
    min_ratio: float | None = None

    @classmethod
    def at_least(cls, name: str, value: float, unit: str, *, target: float) -> "Figure":
        """A figure whose goal is a lower bound: a rate, or a count of what must all work."""
        return cls(name, value, unit, target=target, higher_is_better=True)

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline: above 1 means faster (or smaller)."""
        numerator, denominator = (
            (self.value, self.baseline) if self.higher_is_better else (self.baseline, self.value)
        )
        if numerator is None or not denominator:  # no baseline, or a zero to divide by
            return None
        return numerator / denominator

    @property
    def passed(self) -> bool | None:
        checks = []
        if self.target is not None:
            met = self.value >= self.target if self.higher_is_better else self.value <= self.target
            checks.append(met)
        if self.min_ratio is not None and self.ratio is not None:
            checks.append(self.ratio >= self.min_ratio)
        return all(checks) if checks else None

    @property
    def goal(self) -> str:
        """The target as the table prints it, e.g. "<= 2.0" or ">= 3x baseline"."""
        goals = []
        if self.target is not None:
            goals.append(f"{'>=' if self.higher_is_better else '<='} {self.target}")
        if self.min_ratio is not None:
            goals.append(f">= {self.min_ratio}x baseline")
        return ", ".join(goals) or "-"

    def as_row(self) -> dict:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "unit": self.unit,
            # A goal on the ratio alone ("3 times faster") is written as that ratio.
            "target": self.target if self.target is not None else self.min_ratio,
            "baseline": None if self.baseline is None else round(self.baseline, 4),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "passed": self.passed,
        }


def write_report(figures: list[Figure]) -> str:
    """Write bench/results.json and return the table to print."""
    rows = [figure.as_row() for figure in figures]
    RESULTS_FILE.write_text(json.dumps(rows, indent=2) + "\n")
    return format_table(figures)


def format_table(figures: list[Figure]) -> str:
    """The figures as a plain-text table: figure, value, unit, target, baseline, ratio, met."""
    header = ("figure", "value", "unit", "target", "baseline", "ratio", "met")
    lines = [header]
    for figure in figures:
        row = figure.as_row()
        met = {True: "yes", False: "NO", None: "-"}[row["passed"]]
        lines.append(
            (
                row["name"],
                f"{row['value']:.3f}",
                row["unit"],
                figure.goal,
                "-" if row["baseline"] is None else f"{row['baseline']:.3f}",
                "-" if row["ratio"] is None else f"{row['ratio']:.2f}x",
                met,
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    )
