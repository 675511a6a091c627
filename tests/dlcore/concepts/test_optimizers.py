"""Tests for dlcore.concepts.optimizers: each Keras optimizer's steps against its rule in NumPy."""

import threading

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import run_python

from dlcore.concepts import optimizers, surfaces


def analytic_gradient(name, point):
    """(df/dx, df/dy) of each surface, differentiated by hand."""
    x, y = point
    match name:
        case "bowl":
            return np.array([2 * x, 2 * y])
        case "ravine":
            return np.array([0.2 * x, 20 * y])
        case "rosenbrock":
            return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
        case "saddle":
            return np.array([2 * x, -2 * y])
        case "beale":
            first = 1.5 - x + x * y
            second = 2.25 - x + x * y**2
            third = 2.625 - x + x * y**3
            return np.array(
                [
                    2 * first * (y - 1) + 2 * second * (y**2 - 1) + 2 * third * (y**3 - 1),
                    2 * first * x + 4 * second * x * y + 6 * third * x * y**2,
                ]
            )


def numpy_optimizer_path(optimizer_name, surface_name, start, learning_rate, n_steps):
    """The points of `n_steps` steps, each rule written out as Keras 3 implements it
    (keras/src/optimizers/sgd.py, adagrad.py, rmsprop.py, adam.py, adamw.py and
    base_optimizer.py's weight decay) with Keras' default hyperparameters.
    """
    # Keras keeps the learning rate in a float32 variable and casts it to the variable's
    # float64 when it steps.
    learning_rate = float(np.float32(learning_rate))
    theta = np.array(start, dtype=np.float64)
    velocity = np.zeros(2)  # SGD's momentum buffer, RMSprop's and Adam's v.
    first_moment = np.zeros(2)  # Adam's m.
    accumulator = np.full(2, 0.1)  # Adagrad's initial_accumulator_value.
    epsilon = 1e-7
    path = [theta.copy()]
    for step in range(1, n_steps + 1):
        gradient = analytic_gradient(surface_name, theta)
        match optimizer_name:
            case "sgd":
                theta = theta - learning_rate * gradient
            case "momentum":
                velocity = 0.9 * velocity - learning_rate * gradient
                theta = theta + velocity
            case "nesterov":
                velocity = 0.9 * velocity - learning_rate * gradient
                theta = theta + 0.9 * velocity - learning_rate * gradient
            case "adagrad":
                accumulator = accumulator + gradient**2
                theta = theta - learning_rate * gradient / np.sqrt(accumulator + epsilon)
            case "rmsprop":
                rho = 0.9
                velocity = rho * velocity + (1 - rho) * gradient**2
                theta = theta - learning_rate * gradient / np.sqrt(velocity + epsilon)
            case "adam" | "adamw":
                if optimizer_name == "adamw":
                    # Decoupled weight decay (0.004) is applied to the variable first; the
                    # gradient was already computed at the undecayed point.
                    theta = theta - theta * 0.004 * learning_rate
                beta_1, beta_2 = 0.9, 0.999
                # adam.py raises ops.cast(beta, float64) to the step: the Python float
                # becomes a float32 tensor before the cast, so the bias correction uses
                # float32 betas (0.999 -> 0.99900001287), a relative 7e-6 in the step.
                beta_1_power = float(np.float32(beta_1)) ** step
                beta_2_power = float(np.float32(beta_2)) ** step
                alpha = learning_rate * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
                first_moment = first_moment + (gradient - first_moment) * (1 - beta_1)
                velocity = velocity + (gradient**2 - velocity) * (1 - beta_2)
                theta = theta - first_moment * alpha / (np.sqrt(velocity) + epsilon)
        path.append(theta.copy())
    return np.array(path)


# Learning rates at which three steps move clearly but stay on the picture.
UPDATE_RULE_CASES = [("rosenbrock", (-1.5, 2.0), 0.001), ("beale", (1.0, 1.5), 0.01)]


