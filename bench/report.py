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
        target: the goal as an upper bound in `unit`, or None.
        baseline: the same measurement of the thing we compare with, or None.
    """

    name: str
    value: float
    unit: str
    target: float | None = None
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        """baseline / value: above 1 means faster (or smaller) than the baseline."""
        return None if self.baseline is None else self.baseline / self.value

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    def as_row(self) -> dict:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "unit": self.unit,
            "target": self.target,
            "baseline": self.baseline,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "passed": self.passed,
        }


def write_report(figures: list[Figure]) -> str:
    """Write bench/results.json and return the table to print."""
    rows = [figure.as_row() for figure in figures]
    RESULTS_FILE.write_text(json.dumps(rows, indent=2) + "\n")
    header = ("figure", "value", "unit", "target", "baseline", "ratio", "met")
    lines = [header]
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row["passed"]]
        lines.append(
            (
                row["name"],
                f"{row['value']:.3f}",
                row["unit"],
                "-" if row["target"] is None else f"<= {row['target']}",
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
