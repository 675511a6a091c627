"""Tests for dlcore.figures.optimizers: traces carry the surfaces', paths' and losses' numbers."""

import numpy as np
import pytest
from helpers import plotly_array

from dlcore.concepts import losses, optimizers, surfaces
from dlcore.concepts.optimizers import Trajectory
from dlcore.figures import optimizers as figures

LOG_SCALED = {"rosenbrock", "beale"}


def make_path(surface_name, optimizer_name, points, *, stopped_at=None, steps=None):
    """A Trajectory made by hand, so that figure tests need no TensorFlow."""
    points = np.asarray(points, dtype=np.float64)
    return Trajectory(
        surface_name=surface_name,
        optimizer_name=optimizer_name,
        learning_rate=0.01,
        steps=steps if steps is not None else len(points) - 1,
        points=points,
        losses=surfaces.surface_values(surface_name, points[:, 0], points[:, 1]),
        diverged=stopped_at is not None,
        stopped_at=stopped_at,
        stop_reason=None if stopped_at is None else "diverged",
    )


def hand_paths(surface_name):
    start = np.array(surfaces.SURFACES[surface_name].start)
    return {
        name: make_path(
            surface_name, name, [start, start * 0.9 + index * 0.01, start * 0.8 + index * 0.02]
        )
        for index, name in enumerate(optimizers.OPTIMIZER_NAMES)
    }


@pytest.mark.parametrize("surface_name", surfaces.SURFACE_NAMES)
def test_trajectories_figure_draws_surface_paths_and_marks(surface_name):
    surface = surfaces.SURFACES[surface_name]
    paths = hand_paths(surface_name)

    figure = figures.trajectories_figure(surface_name, paths, n_points=50)

    contour, *path_traces, start_trace, mark = figure.data
    xs, ys, zs = surfaces.surface_grid(surface_name, n_points=50)
    assert contour.type == "contour"
    np.testing.assert_array_equal(plotly_array(contour.x), xs)
    np.testing.assert_array_equal(plotly_array(contour.y), ys)
    np.testing.assert_array_equal(np.asarray(contour.customdata), zs)
    if surface_name in LOG_SCALED:
        levels = np.asarray(contour.z)
        # Above the clip floor, the levels are log10 of the real values.
        above_floor = levels > levels.min()
        np.testing.assert_allclose(levels[above_floor], np.log10(zs[above_floor]))
        ticks = np.asarray(contour.colorbar.tickvals)
        assert list(contour.colorbar.ticktext) == [f"{10.0**tick:g}" for tick in ticks]
    else:
        np.testing.assert_array_equal(np.asarray(contour.z), zs)

    assert [trace.name for trace in path_traces] == [
        optimizers.OPTIMIZERS[name].title for name in paths
    ]
    for trace, path in zip(path_traces, paths.values(), strict=True):
        assert trace.mode == "lines+markers"
        np.testing.assert_array_equal(plotly_array(trace.x), path.points[:, 0])
        np.testing.assert_array_equal(plotly_array(trace.y), path.points[:, 1])
        customdata = np.asarray(trace.customdata)
        np.testing.assert_array_equal(customdata[:, 0], np.arange(3))
        np.testing.assert_array_equal(customdata[:, 1], path.losses)
    assert len({trace.line.color for trace in path_traces}) == len(path_traces)

    assert start_trace.name == "start"
    assert (start_trace.x[0], start_trace.y[0]) == surface.start
    if surface.minimum is not None:
        assert mark.name == "minimum"
        assert (mark.x[0], mark.y[0]) == surface.minimum
    else:
        assert mark.name == "saddle point"
        assert (mark.x[0], mark.y[0]) == surface.saddle_point
    assert tuple(figure.layout.xaxis.range) == surface.x_range
    assert tuple(figure.layout.yaxis.range) == surface.y_range
    assert surface.title in figure.layout.title.text
    assert "learning rate 0.01" in figure.layout.title.text


def test_trajectories_figure_draws_real_keras_paths():
    paths = optimizers.all_trajectories("bowl", learning_rate=0.1, steps=20)

    figure = figures.trajectories_figure("bowl", paths)

    for trace, path in zip(figure.data[1:8], paths.values(), strict=True):
        np.testing.assert_array_equal(plotly_array(trace.x), path.points[:, 0])
    assert "learning rate 0.1, 20 steps" in figure.layout.title.text


def test_a_diverged_path_says_where_it_stopped():
    path = make_path("rosenbrock", "sgd", [(-1.5, 2.0), (3.0, -40.0)], stopped_at=2, steps=300)

    figure = figures.trajectories_figure("rosenbrock", {"sgd": path})
    over_steps = figures.losses_over_steps_figure({"sgd": path})

    assert figure.data[1].name == "SGD (stopped at step 2)"
    assert over_steps.data[0].name == "SGD (stopped at step 2)"


