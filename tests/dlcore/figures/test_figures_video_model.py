import numpy as np
import pytest

from dlcore.figures.video_model import clips_figure


def test_each_clip_is_a_row_titled_over_its_first_frame():
    clips = np.random.default_rng(0).random((2, 3, 8, 8, 3), dtype=np.float32)
    figure = clips_figure(clips, ["left", "up"], title="Two clips")
    titles = [annotation.text for annotation in figure.layout.annotations if annotation.text]
    assert titles[:2] == ["left", "up"]
    assert figure.layout.title.text == "Two clips"


def test_clips_need_one_title_each():
    with pytest.raises(ValueError, match="one title per clip"):
        clips_figure(np.zeros((2, 3, 8, 8, 1)), ["left"], title="")


def test_a_mistake_is_titled_true_then_predicted_with_its_confidence():
    from dlcore.figures.video_model import mistakes_figure

    clips = np.zeros((1, 2, 8, 8, 3), dtype=np.float32)
    figure = mistakes_figure(clips, [0], [2], [0.9], ["left", "right", "up"])
    assert figure.layout.annotations[0].text == "left → up (90%)"


def test_a_mistake_reads_its_classes_as_words_and_starts_at_the_left_edge():
    from dlcore.figures.video_model import mistakes_figure

    clips = np.zeros((2, 3, 8, 8, 3), dtype=np.float32)
    figure = mistakes_figure(clips, [0, 1], [1, 0], [0.99, 0.8], ["right", "zoom_in"])
    captions = [annotation for annotation in figure.layout.annotations if annotation.text]
    assert [caption.text for caption in captions] == [
        "right → zoom in (99%)",
        "zoom in → right (80%)",
    ]
    # Centred over a frame narrower than itself, a caption would lose its first letters
    # past the figure's edge ("ht → zoom_in"): it starts at the left edge instead.
    assert all(caption.x == 0 and caption.xanchor == "left" for caption in captions)


def test_feature_maps_have_no_stray_ticks_and_readable_captions():
    from dlcore.figures.video_model import feature_map_figure

    figure = feature_map_figure(np.ones((3, 4, 4)), title="Filter 1")
    assert all(axis.ticks == "" for axis in figure.select_xaxes())
    assert all(axis.ticks == "" for axis in figure.select_yaxes())
    assert all(annotation.font.size >= 14 for annotation in figure.layout.annotations)
