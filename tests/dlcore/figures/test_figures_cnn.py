import numpy as np

from dlcore.figures.cnn import prediction_figure


def test_the_prediction_is_the_most_probable_class_with_its_probability():
    image = np.zeros((8, 8, 1), dtype=np.float32)
    figure = prediction_figure(image, [0.1, 0.7, 0.2], true_label="two", labels=["a", "b", "c"])
    assert figure.layout.title.text == "Predicted: b (70%)"
    assert figure.layout.annotations[0].text == "true two"
