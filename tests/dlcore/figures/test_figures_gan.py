import types

import numpy as np

from dlcore.figures.gan import gan_figure, history_progress_figure, progress_figure, snapshot_figure
from dlcore.training.history import History


def test_a_snapshot_is_drawn_as_its_points_over_its_map():
    rng = np.random.default_rng(0)
    snapshot = types.SimpleNamespace(
        generated=rng.normal(size=(5, 2)),
        grid=np.linspace(-1, 1, 4),
        discriminator_map=rng.random((4, 4)),
    )
    real = rng.normal(size=(6, 2))
    figure = snapshot_figure(real, snapshot, title="Now")
    expected = gan_figure(
        real, snapshot.generated, snapshot.grid, snapshot.discriminator_map, title="Now"
    )
    assert figure.to_json() == expected.to_json()


def test_the_progress_of_a_history_is_its_losses_and_distance():
    history = History(unit="step")
    for step, (g, d, w) in enumerate([(1.0, 0.7, 0.5), (0.9, 0.6, 0.3)], start=1):
        history.append(
            step,
            {"generator_loss": g, "discriminator_loss": d, "val_sliced_wasserstein": w},
        )
    figure = history_progress_figure(history)
    expected = progress_figure([1, 2], [1.0, 0.9], [0.7, 0.6], [0.5, 0.3], None)
    assert figure.to_json() == expected.to_json()
