"""Tests for dlcore.trainers.gan: config checks, data, networks, the discriminator's map, training
that brings the generated points closer to the target, mode collapse, export; and
dlcore.figures.gan."""

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
from dlcore.trainers.gan import GANConfig

STEPS = 1000


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
        ({"generator_learning_rate": 0.0}, "generator_learning_rate.*> 0"),
        ({"discriminator_learning_rate": math.inf}, "discriminator_learning_rate.*> 0"),
        ({"batch_size": 2000}, "more real points than there are.*Received: batch_size=2000"),
        ({"batch_size": 0}, "Received: batch_size=0"),
        ({"seed": "0"}, "seed.*Received: seed='0'"),
    ],
)
def test_validate_rejects_impossible_settings(changes, match):
    with pytest.raises(ValueError, match=match):
        GANConfig(**changes).validate()


def test_default_config_is_valid_and_frozen():
    config = GANConfig()
    assert config.validate() is config
    with pytest.raises(AttributeError):
        config.noise_dim = 3  # type: ignore[misc]


@pytest.mark.parametrize(("target", "n_modes"), [("ring", 8), ("grid", 25), ("spiral", None)])
def test_make_data_draws_the_target_with_the_seed(target, n_modes):
    config = GANConfig(target=target, n_samples=300, seed=4)
    data = gan.make_data(config)
    assert data.points.shape == (300, 2) and data.points.dtype == np.float32
    assert np.abs(data.points).max() < gan.EXTENT
    assert (data.modes is None) == (n_modes is None)
    if n_modes is not None:
        assert data.modes.shape == (n_modes, 2)
    expected = gan_targets.GAN_TARGETS[target](300, seed=4).data
    np.testing.assert_array_equal(data.points, expected)


