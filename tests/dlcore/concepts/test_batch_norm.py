"""Tests for dlcore.concepts.batch_norm: the NumPy reference against Keras's BatchNormalization."""

import keras
import numpy as np
import pytest

from dlcore.concepts import batch_norm

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def keras_layer(*, gamma, beta, momentum=batch_norm.MOMENTUM, epsilon=batch_norm.EPSILON):
    """A built BatchNormalization for 3 features with the given gamma and beta."""
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    layer.build((None, 3))
    layer.gamma.assign(np.asarray(gamma, dtype=np.float32))
    layer.beta.assign(np.asarray(beta, dtype=np.float32))
    return layer


GAMMAS_AND_BETAS = [
    (np.ones(3), np.zeros(3)),
    (np.array([2.0, 0.5, 1.5]), np.array([1.0, -0.3, 0.0])),
]


@pytest.mark.parametrize(("gamma", "beta"), GAMMAS_AND_BETAS)
@pytest.mark.parametrize("batch_size", [1, 2, 4, 8])
def test_training_output_matches_keras(batch_size, gamma, beta):
    batch = batch_norm.sample_batch(batch_size, seed=3)
    layer = keras_layer(gamma=gamma, beta=beta)

    result = batch_norm.batch_norm_training(batch, gamma=gamma, beta=beta)

    expected = np.asarray(layer(batch.astype(np.float32), training=True))
    np.testing.assert_allclose(result.output, expected, **TOLERANCE)


