"""One history type for every trainer: metrics per epoch, with Keras's metric names.

Example:

>>> history = History()
>>> history.append(1, {"loss": 0.9, "val_loss": 0.8})
>>> history.append(2, {"loss": 0.5, "val_loss": 0.6})
>>> history.last("val_loss"), history.best("val_loss"), len(history)
(0.6, 2, 2)
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class History:
    """Metrics per finished epoch (or, for a trainer that counts them, per step).

    Attributes:
        epochs: the 1-based epoch counts (step counts when `unit` is "step").
        metrics: metric name -> one value per entry, as Keras names them: "loss",
            "accuracy", "val_loss", "val_accuracy", ...
        unit: what an entry counts, "epoch" or "step": the x axis of a chart.
    """

    epochs: list[int] = dataclasses.field(default_factory=list)
    metrics: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    unit: str = "epoch"

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Adds one epoch's logs (Keras's `logs` dict) as epoch number `epoch`."""
        self.epochs.append(epoch)
        for name, value in logs.items():
            if name == "learning_rate":
                continue
            self.metrics.setdefault(name, []).append(float(value))

    def last(self, name: str) -> float | None:
        """The latest value of a metric, or None before the first epoch."""
        values = self.metrics.get(name)
        return values[-1] if values else None

    def best(self, monitor: str = "val_loss") -> int | None:
        """The epoch (or step) where `monitor` was lowest, or highest for an accuracy;
        None before the first entry or for a metric never measured."""
        values = self.metrics.get(monitor)
        if not values:
            return None
        pick = np.argmax if "accuracy" in monitor else np.argmin
        return self.epochs[int(pick(values))]

    def variant(self, name: str) -> dict[str, list[float]]:
        """One network's curves from the history of networks trained side by side, whose
        metrics are named "<name>_loss", "val_<name>_accuracy", ...

        Returns:
            "loss", "accuracy", "val_loss", "val_accuracy" -> one value per epoch (those
            the history has for that network).
        """
        curves = {}
        for metric in ("loss", "accuracy"):
            for prefix in ("", "val_"):
                values = self.metrics.get(f"{prefix}{name}_{metric}")
                if values is not None:
                    curves[f"{prefix}{metric}"] = values
        return curves

    def __len__(self) -> int:
        return len(self.epochs)