def test_networks_have_the_configured_layers_shapes_and_seeds():
    config = GANConfig(noise_dim=3, generator_layers=3, generator_units=16, discriminator_units=8)
    generator = gan.build_generator(config)
    discriminator = gan.build_discriminator(config)
    assert generator.input_shape == (None, 3) and generator.output_shape == (None, 2)
    assert [layer.units for layer in generator.layers[1:]] == [16, 16, 16, 2]
    assert discriminator.input_shape == (None, 2) and discriminator.output_shape == (None, 1)
    assert [layer.units for layer in discriminator.layers[1:]] == [8, 8, 1]
    again = gan.build_generator(config)
    for left, right in zip(generator.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    other = gan.build_generator(GANConfig(noise_dim=3, generator_layers=3, seed=1))
    assert not np.allclose(other.get_weights()[0][:, :16], generator.get_weights()[0])


def test_discriminator_map_is_the_discriminators_output_on_the_grid_points():
    discriminator = gan.build_discriminator(GANConfig())
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


def test_snapshot_measures_the_fixed_noise_points_against_the_target():
    config = GANConfig(n_samples=400)
    data = gan.make_data(config)
    model = gan.build_gan(config)
    first = gan.snapshot(model, data, config, grid_size=10)
    second = gan.snapshot(model, data, config, grid_size=10)
    np.testing.assert_array_equal(first.generated, second.generated)
    assert first.generated.shape == (400, 2)
    assert first.discriminator_map.shape == (10, 10)
    assert first.distance == pytest.approx(
        gan_targets.sliced_wasserstein(first.generated, data.points)
    )
    assert first.coverage == gan_targets.mode_coverage(
        first.generated, data.modes, radius=gan.COVERAGE_RADIUS
    )
    spiral = GANConfig(target="spiral", n_samples=400)
    assert gan.snapshot(gan.build_gan(spiral), gan.make_data(spiral), spiral).coverage is None


@pytest.fixture(scope="module")
def ring_run():
    """The default GAN on the ring, trained once for the tests below."""
    config = GANConfig()
    data = gan.make_data(config)
    model = gan.build_gan(config)
    before = gan.snapshot(model, data, config)
    reports = []
    result = gan.train_gan(model, data, config, steps=STEPS, on_report=reports.append)
    return config, data, model, before, result, reports


def test_training_brings_the_generated_points_closer_to_the_target(ring_run):
    _, _, _, before, result, _ = ring_run
    assert result.snapshot.distance < 0.5 * before.distance, result.history.distance
    assert result.snapshot.coverage > before.coverage
    assert result.history.distance[-1] == result.snapshot.distance


def test_reports_come_every_report_every_steps_with_weights_that_restore(ring_run):
    config, _, model, _, result, reports = ring_run
    assert [report.step for report in reports] == list(range(100, STEPS + 1, 100))
    assert result.history.steps == [report.step for report in reports]
    assert all(report.final_step == STEPS for report in reports)
    assert result.steps == STEPS and not result.stopped
    losses = result.history.generator_loss + result.history.discriminator_loss
    assert all(math.isfinite(loss) and loss > 0 for loss in losses)
    clone = gan.build_gan(config)
    clone.set_weights(reports[-1].weights)
    noise = np.random.default_rng(0).standard_normal((5, config.noise_dim), dtype=np.float32)
    np.testing.assert_allclose(clone.generator(noise), model.generator(noise), rtol=1e-6)


def test_should_stop_ends_at_a_report_and_training_continues_the_history():
    config = GANConfig(n_samples=256, batch_size=64)
    data = gan.make_data(config)
    model = gan.build_gan(config)
    result = gan.train_gan(
        model, data, config, steps=1000, report_every=50, should_stop=lambda: True
    )
    assert result.stopped and result.history.steps == [50]
    more = gan.train_gan(model, data, config, steps=60, report_every=50, history=result.history)
    assert more.history.steps == [50, 100, 150] and more.steps == 100


def test_train_gan_rejects_a_report_interval_that_splits_a_compiled_call():
    config = GANConfig(n_samples=256)
    model = gan.build_gan(config)
    with pytest.raises(ValueError, match=r"multiple of 25.*report_every=30"):
        gan.train_gan(model, gan.make_data(config), config, steps=100, report_every=30)
    with pytest.raises(ValueError, match="steps=0"):
        gan.train_gan(model, gan.make_data(config), config, steps=0)


def test_a_fast_generator_collapses_onto_few_modes(ring_run):
    _, _, _, _, balanced, _ = ring_run
    config = GANConfig(generator_learning_rate=0.005, g_steps=3)
    data = gan.make_data(config)
    collapsed = gan.train_gan(gan.build_gan(config), data, config, steps=STEPS)
    assert max(collapsed.history.coverage) <= 0.5, collapsed.history.coverage
    assert balanced.history.coverage[-1] >= 0.75, balanced.history.coverage


@pytest.mark.parametrize("target", gan.TARGETS)
def test_exported_code_draws_the_same_points_and_builds_the_same_networks(target):
    config = GANConfig(target=target, n_samples=200, seed=7, noise_dim=3)
    namespace = {"__name__": "exported"}
    exec(compile(gan.export_code(config), "exported", "exec"), namespace)
    points, modes = namespace["make_target"]()
    data = gan.make_data(config)
    np.testing.assert_allclose(points, data.points, atol=1e-6)
    if data.modes is None:
        assert modes is None
    else:
        np.testing.assert_allclose(modes, data.modes, atol=1e-6)
    generator = namespace["_mlp"](3, 2, 64, n_outputs=2, activation="relu", seed=7, name="g")
    for left, right in zip(
        generator.get_weights(), gan.build_generator(config).get_weights(), strict=True
    ):
        np.testing.assert_array_equal(left, right)


@pytest.mark.slow
def test_exported_code_runs_on_its_own(tmp_path):
    code = gan.export_code(GANConfig(target="ring"))
    assert "dlcore" not in code
    script = tmp_path / "gan.py"
    script.write_text(code)
    completed = subprocess.run(
        [sys.executable, str(script), "--steps", "100"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    distance = re.search(r"Distance to the target: (\d+\.\d{4})", completed.stdout)
    coverage = re.search(r"Modes covered: (\d\.\d{4})", completed.stdout)
    assert distance and coverage, completed.stdout[-2000:]
    assert 0 <= float(coverage.group(1)) <= 1
    assert (tmp_path / "gan_generator.keras").stat().st_size > 0


def test_gan_figure_draws_the_map_and_both_clouds(ring_run):
    _, data, _, _, result, _ = ring_run
    current = result.snapshot
    figure = gan_figures.gan_figure(
        data.points, current.generated, current.grid, current.discriminator_map
    )
    heatmap, real, generated = figure.data
    assert heatmap.type == "heatmap" and (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)
    np.testing.assert_allclose(heatmap.z, current.discriminator_map)
    np.testing.assert_allclose(heatmap.x, current.grid)
    np.testing.assert_allclose(real.x, data.points[:, 0])
    np.testing.assert_allclose(generated.y, current.generated[:, 1])
    assert list(figure.layout.xaxis.range) == [-gan.EXTENT, gan.EXTENT]
    with pytest.raises(ValueError, match="shape"):
        gan_figures.gan_figure(data.points, current.generated, current.grid, np.zeros((3, 3)))


def test_progress_figure_draws_losses_distance_and_coverage(ring_run):
    _, _, _, _, result, _ = ring_run
    history = result.history
    figure = gan_figures.progress_figure(
        history.steps,
        history.generator_loss,
        history.discriminator_loss,
        history.distance,
        history.coverage,
    )
    names = [trace.name for trace in figure.data]
    assert names == [
        "generator loss",
        "discriminator loss",
        "distance to target",
        "modes covered (%)",
    ]
    np.testing.assert_allclose(figure.data[2].y, history.distance)
    np.testing.assert_allclose(figure.data[3].y, 100 * np.asarray(history.coverage))
    no_modes = gan_figures.progress_figure([1], [0.7], [1.3], [0.5], [None])
    assert len(no_modes.data) == 3
    with pytest.raises(ValueError, match="one value per report"):
        gan_figures.progress_figure([1, 2], [0.7], [1.3], [0.5])
