"""Tests for dlcore.concepts.losses: Keras losses against their formulas, gradients by calculus."""

import keras
import numpy as np
import pytest

from dlcore.concepts import losses

EPSILON = 1e-7
REGRESSION_PREDICTIONS = np.linspace(-4.0, 4.0, 81)
# Probabilities from Keras' clip inwards, plus 0 and 1 themselves, which Keras clips.
PROBABILITIES = np.concatenate([[0.0, 1e-9, EPSILON], np.linspace(0.01, 0.99, 99), [1.0]])


def clipped(probabilities):
    return np.clip(probabilities, EPSILON, 1.0 - EPSILON)


def binary_crossentropy(target, probabilities):
    p = clipped(probabilities)
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


def test_infos_cover_every_loss_and_name_a_keras_class():
    assert tuple(losses.LOSSES) == losses.LOSS_NAMES
    for name, info in losses.LOSSES.items():
        assert info.name == name
        assert info.title
        assert info.formula.startswith("L = ")
        assert info.summary
        class_name = info.keras_code.removeprefix("keras.losses.").split("(")[0]
        assert isinstance(getattr(keras.losses, class_name), type)
        assert info.takes_probabilities == name.endswith("crossentropy")


def test_epsilon_is_keras_epsilon():
    assert keras.config.epsilon() == losses.KERAS_EPSILON