def test_losses_over_steps_uses_a_log_axis_for_positive_losses():
    paths = hand_paths("rosenbrock")

    figure = figures.losses_over_steps_figure(paths)

    assert figure.layout.yaxis.type == "log"
    for trace, path in zip(figure.data, paths.values(), strict=True):
        np.testing.assert_array_equal(plotly_array(trace.x), np.arange(path.losses.size))
        np.testing.assert_array_equal(plotly_array(trace.y), path.losses)


def test_losses_over_steps_uses_a_linear_axis_when_losses_go_negative():
    # Past the saddle point, f = x^2 - y^2 < 0.
    path = make_path("saddle", "adam", [(-1.8, 0.001), (-0.5, 0.2), (-0.1, 1.0)])

    figure = figures.losses_over_steps_figure({"adam": path})

    assert path.losses[-1] < 0

    assert figure.layout.yaxis.type == "linear"


@pytest.mark.parametrize("curve", ["loss", "gradient"])
def test_loss_curves_figure_carries_the_keras_numbers(curve):
    names = list(losses.LOSS_NAMES)

    figure = figures.loss_curves_figure(names, target=1.0, delta=0.5, curve=curve, n_points=21)

    compute = losses.loss_curve if curve == "loss" else losses.loss_gradient_curve
    assert [trace.name for trace in figure.data] == [losses.LOSSES[name].title for name in names]
    for trace, name in zip(figure.data, names, strict=True):
        predictions = losses.prediction_grid(name, target=1.0, n_points=21)
        np.testing.assert_array_equal(plotly_array(trace.x), predictions)
        np.testing.assert_array_equal(
            plotly_array(trace.y),
            compute(name, target=1.0, predictions=predictions, delta=0.5),
        )
    (target_line,) = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert target_line.x0 == target_line.x1 == 1.0
    if curve == "gradient":
        limit = figures.GRADIENT_VIEW_LIMIT
        assert tuple(figure.layout.yaxis.range) == (-limit, limit)


def test_loss_curves_figure_of_regression_losses_keeps_autoscale():
    figure = figures.loss_curves_figure(["mse", "huber"], target=0.0, curve="gradient")

    assert figure.layout.yaxis.range is None
    assert figure.layout.xaxis.title.text == "prediction p"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: figures.trajectories_figure("bowl", {}),
            r"`trajectories` must hold at least one Trajectory.*Received: an empty mapping",
        ),
        (
            lambda: figures.trajectories_figure("ravine", hand_paths("bowl")),
            r"`trajectories` must all run on one surface, 'ravine'. Received: trajectories "
            r"on \['bowl'\]",
        ),
        (
            lambda: figures.losses_over_steps_figure(
                {"sgd": hand_paths("bowl")["sgd"], "adam": hand_paths("saddle")["adam"]}
            ),
            r"Received: trajectories on \['bowl', 'saddle'\]",
        ),
        (
            lambda: figures.trajectories_figure("himmelblau", hand_paths("bowl")),
            r"Received: name='himmelblau'",
        ),
        (
            lambda: figures.loss_curves_figure([], target=0.0),
            r"`names` must name at least one loss, each at most once. Received: names=\[\]",
        ),
        (
            lambda: figures.loss_curves_figure(["mse", "mse"], target=0.0),
            r"Received: names=\['mse', 'mse'\]",
        ),
        (
            lambda: figures.loss_curves_figure(["mse"], target=0.0, curve="hessian"),
            r'`curve` must be "loss" or "gradient". Received: curve=\'hessian\'',
        ),
        (
            lambda: figures.loss_curves_figure(["mse", "binary_crossentropy"], target=3.0),
            r"`target` of binary_crossentropy must be a probability",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_loss_axis_prints_powers_of_ten_not_si_prefixes():
    # Losses from 1 down to 1e-18, as Adam reaches on the bowl: SI would print "1μ, 1p".
    paths = {
        name: make_path("bowl", name, [[1.0, 1.0], [1e-5, 1e-5], [1e-9, 1e-9]])
        for name in ("adam", "adamw")
    }
    axis = figures.losses_over_steps_figure(paths).layout.yaxis
    assert axis.type == "log"
    assert axis.exponentformat == "power"
    # About 18 decades: a tick at every third power of ten, none between them.
    all_losses = np.concatenate([path.losses for path in paths.values()])
    assert np.log10(all_losses.max() / all_losses.min()) > 15
    assert axis.dtick == 3


def test_adam_and_adamw_stay_visible_where_their_losses_overlap():
    start = surfaces.SURFACES["bowl"].start
    paths = {name: make_path("bowl", name, [start, start]) for name in ("adam", "adamw")}
    adam, adamw = figures.losses_over_steps_figure(paths).data
    np.testing.assert_array_equal(plotly_array(adam.y), plotly_array(adamw.y))
    # The line drawn last is narrower and dashed: the one under it shows at its sides.
    assert adam.line.width > adamw.line.width
    assert adam.line.dash != adamw.line.dash
