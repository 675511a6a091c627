"""Tests for dlcore.figures.devices: the same training's speed on each device."""

import pytest

from dlcore.figures.devices import CPU_COLOR, GPU_COLOR, device_speed_figure


def test_one_bar_per_run_in_each_panel_labelled_with_its_value():
    figure = device_speed_figure(["CPU", "GPU:0"], [12000.0, 250000.0], [0.5, 0.024])
    speeds, epochs = figure.data
    assert list(speeds.y) == list(epochs.y) == ["CPU", "GPU:0"]
    assert list(speeds.text) == ["12,000", "250,000"]
    assert list(epochs.text) == ["0.5 s", "0.024 s"]
    assert list(speeds.marker.color) == [CPU_COLOR, GPU_COLOR]
    # Room beyond the longest bar for its value.
    assert figure.layout.xaxis.range[1] > 250000 and figure.layout.xaxis2.range[1] > 0.5


def test_mismatched_figures_are_refused():
    with pytest.raises(ValueError, match="one speed and one epoch time per label"):
        device_speed_figure(["CPU"], [1.0, 2.0], [1.0])