@pytest.mark.parametrize("optimizer_name", optimizers.OPTIMIZER_NAMES)
@pytest.mark.parametrize(("surface_name", "start", "learning_rate"), UPDATE_RULE_CASES)
def test_first_three_steps_follow_the_update_rule(
    optimizer_name, surface_name, start, learning_rate
):
    expected = numpy_optimizer_path(optimizer_name, surface_name, start, learning_rate, 3)

    path = optimizers.trajectory(
        surface_name, optimizer_name, learning_rate=learning_rate, steps=3, start=start
    )

    np.testing.assert_allclose(path.points, expected, rtol=0, atol=1e-6)
    # Adaptive steps are about the learning rate in size, so also hold each step, not
    # only each point, to a relative 1e-6.
    steps, expected_steps = np.diff(path.points, axis=0), np.diff(expected, axis=0)
    np.testing.assert_allclose(steps, expected_steps, rtol=1e-6, atol=1e-12)
    assert np.all(np.linalg.norm(steps, axis=1) > 1e-4), "too small a step to check"


def test_update_rule_check_tells_the_optimizers_apart():
    # If two rules gave the same three steps, the test above could not catch a mix-up.
    paths = {
        name: numpy_optimizer_path(name, "beale", (1.0, 1.5), 0.01, 3)
        for name in optimizers.OPTIMIZER_NAMES
    }
    for first in optimizers.OPTIMIZER_NAMES:
        for second in optimizers.OPTIMIZER_NAMES:
            if first < second:
                gap = np.abs(paths[first] - paths[second]).max()
                assert gap > 1e-5, f"{first} and {second} take the same steps"


