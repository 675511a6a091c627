"""Tests for dlcore.trainers.gan: config checks, data and its split, networks, the
discriminator's map, training that brings the generated points closer to the target,
early stopping, the test scores, mode collapse, export; and dlcore.figures.gan."""

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from dlcore.data import gan_targets
from dlcore.figures import gan as gan_figures
from dlcore.trainers import gan
from dlcore.trainers.gan import Config
from dlcore.training.history import History

STEPS = 1000
EPOCHS = STEPS // Config().steps_per_epoch


def networks(config):
    """The configured generator and discriminator, as `build_model` builds them."""
    model = gan.build_model(config, gan.load_data(config))
    return model.generator, model.discriminator


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"target": "circle"}, "Unknown target.*Received: target='circle'"),
        ({"noise_dim": 0}, "noise_dim.*Received: noise_dim=0"),
        ({"generator_layers": 0}, "generator_layers.*Received: generator_layers=0"),
        ({"generator_units": 0}, "passes nothing on.*Received: generator_units=0"),
        ({"discriminator_layers": 0}, "Received: discriminator_layers=0"),
        ({"discriminator_units": -1}, "Received: discriminator_units=-1"),
        ({"d_steps": 0}, "at least once per step.*Received: d_steps=0"),
        ({"g_steps": 0}, "Received: g_steps=0"),
        ({"n_samples": 0}, "Received: n_samples=0"),
        ({"n_samples": 2}, "Too few points: 2 split 0 for training"),
        ({"test_fraction": 1.0}, "test share.*Received: test_fraction=1.0"),
        ({"validation_fraction": 0.0}, "validation share.*Received: validation_fraction=0.0"),
        ({"steps_per_epoch": 30}, r"multiple of 25.*Received: steps_per_epoch=30"),
        ({"steps_per_epoch": 0}, "Received: steps_per_epoch=0"),
        ({"generator_learning_rate": 0.0}, "generator_learning_rate.*> 0"),
        ({"discriminator_learning_rate": math.inf}, "discriminator_learning_rate.*> 0"),
        ({"batch_size": 2000}, "more real points than there are.*Received: batch_size=2000"),
        # 1000 points leave 600 for training.
        ({"batch_size": 601}, "from 1 to the 600 training points.*Received: batch_size=601"),
        ({"batch_size": 0}, "Received: batch_size=0"),
        ({"seed": "0"}, "seed.*Received: seed='0'"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        Config(**changes).validate()


def test_default_config_is_valid_and_frozen():
    config = Config()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.noise_dim = 3  # type: ignore[misc]


@pytest.mark.parametrize(("target", "n_modes"), [("ring", 8), ("grid", 25), ("spiral", None)])
def test_load_data_draws_the_target_with_the_seed_and_splits_it(target, n_modes):
    config = Config(target=target, n_samples=300, seed=4)
    data = gan.load_data(config)
    assert data.x_train.shape == (180, 2) and data.x_train.dtype == np.float32
    assert data.x_val.shape == data.x_test.shape == (60, 2)
    points = np.concatenate([data.x_train, data.x_val, data.x_test])
    assert np.abs(points).max() < gan.EXTENT
    assert (data.modes is None) == (n_modes is None)
    if n_modes is not None:
        assert data.modes.shape == (n_modes, 2)
        # Each point's y is the mode it was drawn around, a few spreads away at most.
        nearest = data.modes[data.y_train]
        assert np.linalg.norm(data.x_train - nearest, axis=1).max() < 0.3
    else:
        assert not data.y_train.any()
    assert data.labels == () and data.preprocessing["noise_dim"] == config.noise_dim
    expected = gan_targets.GAN_TARGETS[target](300, seed=4).data
    order = np.lexsort(points.T)
    np.testing.assert_array_equal(points[order], expected[np.lexsort(expected.T)])
    again = gan.load_data(config)
    np.testing.assert_array_equal(again.x_test, data.x_test)


def test_networks_have_the_configured_layers_shapes_and_seeds():
    config = Config(noise_dim=3, generator_layers=3, generator_units=16, discriminator_units=8)
    generator, discriminator = networks(config)
    assert generator.input_shape == (None, 3) and generator.output_shape == (None, 2)
    assert [layer.units for layer in generator.layers[1:]] == [16, 16, 16, 2]
    assert discriminator.input_shape == (None, 2) and discriminator.output_shape == (None, 1)
    assert [layer.units for layer in discriminator.layers[1:]] == [8, 8, 1]
    again, _ = networks(config)
    for left, right in zip(generator.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    other, _ = networks(Config(noise_dim=3, generator_layers=3, seed=1))
    assert not np.allclose(other.get_weights()[0][:, :16], generator.get_weights()[0])


def test_discriminator_map_is_the_discriminators_output_on_the_grid_points():
    _, discriminator = networks(Config())
    grid, probabilities = gan.discriminator_map(discriminator, grid_size=7)
    assert grid.shape == (7,) and probabilities.shape == (7, 7)
    assert grid[0] == -gan.EXTENT and grid[-1] == gan.EXTENT
    # Row 1 is x2 = grid[1] = -2, column 5 is x1 = grid[5] = 2.
    logit = float(np.asarray(discriminator(np.array([[2.0, -2.0]], np.float32)))[0, 0])
    assert probabilities[1, 5] == pytest.approx(1.0 / (1.0 + math.exp(-logit)), abs=1e-6)
    x1, x2 = np.meshgrid(grid, grid)
    logits = np.asarray(discriminator(np.column_stack([x1.ravel(), x2.ravel()])))
    np.testing.assert_allclose(probabilities.ravel(), 1 / (1 + np.exp(-logits[:, 0])), atol=1e-6)
    with pytest.raises(ValueError, match="grid_size=1"):
        gan.discriminator_map(discriminator, grid_size=1)


def test_snapshot_measures_the_fixed_noise_points_against_the_validation_points():
    config = Config(n_samples=400)
    data = gan.load_data(config)
    model = gan.build_model(config, data)
    first = gan.snapshot(model, data, grid_size=10)
    second = gan.snapshot(model, data, grid_size=10)
    np.testing.assert_array_equal(first.generated, second.generated)
    assert first.generated.shape == (240, 2)  # as many as the training points
    assert first.discriminator_map.shape == (10, 10)
    assert first.distance == pytest.approx(
        gan_targets.sliced_wasserstein(first.generated, data.x_val)
    )
    assert first.coverage == gan_targets.mode_coverage(
        first.generated, data.modes, radius=gan.COVERAGE_RADIUS
    )
    spiral = Config(target="spiral", n_samples=400)
    spiral_data = gan.load_data(spiral)
    assert gan.snapshot(gan.build_model(spiral, spiral_data), spiral_data).coverage is None


@pytest.fixture(scope="module")
def ring_run():
    """The default GAN on the ring, trained once for the tests below."""
    config = Config()
    data = gan.load_data(config)
    model = gan.build_model(config, data)
    before = gan.snapshot(model, data)
    reports = []
    result = gan.fit(model, data, config, epochs=EPOCHS, on_epoch=reports.append)
    return config, data, model, before, result, reports


def test_training_brings_the_generated_points_closer_to_the_target(ring_run):
    _, data, model, before, result, _ = ring_run
    after = gan.snapshot(model, data)
    distance = result.history.metrics["val_sliced_wasserstein"]
    assert after.distance < 0.5 * before.distance, distance
    assert after.coverage > before.coverage
    assert distance[-1] == after.distance
    assert result.history.last("val_modes_covered") == after.coverage


def test_reports_come_every_epoch_of_steps_with_weights_that_restore(ring_run):
    config, data, model, _, result, reports = ring_run
    assert isinstance(result.history, History) and result.history.unit == "step"
    assert [report.epoch for report in reports] == list(range(100, STEPS + 1, 100))
    assert result.history.epochs == [report.epoch for report in reports]
    assert all(report.final_epoch == STEPS for report in reports)
    assert result.epochs_run == EPOCHS and not result.stopped and not result.stopped_early
    assert reports[-1].snapshot.distance == result.history.last("val_sliced_wasserstein")
    metrics = result.history.metrics
    losses = metrics["generator_loss"] + metrics["discriminator_loss"]
    assert all(math.isfinite(loss) and loss > 0 for loss in losses)
    # "loss" is the two losses summed, as Keras sums the losses of several outputs.
    np.testing.assert_allclose(
        metrics["loss"],
        np.add(metrics["generator_loss"], metrics["discriminator_loss"]),
        rtol=1e-5,
    )
    assert not any(name.startswith("test_") for name in metrics)
    clone = gan.build_model(config, data)
    clone.set_weights(reports[-1].weights)
    noise = np.random.default_rng(0).standard_normal((5, config.noise_dim), dtype=np.float32)
    np.testing.assert_allclose(clone.generator(noise), model.generator(noise), rtol=1e-6)


def test_stop_ends_after_an_epoch_and_training_continues_the_history():
    config = Config(n_samples=256, batch_size=64, steps_per_epoch=50)
    data = gan.load_data(config)
    model = gan.build_model(config, data)
    result = gan.fit(model, data, config, epochs=20, stop=lambda: True)
    assert result.stopped and result.history.epochs == [50]
    more = gan.fit(model, data, config, epochs=2, history=result.history)
    assert more.history.epochs == [50, 100, 150] and more.epochs_run == 2
    assert more.epochs_run * config.steps_per_epoch == 100


def test_fit_rejects_no_epochs():
    config = Config(n_samples=256)
    data = gan.load_data(config)
    model = gan.build_model(config, data)
    with pytest.raises(ValueError, match="epochs=0"):
        gan.fit(model, data, config, epochs=0)
    with pytest.raises(ValueError, match="patience=0"):
        gan.fit(model, data, config, epochs=1, patience=0)


def test_early_stopping_watches_the_validation_distance_and_keeps_the_best_step():
    # A generator far too fast for its discriminator: the distance soon stops falling.
    config = Config(generator_learning_rate=0.03, g_steps=3, steps_per_epoch=25)
    data = gan.load_data(config)
    model = gan.build_model(config, data)
    result = gan.fit(model, data, config, epochs=40, patience=2)
    distance = result.history.metrics["val_sliced_wasserstein"]
    assert result.stopped_early and result.epochs_run < 40, distance
    best = result.history.epochs[int(np.argmin(distance))]
    assert result.best_epoch == best == result.history.best("val_sliced_wasserstein")
    assert gan.snapshot(model, data).distance == pytest.approx(min(distance))


def test_evaluate_measures_the_test_points_once(ring_run):
    _, data, model, _, result, _ = ring_run
    scores = gan.evaluate(model, data)
    assert set(scores) == {"test_sliced_wasserstein", "test_modes_covered"}
    generated = gan.snapshot(model, data).generated
    assert scores["test_sliced_wasserstein"] == pytest.approx(
        gan_targets.sliced_wasserstein(generated, data.x_test)
    )
    assert scores["test_modes_covered"] == result.history.last("val_modes_covered")
    assert gan.exported_model(model) is model.generator
    spiral = Config(target="spiral", n_samples=200, batch_size=64)
    spiral_data = gan.load_data(spiral)
    assert set(gan.evaluate(gan.build_model(spiral, spiral_data), spiral_data)) == {
        "test_sliced_wasserstein"
    }


def test_a_fast_generator_collapses_onto_few_modes(ring_run):
    _, _, _, _, balanced, _ = ring_run
    config = Config(generator_learning_rate=0.005, g_steps=3)
    data = gan.load_data(config)
    collapsed = gan.fit(gan.build_model(config, data), data, config, epochs=EPOCHS)
    collapsed_coverage = collapsed.history.metrics["val_modes_covered"]
    balanced_coverage = balanced.history.metrics["val_modes_covered"]
    assert max(collapsed_coverage) <= 0.5, collapsed_coverage
    assert balanced_coverage[-1] >= 0.75, balanced_coverage


@pytest.mark.parametrize("target", gan.TARGETS)
def test_exported_code_draws_the_same_points_and_builds_the_same_networks(target):
    config = Config(target=target, n_samples=200, seed=7, noise_dim=3, batch_size=64)
    namespace = {"__name__": "exported"}
    exec(compile(gan.export_code(config), "exported", "exec"), namespace)
    points, modes = namespace["make_target"]()
    data = gan.load_data(config)
    assert points.shape == (200, 2)
    parts = namespace["split"](points)
    for part, expected in zip(parts, (data.x_train, data.x_val, data.x_test), strict=True):
        np.testing.assert_allclose(part, expected, atol=1e-6)
    if data.modes is None:
        assert modes is None
    else:
        np.testing.assert_allclose(modes, data.modes, atol=1e-6)
    generator = namespace["_mlp"](3, 2, 64, n_outputs=2, activation="relu", seed=7, name="g")
    for left, right in zip(generator.get_weights(), networks(config)[0].get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    exported = namespace["make_gan"](3, 2, 64, 2, 64, seed=7)
    built = gan.build_model(config, data)
    for left, right in zip(exported.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.slow
def test_exported_code_runs_on_its_own(tmp_path):
    code = gan.export_code(Config(target="ring"))
    assert "dlcore" not in code
    script = tmp_path / "gan.py"
    script.write_text(code)
    completed = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", "generator.keras"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    distance = re.search(r"Test distance to the target: (\d+\.\d{4})", completed.stdout)
    coverage = re.search(r"Test modes covered: (\d\.\d{4})", completed.stdout)
    assert distance and coverage, completed.stdout[-2000:]
    assert 0 <= float(coverage.group(1)) <= 1
    assert completed.stdout.count("val distance to the target") == 1  # one epoch
    assert (tmp_path / "generator.keras").stat().st_size > 0


def test_gan_figure_draws_the_map_and_both_clouds(ring_run):
    _, data, model, _, _, _ = ring_run
    current = gan.snapshot(model, data)
    figure = gan_figures.gan_figure(
        data.x_train, current.generated, current.grid, current.discriminator_map
    )
    heatmap, real, generated = figure.data
    assert heatmap.type == "heatmap" and (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)
    np.testing.assert_allclose(heatmap.z, current.discriminator_map)
    np.testing.assert_allclose(heatmap.x, current.grid)
    np.testing.assert_allclose(real.x, data.x_train[:, 0])
    np.testing.assert_allclose(generated.y, current.generated[:, 1])
    assert list(figure.layout.xaxis.range) == [-gan.EXTENT, gan.EXTENT]
    with pytest.raises(ValueError, match="shape"):
        gan_figures.gan_figure(data.x_train, current.generated, current.grid, np.zeros((3, 3)))


def test_progress_figure_draws_losses_distance_and_coverage(ring_run):
    _, _, _, _, result, _ = ring_run
    history = result.history
    figure = gan_figures.progress_figure(
        history.epochs,
        history.metrics["generator_loss"],
        history.metrics["discriminator_loss"],
        history.metrics["val_sliced_wasserstein"],
        history.metrics["val_modes_covered"],
    )
    names = [trace.name for trace in figure.data]
    assert names == [
        "generator loss",
        "discriminator loss",
        "distance to target",
        "modes covered (%)",
    ]
    np.testing.assert_allclose(figure.data[2].y, history.metrics["val_sliced_wasserstein"])
    np.testing.assert_allclose(
        figure.data[3].y, 100 * np.asarray(history.metrics["val_modes_covered"])
    )
    no_modes = gan_figures.progress_figure([1], [0.7], [1.3], [0.5], [None])
    assert len(no_modes.data) == 3
    with pytest.raises(ValueError, match="one value per report"):
        gan_figures.progress_figure([1, 2], [0.7], [1.3], [0.5])