@pytest.mark.parametrize("target", [-1.5, 0.0, 2.0])
def test_regression_losses_match_their_formulas(target):
    error = target - REGRESSION_PREDICTIONS

    def curve(name, **options):
        return losses.loss_curve(name, target=target, predictions=REGRESSION_PREDICTIONS, **options)

    np.testing.assert_allclose(curve("mse"), error**2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(curve("mae"), np.abs(error), rtol=1e-12, atol=1e-12)
    for delta in (0.5, 1.0, 2.5):
        huber = np.where(
            np.abs(error) <= delta, 0.5 * error**2, delta * np.abs(error) - 0.5 * delta**2
        )
        np.testing.assert_allclose(curve("huber", delta=delta), huber, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_crossentropies_match_the_formula_with_keras_clipping(name, target):
    values = losses.loss_curve(name, target=target, predictions=PROBABILITIES)

    expected = binary_crossentropy(target, PROBABILITIES)
    # Categorical cross-entropy builds 1 - p and clips that too, which moves the loss
    # by up to 4e-10 where p is within 1e-7 of 1.
    np.testing.assert_allclose(values, expected, rtol=1e-9, atol=1e-9)
    assert np.all(np.isfinite(values))


def test_a_confident_mistake_costs_minus_log_epsilon():
    values = losses.loss_curve("binary_crossentropy", target=1.0, predictions=[0.0, 1.0])

    np.testing.assert_allclose(values, [-np.log(EPSILON), -np.log(1 - EPSILON)])
    assert values[0] == pytest.approx(16.118, abs=1e-3)


@pytest.mark.parametrize("target", [-1.5, 0.0, 2.0])
def test_regression_gradients_match_calculus(target):
    predictions = REGRESSION_PREDICTIONS[~np.isclose(REGRESSION_PREDICTIONS, target)]
    error = predictions - target

    def gradient(name, **options):
        return losses.loss_gradient_curve(name, target=target, predictions=predictions, **options)

    np.testing.assert_allclose(gradient("mse"), 2 * error, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient("mae"), np.sign(error), rtol=1e-12)
    for delta in (0.5, 1.0, 2.5):
        huber = np.where(np.abs(error) <= delta, error, delta * np.sign(error))
        np.testing.assert_allclose(gradient("huber", delta=delta), huber, rtol=1e-12)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_crossentropy_gradients_match_calculus(name, target):
    predictions = np.linspace(0.01, 0.99, 99)

    gradients = losses.loss_gradient_curve(name, target=target, predictions=predictions)

    expected = (predictions - target) / (predictions * (1 - predictions))
    np.testing.assert_allclose(gradients, expected, rtol=1e-9)


def test_crossentropy_gradient_vanishes_where_keras_clips():
    gradients = losses.loss_gradient_curve(
        "binary_crossentropy", target=1.0, predictions=[0.0, 1e-9, 1.0]
    )

    np.testing.assert_array_equal(gradients, [0.0, 0.0, 0.0])


def test_mse_punishes_large_errors_harder_than_huber_and_mae():
    # An error of 3: MSE pushes back with 2 * 3, MAE and Huber (delta 1) with 1.
    pushes = {
        name: float(losses.loss_gradient_curve(name, target=0.0, predictions=3.0))
        for name in ("mse", "mae", "huber")
    }

    assert pushes == pytest.approx({"mse": 6.0, "mae": 1.0, "huber": 1.0})


@pytest.mark.parametrize("name", losses.LOSS_NAMES)
def test_curves_keep_the_shape_of_the_predictions(name):
    predictions = np.array([[0.2, 0.4, 0.6], [0.8, 0.1, 0.9]])

    for compute in (losses.loss_curve, losses.loss_gradient_curve):
        values = compute(name, target=1.0, predictions=predictions)

        assert values.shape == (2, 3)
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values[1, 2], compute(name, target=1.0, predictions=[0.9])[0])
    assert losses.loss_curve(name, target=1.0, predictions=0.5).shape == ()


@pytest.mark.parametrize("name", losses.LOSS_NAMES)
def test_prediction_grid(name):
    grid = losses.prediction_grid(name, target=0.5, n_points=11)

    assert grid.shape == (11,)
    assert np.all(np.diff(grid) > 0)
    if losses.LOSSES[name].takes_probabilities:
        assert (grid[0], grid[-1]) == (EPSILON, 1.0 - EPSILON)
    else:
        assert (grid[0], grid[-1]) == (-2.5, 3.5)
    assert losses.prediction_grid(name, target=0.5).shape == (401,)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: losses.loss_curve("hinge", target=1.0, predictions=[0.5]),
            r"`name` must be one of mse, mae, huber, binary_crossentropy, "
            r"categorical_crossentropy. Received: name='hinge'",
        ),
        (
            lambda: losses.loss_gradient_curve("MSE", target=1.0, predictions=[0.5]),
            r"Received: name='MSE'",
        ),
        (
            lambda: losses.loss_curve("binary_crossentropy", target=2.0, predictions=[0.5]),
            r"`target` of binary_crossentropy must be a probability in \[0, 1\]. "
            r"Received: target=2.0",
        ),
        (
            lambda: losses.loss_curve("mse", target=float("nan"), predictions=[0.5]),
            r"`target` must be a finite number. Received: target=nan",
        ),
        (
            lambda: losses.loss_curve("mse", target=True, predictions=[0.5]),
            r"Received: target=True",
        ),
        (
            lambda: losses.loss_curve(
                "categorical_crossentropy", target=1.0, predictions=[-0.1, 0.5, 1.2]
            ),
            r"`predictions` of categorical_crossentropy must be probabilities in \[0, 1\]. "
            r"Received: values from -0.1 to 1.2",
        ),
        (
            lambda: losses.loss_curve("mae", target=0.0, predictions=[1.0, np.inf]),
            r"`predictions` must hold at least one number, all finite",
        ),
        (
            lambda: losses.loss_curve("mae", target=0.0, predictions=[]),
            r"`predictions` must hold at least one number",
        ),
        (
            lambda: losses.loss_curve("mae", target=0.0, predictions=["a"]),
            r"`predictions` must be an array of numbers. Received: predictions=\['a'\]",
        ),
        (
            lambda: losses.loss_curve("huber", target=0.0, predictions=[1.0], delta=0.0),
            r"`delta` must be a finite number > 0. Received: delta=0.0",
        ),
        (
            lambda: losses.prediction_grid("mse", target=0.0, n_points=1),
            r"`n_points` must be an integer >= 2. Received: n_points=1",
        ),
        (
            lambda: losses.prediction_grid("binary_crossentropy", target=-0.5),
            r"Received: target=-0.5",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