@pytest.mark.parametrize("name", surfaces.SURFACE_NAMES)
def test_tensorflow_surface_and_gradient_match_numpy_and_calculus(name):
    points = np.random.default_rng(0).uniform(-2.0, 2.0, size=(20, 2))
    point_tensor = tf.constant(points)

    with tf.GradientTape() as tape:
        tape.watch(point_tensor)
        values = surfaces.SURFACES[name].function(point_tensor[:, 0], point_tensor[:, 1])
    gradients = tape.gradient(values, point_tensor).numpy()

    assert values.dtype == tf.float64
    np.testing.assert_allclose(
        values.numpy(), surfaces.surface_values(name, points[:, 0], points[:, 1]), rtol=1e-12
    )
    expected = np.array([analytic_gradient(name, point) for point in points])
    np.testing.assert_allclose(gradients, expected, rtol=1e-10, atol=1e-10)
    # And the hand-written gradient against finite differences of the NumPy surface.
    step = 1e-6
    for point, gradient in zip(points[:3], expected[:3], strict=True):
        for axis in range(2):
            offset = np.eye(2)[axis] * step
            difference = (
                surfaces.surface_values(name, *(point + offset))
                - surfaces.surface_values(name, *(point - offset))
            ) / (2 * step)
            assert difference == pytest.approx(gradient[axis], rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("optimizer_name", optimizers.OPTIMIZER_NAMES)
def test_trajectory_has_documented_shapes_and_surface_losses(optimizer_name):
    surface = surfaces.SURFACES["beale"]

    path = optimizers.trajectory(
        "beale", optimizer_name, learning_rate=surface.default_learning_rate, steps=40
    )

    assert path.points.shape == (41, 2)
    assert path.losses.shape == (41,)
    assert path.points.dtype == path.losses.dtype == np.float64
    np.testing.assert_array_equal(path.points[0], surface.start)
    # The loss Keras minimized is the NumPy surface at every point of the path.
    np.testing.assert_allclose(
        path.losses, surfaces.surface_values("beale", path.points[:, 0], path.points[:, 1])
    )
    assert (path.surface_name, path.optimizer_name, path.steps) == ("beale", optimizer_name, 40)
    assert not path.diverged
    assert path.stopped_at is None
    assert path.stop_reason is None


def test_sgd_with_a_large_learning_rate_diverges_without_raising():
    path = optimizers.trajectory("rosenbrock", "sgd", learning_rate=0.1, steps=300)

    assert path.diverged
    assert 1 <= path.stopped_at < 300
    # The point that left the box is dropped: what is left can be drawn.
    assert path.points.shape == (path.stopped_at, 2)
    assert path.losses.shape == (path.stopped_at,)
    assert np.all(np.abs(path.points) <= optimizers.DIVERGENCE_LIMIT)
    assert np.all(np.isfinite(path.losses))
    assert f"SGD diverged at step {path.stopped_at}" in path.stop_reason
    assert "smaller learning rate" in path.stop_reason


def test_escaping_the_saddle_is_not_blamed_on_the_learning_rate():
    path = optimizers.trajectory("saddle", "momentum", learning_rate=0.05, steps=300)

    assert path.diverged
    assert "no minimum" in path.stop_reason
    assert "learning rate" not in path.stop_reason


def test_adam_reaches_the_bowls_minimum():
    path = optimizers.trajectory("bowl", "adam", learning_rate=0.05, steps=300)

    np.testing.assert_allclose(path.points[-1], surfaces.SURFACES["bowl"].minimum, atol=1e-4)
    assert path.losses[-1] < 1e-8


def test_plain_sgd_on_the_bowl_shrinks_by_one_minus_twice_the_rate():
    # f = x^2 + y^2, so one SGD step multiplies the point by (1 - 2 lr), exactly.
    for learning_rate, factor in [(0.125, 0.75), (0.25, 0.5)]:
        path = optimizers.trajectory(
            "bowl", "sgd", learning_rate=learning_rate, steps=5, start=(1.0, -2.0)
        )

        expected = factor ** np.arange(6)[:, np.newaxis] * np.array([1.0, -2.0])
        np.testing.assert_allclose(path.points, expected, rtol=1e-15)


def test_runs_reuse_one_compiled_loop_and_reset_the_optimizer():
    compiled = optimizers._compiled_run("ravine", "adam")

    first = optimizers.trajectory("ravine", "adam", learning_rate=0.05, steps=30)
    other = optimizers.trajectory("ravine", "adam", learning_rate=0.2, steps=7, start=(1, 1))
    again = optimizers.trajectory("ravine", "adam", learning_rate=0.05, steps=30)

    assert optimizers._compiled_run("ravine", "adam") is compiled
    assert other.points.shape == (8, 2)
    # Adam's moments and step count start from zero every run, not from the last run.
    np.testing.assert_array_equal(again.points, first.points)


def test_concurrent_runs_do_not_mix_their_state():
    # Streamlit serves each browser session from its own thread.
    settings = [0.01, 0.02, 0.05, 0.1]
    sequential = {
        rate: optimizers.trajectory("rosenbrock", "rmsprop", learning_rate=rate, steps=100)
        for rate in settings
    }
    concurrent = {}

    def run(rate):
        concurrent[rate] = optimizers.trajectory(
            "rosenbrock", "rmsprop", learning_rate=rate, steps=100
        )

    threads = [threading.Thread(target=run, args=(rate,)) for rate in settings * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for rate in settings:
        np.testing.assert_array_equal(concurrent[rate].points, sequential[rate].points)


@pytest.mark.parametrize("name", [name for name in surfaces.SURFACE_NAMES if name != "saddle"])
def test_default_learning_rates_keep_every_optimizer_on_the_surface(name):
    surface = surfaces.SURFACES[name]

    paths = optimizers.all_trajectories(
        name, learning_rate=surface.default_learning_rate, steps=300
    )

    assert list(paths) == list(optimizers.OPTIMIZER_NAMES)
    for optimizer_name, path in paths.items():
        assert not path.diverged, f"{optimizer_name} diverged: {path.stop_reason}"
        assert path.losses[-1] < path.losses[0], f"{optimizer_name} did not descend"


def test_all_trajectories_runs_the_chosen_optimizers_from_one_start():
    paths = optimizers.all_trajectories(
        "bowl", learning_rate=0.1, steps=10, optimizers=["adam", "sgd"], start=(1.0, 1.0)
    )

    assert list(paths) == ["adam", "sgd"]
    for name, path in paths.items():
        assert path.optimizer_name == name
        np.testing.assert_array_equal(path.points[0], [1.0, 1.0])


@pytest.mark.parametrize(
    ("name", "keras_class", "options"),
    [
        ("sgd", keras.optimizers.SGD, {"momentum": 0.0, "nesterov": False}),
        ("momentum", keras.optimizers.SGD, {"momentum": 0.9, "nesterov": False}),
        ("nesterov", keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}),
        ("adagrad", keras.optimizers.Adagrad, {"initial_accumulator_value": 0.1}),
        ("rmsprop", keras.optimizers.RMSprop, {"rho": 0.9, "momentum": 0.0}),
        ("adam", keras.optimizers.Adam, {"beta_1": 0.9, "beta_2": 0.999, "weight_decay": None}),
        ("adamw", keras.optimizers.AdamW, {"weight_decay": 0.004}),
    ],
)
def test_make_optimizer_builds_the_keras_optimizer(name, keras_class, options):
    optimizer = optimizers.make_optimizer(name, learning_rate=0.25)

    assert type(optimizer) is keras_class
    assert float(optimizer.learning_rate.numpy()) == 0.25
    for option, value in options.items():
        assert getattr(optimizer, option) == value
    info = optimizers.OPTIMIZERS[name]
    assert info.keras_code.startswith(f"keras.optimizers.{keras_class.__name__}(")


def test_optimizer_infos_cover_every_optimizer():
    assert tuple(optimizers.OPTIMIZERS) == optimizers.OPTIMIZER_NAMES
    for name, info in optimizers.OPTIMIZERS.items():
        assert info.name == name
        assert info.title
        assert info.update_rule
        assert info.summary


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: optimizers.make_optimizer("lion", learning_rate=0.1),
            r"`optimizer_name` must be one of sgd, momentum, nesterov, adagrad, rmsprop, "
            r"adam, adamw. Received: optimizer_name='lion'",
        ),
        (
            lambda: optimizers.trajectory("bowl", "Adam", learning_rate=0.1, steps=5),
            r"Received: optimizer_name='Adam'",
        ),
        (
            lambda: optimizers.trajectory("himmelblau", "adam", learning_rate=0.1, steps=5),
            r"`name` must be one of .*Received: name='himmelblau'",
        ),
        (
            lambda: optimizers.make_optimizer("sgd", learning_rate=0.0),
            r"`learning_rate` must be a finite number > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: optimizers.trajectory("bowl", "sgd", learning_rate=float("nan"), steps=5),
            r"Received: learning_rate=nan",
        ),
        (
            lambda: optimizers.trajectory("bowl", "sgd", learning_rate="0.1", steps=5),
            r"Received: learning_rate='0.1'",
        ),
        (
            lambda: optimizers.trajectory("bowl", "sgd", learning_rate=0.1, steps=0),
            r"`steps` must be an integer from 1 to 10000. Received: steps=0",
        ),
        (
            lambda: optimizers.trajectory("bowl", "sgd", learning_rate=0.1, steps=10_001),
            r"Received: steps=10001",
        ),
        (
            lambda: optimizers.trajectory("bowl", "sgd", learning_rate=0.1, steps=2.5),
            r"Received: steps=2.5",
        ),
        (
            lambda: optimizers.trajectory(
                "bowl", "sgd", learning_rate=0.1, steps=5, start=(1.0, 2.0, 3.0)
            ),
            r"`start` must be a finite point \(x, y\). Received: start=\(1.0, 2.0, 3.0\)",
        ),
        (
            lambda: optimizers.trajectory(
                "bowl", "sgd", learning_rate=0.1, steps=5, start=(1.0, float("inf"))
            ),
            r"Received: start=\(1.0, inf\)",
        ),
        (
            lambda: optimizers.trajectory(
                "bowl", "sgd", learning_rate=0.1, steps=5, start=("a", "b")
            ),
            r"`start` must be a finite point",
        ),
        (
            lambda: optimizers.all_trajectories("bowl", learning_rate=0.1, steps=5, optimizers=[]),
            r"`optimizers` must name at least one optimizer, each at most once. "
            r"Received: optimizers=\[\]",
        ),
        (
            lambda: optimizers.all_trajectories(
                "bowl", learning_rate=0.1, steps=5, optimizers=["sgd", "sgd"]
            ),
            r"Received: optimizers=\['sgd', 'sgd'\]",
        ),
        (
            lambda: optimizers.all_trajectories(
                "bowl", learning_rate=0.1, steps=5, optimizers=["sgd", "adadelta"]
            ),
            r"Received: optimizer_name='adadelta'",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_optimizer_modules_does_not_import_tensorflow():
    imported = run_python(
        """
        import json, sys
        import dlcore.concepts.surfaces, dlcore.concepts.optimizers, dlcore.concepts.losses
        import dlcore.figures.optimizers
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )

    assert imported == [], "the Optimizers page would wait for TensorFlow before drawing"
