"""dlcore.figures.video_analysis: what a video model sees over a clip, named for a person."""

import numpy as np
import pytest

from dlcore.figures.video_analysis import timeline_figure


def test_the_timeline_draws_one_line_per_class_named_for_a_person():
    figure = timeline_figure(
        [1.0, 1.5, 2.0],
        [[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]],
        ["zoom_in", "zoom_out"],
        segments=[("zoom_in", 0.0, 1.2), (None, 1.2, 2.2)],
    )
    assert [trace.name for trace in figure.data] == ["zoom in", "zoom out"]
    np.testing.assert_allclose(figure.data[1].y, [10.0, 50.0, 80.0])
    assert [band.text for band in figure.layout.annotations] == ["zoom in", "other"]


def test_the_timeline_refuses_probabilities_of_another_shape():
    with pytest.raises(ValueError):
        timeline_figure([1.0, 1.5], [[0.9, 0.1]], ["left", "right"])
