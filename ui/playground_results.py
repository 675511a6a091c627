"""The Playground page's output: its status line, the decision boundary over the points, each
hidden neuron's picture and the loss curves, redrawn while the network trains and at rest.

The page (app_pages/playground.py) holds the settings and the training flow; it imports this
module once TensorFlow has started, after its widgets.
"""

from __future__ import annotations

import itertools
from typing import Any

import streamlit as st

from dlcore.figures.playground import boundary_figure, boundary_picture, neuron_images, neuron_strip
from dlcore.figures.style import PAGE_WIDTH
from dlcore.figures.training import history_figure
from dlcore.trainers import playground
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import Throttle, TrainerRun
from ui.trainer_flow import Drawing

# Seconds between redraws of the loss curves while training: they change slowly.
CURVE_SECONDS = 1.0

# Pixels on screen of one hidden neuron's picture.
NEURON_PICTURE_WIDTH = 110


CLEAN_LINE = "Since epoch {epoch}, every training point is on the right side of the boundary."


def clean_epoch(history: Any) -> int | None:
    """The epoch since which every training point is classified right, or None.

    Args:
        history: a `dlcore.training.history.History` with a training "accuracy" metric.

    Returns:
        The first epoch of the run of epochs, up to the last one, at 100 % training
        accuracy; None if the last epoch is below it.
    """
    accuracy = history.metrics.get("accuracy", [])
    clean = None
    for epoch, value in zip(reversed(history.epochs), reversed(accuracy), strict=False):
        if value < 1.0:
            break
        clean = epoch
    return clean


class PlaygroundView:
    """The elements the page redraws: in the output column the status line, the Show the test
    points toggle and the boundary; below both columns the neurons and the loss curves.

    Args:
        settings: the page's settings, for the toggle and the element keys.
        run: the page's run, whose config names the activation the neurons are drawn with.
        data: the points on screen (`playground.load_data`).
        where: the output column.
    """

    def __init__(self, settings: PageSettings, run: TrainerRun, data: Any, *, where: Any) -> None:
        self.page = settings.page
        self.run = run
        self.data = data
        with where:
            self.status_slot = st.empty()
            self.show_test = st.toggle("Show the test points", **settings.bind("show_test"))
            # A keyed box, so that the browser tests and bench/ can find the boundary's picture.
            self.boundary_slot = st.container(key=f"{self.page}.boundary").empty()
        # Below the settings, at the page's full width: the neurons' pictures stay large.
        st.markdown("**Hidden neurons**, each over the same plane")
        self.neuron_slot = st.empty()
        self.curve_slot = st.empty()
        self.redraw_numbers = itertools.count()  # unique chart keys for every redraw

    def draw(
        self,
        snapshot: Any,
        history: Any,
        *,
        epoch: int,
        with_curves: bool = True,
        live: bool = False,
    ) -> None:
        """Redraw the boundary and the neurons, and the curves too if asked.

        While training (`live`) the boundary is a picture, which the browser swaps many times
        a second; at rest it is the Plotly chart, whose points tell what they are on hover.
        """
        redraw = next(self.redraw_numbers)
        trained = history is not None and len(history)
        if trained:
            self._show_status(history, epoch=epoch, live=live)
        self._show_boundary(snapshot, redraw=redraw, live=live)
        self._show_neurons(snapshot)
        if with_curves and trained:
            curves = history_figure(history.epochs, history.metrics, title="Loss and accuracy")
            with self.curve_slot.container():
                show_figure(curves, key=f"{self.page}.curves.{redraw}")

    def live_drawing(self, run: TrainerRun) -> Drawing:
        """The `Drawing` for `ui.trainer_flow.train_and_score`: the boundary and the neurons
        at every update, the curves at most every `CURVE_SECONDS`."""
        curves = Throttle(CURVE_SECONDS)

        def on_update(update: Any) -> None:
            with_curves = curves.due()
            self.draw(
                update.snapshot, run.history, epoch=update.epoch, with_curves=with_curves, live=True
            )

        return Drawing(on_update)

    def _show_status(self, history: Any, *, epoch: int, live: bool) -> None:
        test = self.run.extras.get("test_scores") if not live else None
        clean = clean_epoch(history)
        self.status_slot.markdown(
            f"**Epoch {epoch}** · loss {history.last('loss'):.3f} · "
            f"validation loss {history.last('val_loss'):.3f} · "
            f"validation accuracy {history.last('val_accuracy'):.1%}"
            + (f" · **Test accuracy {test['test_accuracy']:.1%}**" if test else "")
            + (f"  \n{CLEAN_LINE.format(epoch=clean)}" if clean is not None else "")
        )

    def _show_boundary(self, snapshot: Any, *, redraw: int, live: bool) -> None:
        data = self.data
        probabilities = (
            snapshot.probabilities
            if snapshot is not None
            else playground.undecided_boundary(len(data.labels))
        )
        points = {
            "points_train": data.points_train,
            "labels_train": data.y_train,
            "points_test": data.points_test if self.show_test else None,
            "labels_test": data.y_test if self.show_test else None,
        }
        with self.boundary_slot.container():
            if live:
                st.image(boundary_picture(probabilities, **points), caption="Decision boundary")
            else:
                show_figure(
                    boundary_figure(playground.boundary_grid(), probabilities, **points),
                    key=f"{self.page}.boundary.{redraw}",
                )

    def _show_neurons(self, snapshot: Any) -> None:
        with self.neuron_slot.container():
            if snapshot is None or not snapshot.neurons:
                st.caption("Each neuron's picture appears once the network trains.")
                return
            # A snapshot comes from the run's model, so its config is set.
            layers = neuron_images(snapshot.neurons, activation=self.run.config.activation)
            for index, layer in enumerate(layers):
                st.image(
                    neuron_strip(layer),
                    caption=f"Layer {index + 1}: neurons 1 to {len(layer)}, left to right",
                    # Large enough to see from the back of a room, up to the page's width.
                    width=min(PAGE_WIDTH, len(layer) * NEURON_PICTURE_WIDTH),
                )