def test_training_uses_the_batch_mean_and_biased_variance():
    batch = np.array([[1.0, 10.0], [2.0, 20.0], [6.0, 30.0]])

    result = batch_norm.batch_norm_training(batch, gamma=2.0, beta=1.0)

    np.testing.assert_allclose(result.mean, [3.0, 20.0])
    # Divided by the batch size, 3, not by 2.
    np.testing.assert_allclose(result.variance, [14.0 / 3, 200.0 / 3])
    np.testing.assert_allclose(result.scale, np.sqrt(result.variance + batch_norm.EPSILON))
    np.testing.assert_allclose(result.normalized, (batch - result.mean) / result.scale)
    np.testing.assert_allclose(result.output, 2.0 * result.normalized + 1.0)
    # Over the batch, x̂ has mean 0 and (but for epsilon) variance 1.
    np.testing.assert_allclose(result.normalized.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(result.normalized.var(axis=0), 1.0, atol=1e-3)
    assert result.training is True


def test_a_batch_of_one_leaves_only_beta():
    result = batch_norm.batch_norm_training([[4.0, -2.0, 9.0]], gamma=3.0, beta=0.5)

    np.testing.assert_array_equal(result.normalized, 0.0)
    np.testing.assert_array_equal(result.output, 0.5)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("n_calls", [1, 5])
def test_moving_averages_match_keras_after_training_calls(momentum, n_calls):
    batches = [batch_norm.sample_batch(4, seed=seed) for seed in range(n_calls)]
    layer = keras_layer(gamma=np.ones(3), beta=np.zeros(3), momentum=momentum)

    for batch in batches:
        layer(batch.astype(np.float32), training=True)
    run = batch_norm.track_moving_averages(batches, momentum=momentum)

    np.testing.assert_allclose(run.moving_mean, np.asarray(layer.moving_mean), **TOLERANCE)
    np.testing.assert_allclose(run.moving_variance, np.asarray(layer.moving_variance), **TOLERANCE)
    assert run.means.shape == run.variances.shape == (n_calls + 1, 3)
    np.testing.assert_array_equal(run.means[0], 0.0)
    np.testing.assert_array_equal(run.variances[0], 1.0)


@pytest.mark.parametrize(("gamma", "beta"), GAMMAS_AND_BETAS)
def test_inference_output_matches_keras_with_the_moving_statistics(gamma, beta):
    training_batches = [batch_norm.sample_batch(8, seed=seed) for seed in range(6)]
    layer = keras_layer(gamma=gamma, beta=beta, momentum=0.8)
    for batch in training_batches:
        layer(batch.astype(np.float32), training=True)
    run = batch_norm.track_moving_averages(training_batches, momentum=0.8)
    test_batch = batch_norm.sample_batch(5, seed=99)

    result = batch_norm.batch_norm_inference(
        test_batch,
        moving_mean=run.moving_mean,
        moving_variance=run.moving_variance,
        gamma=gamma,
        beta=beta,
    )

    expected = np.asarray(layer(test_batch.astype(np.float32), training=False))
    np.testing.assert_allclose(result.output, expected, **TOLERANCE)
    assert result.training is False
    np.testing.assert_array_equal(result.mean, run.moving_mean)


def test_inference_gives_a_sample_the_same_output_in_any_batch():
    batch = batch_norm.sample_batch(6, seed=1)
    statistics = {"moving_mean": [5.0, -1.0, 0.5], "moving_variance": [4.0, 0.25, 0.09]}

    whole = batch_norm.batch_norm_inference(batch, **statistics)
    alone = batch_norm.batch_norm_inference(batch[2:3], **statistics)

    np.testing.assert_allclose(alone.output[0], whole.output[2])


def test_update_moving_follows_keras_momentum():
    assert batch_norm.update_moving(10.0, 20.0, momentum=0.99) == pytest.approx(10.1)
    assert batch_norm.update_moving(10.0, 20.0, momentum=0.0) == pytest.approx(20.0)
    assert batch_norm.update_moving(10.0, 20.0, momentum=1.0) == pytest.approx(10.0)


def test_keras_defaults_are_the_modules():
    layer = keras.layers.BatchNormalization()

    assert layer.momentum == batch_norm.MOMENTUM
    assert layer.epsilon == batch_norm.EPSILON


def test_sample_batch_is_small_rounded_and_seeded():
    batch = batch_norm.sample_batch(5, seed=7)

    assert batch.shape == (5, 3)
    np.testing.assert_array_equal(batch, np.round(batch, batch_norm.DECIMALS))
    np.testing.assert_array_equal(batch, batch_norm.sample_batch(5, seed=7))
    assert not np.array_equal(batch, batch_norm.sample_batch(5, seed=8))


def test_simulated_moving_averages_approach_the_true_statistics():
    run = batch_norm.simulate_training(steps=1000, batch_size=8, momentum=0.99, seed=0)

    true_variance = np.square(batch_norm.FEATURE_STDS)
    np.testing.assert_allclose(run.moving_mean, batch_norm.FEATURE_MEANS, rtol=0.1, atol=0.05)
    # Batches of 8 divide by 8: their variance averages 7/8 of the true one.
    np.testing.assert_allclose(run.moving_variance, true_variance * 7 / 8, rtol=0.2)
    assert run.steps == 1000


def test_simulated_training_with_no_steps_keeps_the_starting_values():
    run = batch_norm.simulate_training(steps=0, batch_size=4)

    assert run.steps == 0
    np.testing.assert_array_equal(run.moving_mean, np.zeros(3))
    np.testing.assert_array_equal(run.moving_variance, np.ones(3))


def test_small_batches_give_noisy_statistics():
    effect = batch_norm.batch_size_effect((2, 8, 64), n_batches=2000, seed=0)

    np.testing.assert_allclose(effect.mean_spread, 1 / np.sqrt([2, 8, 64]), rtol=0.1)
    np.testing.assert_allclose(effect.average_variance, [1 / 2, 7 / 8, 63 / 64], rtol=0.1)
    band = effect.sample_high - effect.sample_low
    assert band[0] > band[1] > band[2]
    assert effect.sample_median[-1] == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: batch_norm.batch_norm_training([1.0, 2.0]), "shape \\(batch_size, features\\)"),
        (lambda: batch_norm.batch_norm_training(np.zeros((0, 3))), "at least one sample"),
        (lambda: batch_norm.batch_norm_training([[1.0, np.nan]]), "finite numbers"),
        (lambda: batch_norm.batch_norm_training([["a", "b"]]), "array of numbers"),
        (
            lambda: batch_norm.batch_norm_training([[1.0, 2.0]], gamma=[1.0, 2.0, 3.0]),
            "`gamma` must be a number or one number per feature \\(2\\)",
        ),
        (
            lambda: batch_norm.batch_norm_training([[1.0]], epsilon=0.0),
            "`epsilon` must be a finite number above 0",
        ),
        (
            lambda: batch_norm.batch_norm_inference([[1.0]], moving_mean=0.0, moving_variance=-1.0),
            "`moving_variance` must be at least 0",
        ),
        (
            lambda: batch_norm.update_moving(0.0, 1.0, momentum=1.5),
            "`momentum` must be a number at least 0 and at most 1",
        ),
        (
            lambda: batch_norm.track_moving_averages([np.ones((2, 3)), np.ones((2, 2))]),
            "same number of features",
        ),
        (lambda: batch_norm.sample_batch(0), "The batch size must be an integer of at least 1"),
        (lambda: batch_norm.sample_batch(4, seed=-1), "Received: seed=-1"),
        (lambda: batch_norm.simulate_training(steps=-1, batch_size=4), "Received: steps=-1"),
        (lambda: batch_norm.batch_size_effect(()), "non-empty sequence of ints"),
        (lambda: batch_norm.batch_size_effect((2, 0)), "Each batch size must be an integer"),
        (lambda: batch_norm.batch_size_effect(n_batches=1), "Received: n_batches=1"),
    ],
)
def test_bad_arguments_are_refused_with_what_was_received(call, message):
    with pytest.raises(ValueError, match=message):
        call()
