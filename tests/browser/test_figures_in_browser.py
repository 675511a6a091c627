"""The findings' figures drawn by plotly.js in Chromium, normal and enlarged for presenter mode:
no title, caption, axis title or legend outside the figure, no legend over a title or
tick, no two captions or colour bar ticks run into each other."""

import json
from collections.abc import Iterator

import numpy as np
import pytest
from plotly.offline import get_plotlyjs

from dlcore.concepts.optimizers import Trajectory
from dlcore.figures import (
    cnn,
    gan,
    optimizers,
    residual,
    style,
    text_insight,
    training,
    video_model,
)
from harness.look import chart_text_problems

pytestmark = pytest.mark.browser

# A trainer page's results column at 1400x900, and a wide one at 1920x1080.
WIDTHS = (style.REFERENCE_WIDTH, 1400)


def findings() -> dict:
    """The figure of each finding, with the kind of data that showed it."""
    rng = np.random.default_rng(0)

    def path(name: str, losses: np.ndarray) -> Trajectory:
        return Trajectory(
            surface_name="bowl",
            optimizer_name=name,
            learning_rate=0.1,
            steps=len(losses) - 1,
            points=np.zeros((len(losses), 2)),
            losses=losses,
            diverged=False,
            stopped_at=None,
            stop_reason=None,
        )

    losses = np.geomspace(1.0, 1e-18, 40)
    variants = ("plain", "plain_bn", "residual", "residual_bn")
    curves = {
        variant: {
            "loss": list(np.geomspace(20, 0.03, 20)),
            "val_loss": list(np.geomspace(2, 0.1, 20)),
            "accuracy": list(rng.random(20)),
            "val_accuracy": list(rng.random(20)),
        }
        for variant in variants
    }
    layers = [*(f"layer_{k}" for k in range(1, 31)), "output"]
    norms = {
        variant: {name: 10.0 ** -(k % 6) for k, name in enumerate(layers)} for variant in variants
    }
    steps = list(range(0, 600, 50))
    return {
        "optimizers loss": optimizers.losses_over_steps_figure(
            {name: path(name, losses) for name in ("sgd", "momentum", "adam", "adamw")}
        ),
        "residual curves": residual.curves_figure(list(range(1, 21)), curves),
        # Losses over a decade and a half: the log axis once labelled every digit.
        "residual curves, two epochs": residual.curves_figure(
            [1, 2],
            {
                variant: {"loss": [30.0, 0.7], "val_loss": [2.0, 1.1]}
                | {"accuracy": [0.1, 0.8], "val_accuracy": [0.2, 0.7]}
                for variant in variants
            },
        ),
        "residual gradients": residual.gradient_norms_figure(norms, epoch=0),
        "gan progress": gan.progress_figure(steps, *rng.random((4, len(steps)))),
        "gan untrained": gan.gan_figure(
            rng.normal(size=(50, 2)),
            rng.normal(size=(50, 2)),
            np.linspace(-3, 3, 20),
            rng.random((20, 20)),
            title="Real points and the untrained generator's points",
        ),
        "video mistakes": video_model.mistakes_figure(
            rng.random((3, 8, 16, 16, 3)),
            [0, 1, 2],
            [2, 0, 1],
            [0.99, 0.92, 0.86],
            ["right", "left", "zoom_in"],
        ),
        "cnn mistakes": cnn.misclassified_figure(
            rng.random((11, 8, 8, 1)),
            [9, 8, 8, 3, 2, 2, 3, 2, 6, 4, 4],
            [5, 1, 1, 8, 1, 1, 8, 8, 1, 1, 9],
            [0.95] * 11,
            list("0123456789"),
        ),
        "cnn filters": cnn.filters_figure(rng.normal(size=(8, 3, 3, 1))),
        "text attribution": text_insight.attribution_figure(
            ["remind", "me", "to", "call", "mom", "on", "sunday"],
            [4.16, -0.09, 1.26, 0.94, 0.0, -2.14, -1.31],
            unknown=[False, False, False, False, True, False, False],
            intent="set_timer",
        ),
        "training history": training.history_figure(
            list(range(1, 11)),
            {"loss": list(np.geomspace(1, 1e-3, 10)), "val_loss": list(np.geomspace(1, 1e-2, 10))},
        ),
    }


@pytest.fixture(scope="module")
def chart_page(browser) -> Iterator:
    # The session's browser (conftest.py): Playwright's sync API runs one instance a thread.
    context = browser.new_context(viewport={"width": max(WIDTHS) + 40, "height": 1600})
    page = context.new_page()
    page.set_content(f"<script>{get_plotlyjs()}</script><div id='chart'></div>")
    yield page
    context.close()


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_cut_or_covered(chart_page, width, presenting):
    problems = []
    for name, figure in findings().items():
        shown = style.enlarge(figure) if presenting else figure
        spec = json.loads(shown.to_json())
        spec["layout"]["width"] = width
        chart_page.evaluate(
            "(spec) => Plotly.newPlot('chart', spec.data, spec.layout, {staticPlot: true})", spec
        )
        problems += [f"{name}: {problem}" for problem in chart_text_problems(chart_page, "#chart")]
    assert not problems, problems
