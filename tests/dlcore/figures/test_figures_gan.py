import types

import numpy as np

from dlcore.figures.gan import gan_figure, history_progress_figure, progress_figure, snapshot_figure
from dlcore.figures.style import BASE_FONT_SIZE, max_line_characters, title_font_size
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


def axis_title(figure, axis_name: str) -> str:
    """The title of the y axis a trace names ("y3"), as layout key "yaxis3"."""
    return figure.layout[axis_name.replace("y", "yaxis")].title.text


def test_each_progress_axis_is_titled_for_the_line_it_carries():
    figure = progress_figure([1, 2], [1.0, 0.9], [0.7, 0.6], [0.5, 0.3], [0.25, 0.75])
    titles = {trace.name: axis_title(figure, trace.yaxis) for trace in figure.data}
    assert titles["generator loss"] == "loss"
    assert titles["distance to target"] == "sliced Wasserstein distance"
    assert titles["modes covered (%)"] == "modes covered (%)"
    coverage = next(trace for trace in figure.data if trace.name == "modes covered (%)")
    assert figure.layout[coverage.yaxis.replace("y", "yaxis")].side == "right"


def test_the_progress_legend_sits_above_the_plots():
    figure = progress_figure([1, 2], [1.0, 0.9], [0.7, 0.6], [0.5, 0.3])
    legend = figure.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    # Its top edge in the margin above the plot; the x axis titles are below it.
    assert (1 - legend.y) * figure.layout.height < figure.layout.margin.t
    assert figure.layout.xaxis.title.text == figure.layout.xaxis2.title.text == "step"


def test_a_long_title_over_the_points_is_wrapped_not_cut():
    grid = np.linspace(-1, 1, 3)
    title = "Real points and the untrained generator's points over the discriminator's map"
    figure = gan_figure(np.zeros((2, 2)), np.ones((2, 2)), grid, np.zeros((3, 3)), title=title)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) > 1
    assert " ".join(lines) == title
    limit = max_line_characters(title_font_size(BASE_FONT_SIZE))
    assert all(len(line) <= limit for line in lines)
