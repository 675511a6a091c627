"""Tests for dlcore.figures.batch_norm: the traces carry dlcore.concepts.batch_norm's numbers."""

import numpy as np
import pytest

from dlcore.concepts import batch_norm
from dlcore.figures import batch_norm as figures


def by_name(figure, name):
    (trace,) = [trace for trace in figure.data if trace.name == name]
    return trace


def title(figure) -> str:
    """The title as one line: it is wrapped with <br> to fit a column."""
    return figure.layout.title.text.replace("<br>", " ")


@pytest.mark.parametrize("training", [True, False])
def test_batch_figure_draws_the_batch_and_its_output(training):
    batch = batch_norm.sample_batch(4, seed=2)
    if training:
        result = batch_norm.batch_norm_training(batch, gamma=2.0, beta=0.5)
    else:
        result = batch_norm.batch_norm_inference(
            batch, moving_mean=[4.0, -1.0, 0.4], moving_variance=[3.0, 0.3, 0.1], beta=0.5
        )

    figure = figures.batch_figure(result)

    inputs, means, outputs, betas = (
        by_name(figure, name) for name in ("input x", "mean used", "output y", "beta")
    )
    np.testing.assert_array_equal(inputs.y, result.batch.ravel())
    np.testing.assert_array_equal(outputs.y, result.output.ravel())
    np.testing.assert_array_equal(means.y, result.mean)
    np.testing.assert_array_equal(betas.y, result.beta)
    assert list(inputs.x[:3]) == ["feature 1", "feature 2", "feature 3"]
    assert list(inputs.customdata) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    statistics = "batch's statistics" if training else "moving averages"
    assert statistics in title(figure)
    assert figure.layout.yaxis.title.text == "input x"
    assert figure.layout.yaxis2.title.text == "output y"


def test_moving_average_figure_draws_one_feature_over_the_steps():
    run = batch_norm.simulate_training(steps=30, batch_size=4, momentum=0.9, seed=1)

    figure = figures.moving_average_figure(
        run, feature=1, true_mean=-1.0, true_variance=0.25, batch_size=4
    )

    batch_mean, moving_mean, true_mean, batch_variance, moving_variance, true_variance, average = (
        figure.data
    )
    np.testing.assert_array_equal(moving_mean.x, np.arange(31))
    np.testing.assert_array_equal(moving_mean.y, run.means[:, 1])
    np.testing.assert_array_equal(batch_mean.x, np.arange(1, 31))
    np.testing.assert_array_equal(batch_mean.y, run.batch_means[:, 1])
    np.testing.assert_array_equal(moving_variance.y, run.variances[:, 1])
    np.testing.assert_array_equal(batch_variance.y, run.batch_variances[:, 1])
    assert list(true_mean.y) == [-1.0, -1.0]
    assert list(true_variance.y) == [0.25, 0.25]
    assert list(average.y) == pytest.approx([0.25 * 3 / 4] * 2)
    # Each role is in the legend once, not once a panel.
    shown = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert shown == ["each batch", "moving average", "true value", "average batch variance"]
    assert "30 training steps, momentum 0.9" in title(figure)
    assert figure.layout.xaxis.title.text == "training step"
    assert figure.layout.yaxis.title.text == "mean, feature 2"
    # The y ranges hold the moving averages and the true values, whatever a rare batch does.
    for axis, moving, true_value in (
        (figure.layout.yaxis, run.means[:, 1], -1.0),
        (figure.layout.yaxis2, run.variances[:, 1], 0.25),
    ):
        low, high = axis.range
        assert low <= min(moving.min(), true_value) and max(moving.max(), true_value) <= high


def test_moving_average_figure_refuses_a_missing_feature():
    run = batch_norm.simulate_training(steps=3, batch_size=4)

    with pytest.raises(ValueError, match="Received: feature=3"):
        figures.moving_average_figure(
            run, feature=3, true_mean=0.0, true_variance=1.0, batch_size=4
        )


def test_batch_size_figure_draws_the_spread_and_the_band():
    effect = batch_norm.batch_size_effect((2, 4, 16), n_batches=100, seed=0)

    figure = figures.batch_size_figure(effect)

    np.testing.assert_array_equal(by_name(figure, "measured").y, effect.mean_spread)
    np.testing.assert_allclose(by_name(figure, "1/√batch size").y, 1 / np.sqrt([2, 4, 16]))
    np.testing.assert_array_equal(by_name(figure, "1/√batch size").y, effect.expected_spread)
    np.testing.assert_array_equal(by_name(figure, "10th percentile").y, effect.sample_low)
    np.testing.assert_array_equal(by_name(figure, "90th percentile").y, effect.sample_high)
    np.testing.assert_array_equal(by_name(figure, "median").y, effect.sample_median)
    assert list(by_name(figure, "with the true statistics").y) == [1.0, 1.0]
    for trace in figure.data:
        assert set(trace.x) <= {2, 4, 16}
    assert figure.layout.xaxis.type == "log"
    assert list(figure.layout.xaxis.ticktext) == ["2", "4", "16"]
    assert "100 random batches per size" in title(figure)
