import numpy as np

from dlcore.figures.cnn import (
    feature_maps_figure,
    filters_figure,
    misclassified_figure,
    prediction_figure,
)


def test_the_prediction_is_the_most_probable_class_with_its_probability():
    image = np.zeros((8, 8, 1), dtype=np.float32)
    figure = prediction_figure(image, [0.1, 0.7, 0.2], true_label="two", labels=["a", "b", "c"])
    assert figure.layout.title.text == "Predicted: b (70%)"
    assert figure.layout.annotations[0].text == "true two"


def test_picture_grids_have_no_stray_ticks_and_captions_that_read():
    rng = np.random.default_rng(0)
    figure = misclassified_figure(
        rng.random((3, 8, 8, 1)), [9, 8, 3], [5, 1, 8], [0.95, 0.84, 0.81], list("0123456789")
    )
    for axis in [*figure.select_xaxes(), *figure.select_yaxes()]:
        assert axis.ticks == "" and axis.showline is False and axis.showticklabels is False
    captions = [annotation for annotation in figure.layout.annotations if annotation.text]
    assert captions[0].text == "9 → 5<br>(95%)"
    assert all(caption.font.size >= 14 for caption in captions)


def test_greyscale_filters_keep_one_colour_scale_that_says_what_it_shows():
    weights = np.random.default_rng(0).normal(size=(4, 3, 3, 1))
    figure = filters_figure(weights)
    shown = [trace for trace in figure.data if trace.showscale]
    assert len(shown) == 1
    assert shown[0].colorbar.title.text == "weight"
    assert list(shown[0].colorbar.ticktext) == ["−largest", "0", "+largest"]
    # Each filter on its own scale, centred on 0, its weights as they are.
    for trace, weight in zip(figure.data, weights[..., 0], strict=True):
        np.testing.assert_array_equal(np.asarray(trace.z), weight)
        assert trace.zmax == -trace.zmin == np.abs(weight).max()


def test_feature_maps_keep_one_colour_scale_from_lowest_to_highest():
    maps = np.random.default_rng(0).random((6, 6, 3)) * 5.0
    figure = feature_maps_figure("relu_1", maps)
    shown = [trace for trace in figure.data if trace.showscale]
    assert len(shown) == 1
    assert list(shown[0].colorbar.ticktext) == ["lowest", "highest"]
    for index, trace in enumerate(figure.data):
        np.testing.assert_array_equal(np.asarray(trace.z), maps[..., index])
        assert (trace.zmin, trace.zmax) == (maps[..., index].min(), maps[..., index].max())
