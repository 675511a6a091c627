"""Overfitting lab: reading the curves, the gap between training and validation per network,
and the remedy that closed it most."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from dlcore._checks import check_choice
from dlcore.training.history import History

METRICS = ("loss", "accuracy")
"""What a gap is measured in: the cross-entropy, or the share of digits read right."""


@dataclasses.dataclass(frozen=True)
class Gap:
    """One network's training and validation score at the epoch whose weights it keeps.

    Attributes:
        epoch: the last epoch it trained, or its best one when it stopped early.
        train: its loss or accuracy on its own training set, after that epoch.
        validation: the same on the validation part.
        gap: how much better it does on what it learned than on what it did not:
            `validation - train` for a loss, `train - validation` for an accuracy.
    """

    epoch: int
    train: float
    validation: float
    gap: float


@dataclasses.dataclass(frozen=True)
class Stopping:
    """Where the early-stopping network stopped, read from its curves.

    Attributes:
        best_epoch: the epoch of its lowest validation loss, whose weights it keeps when
            it stopped.
        stopped_epoch: the last epoch it trained, or None if it trained every epoch.
    """

    best_epoch: int
    stopped_epoch: int | None


def stopping(history: History, variant: str = "early_stopping") -> Stopping | None:
    """Where a network's curves end, and its best epoch; None if it has no curves.

    Example:

    >>> history = History()
    >>> for epoch, loss in enumerate([0.9, 0.5, 0.6, 0.7], start=1):
    ...     history.append(epoch, {"val_a_loss": loss} if epoch < 4 else {})
    >>> stopping(history, "a")
    Stopping(best_epoch=2, stopped_epoch=3)
    """
    losses = history.metrics.get(f"val_{variant}_loss")
    if not losses:
        return None
    best = history.epochs[min(range(len(losses)), key=losses.__getitem__)]
    return Stopping(best, history.epochs[len(losses) - 1] if len(losses) < len(history) else None)


def gaps(history: History, variants: tuple[str, ...], *, metric: str = "loss") -> dict[str, Gap]:
    """Every network's gap between training and validation, at the weights it keeps.

    Args:
        history: the lab's `History` (from `fit`).
        variants: the networks, e.g. `config.variants`.
        metric: one of `METRICS`. Defaults to `"loss"`.

    Returns:
        Variant -> `Gap`, for the networks that trained at least one epoch.

    Raises:
        ValueError: If `metric` is not one of `METRICS`.
    """
    check_choice(metric, name="metric", choices=METRICS)
    found = {}
    for name in variants:
        curves = history.variant(name)
        if not curves.get(f"val_{metric}"):
            continue
        stop = stopping(history, name)
        at = (
            history.epochs.index(stop.best_epoch)
            if stop is not None and stop.stopped_epoch is not None
            else len(curves[f"val_{metric}"]) - 1
        )
        train, validation = curves[metric][at], curves[f"val_{metric}"][at]
        gap = validation - train if metric == "loss" else train - validation
        found[name] = Gap(history.epochs[at], train, validation, gap)
    return found


def closest_gap(found: Mapping[str, Gap], *, baseline: str = "baseline") -> str | None:
    """The remedy whose gap is smallest, if it is smaller than the baseline's; else None.

    Example:

    >>> closest_gap({"baseline": Gap(9, 0.0, 0.4, 0.4), "l2": Gap(9, 0.1, 0.3, 0.2)})
    'l2'
    """
    remedies = {name: gap.gap for name, gap in found.items() if name != baseline}
    if baseline not in found or not remedies:
        return None
    best = min(remedies, key=remedies.get)
    return best if remedies[best] < found[baseline].gap else None


def gap_note(found: Mapping[str, Gap], titles: Mapping[str, str], *, metric: str = "loss") -> str:
    """One sentence on which remedy closed the gap most, with the numbers it rests on.

    Read from the training and validation curves only: the test part chose nothing.

    Args:
        found: from `gaps`, with "baseline".
        titles: variant -> how the page names it, e.g. {"l2": "L2"}.
        metric: the metric `found` was measured in, one of `METRICS`.

    Returns:
        Markdown, e.g. "**More data** closed the gap most: 0.167 between its training and
        validation loss, against 0.305 for the baseline. Its validation loss: 0.169
        (baseline 0.313)."; or a sentence saying that the baseline has not overfitted yet
        (its gap is not above 0), or that no remedy's gap is smaller than the baseline's.
    """
    base = found["baseline"]
    best = closest_gap(found)
    if metric == "accuracy":
        between = "points between its training and validation accuracy"
        size, score = (lambda value: f"{100 * value:.1f}"), (lambda value: f"{value:.1%}")
    else:
        between = "between its training and validation loss"
        size = score = lambda value: f"{value:.3f}"
    if base.gap <= 0:
        return (
            f"The baseline has not overfitted yet: it does no better on its training digits "
            f"than on the validation digits ({size(base.gap)} {between}). Train more epochs, "
            "or on fewer digits."
        )
    if best is None:
        return (
            f"No remedy closed the gap here: the baseline's {size(base.gap)} {between} is "
            "already the smallest. Try fewer training digits or more epochs."
        )
    chosen = found[best]
    return (
        f"**{titles.get(best, best)}** closed the gap most: {size(chosen.gap)} {between}, "
        f"against {size(base.gap)} for the baseline. Its validation {metric}: "
        f"{score(chosen.validation)} (baseline {score(base.validation)})."
    )
