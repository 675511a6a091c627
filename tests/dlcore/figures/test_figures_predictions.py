"""The confidence bars every try-it page shows."""

import numpy as np
import pytest
from helpers import plotly_array

from dlcore.figures.predictions import confidence_figure, top_classes


def test_top_classes_are_the_most_likely_first_with_ties_in_label_order():
    probabilities = [0.1, 0.3, 0.3, 0.05, 0.25]
    assert top_classes(probabilities, list("abcde"), top_k=3) == [
        ("b", 0.3),
        ("c", 0.3),
        ("e", 0.25),
    ]
    assert len(top_classes(probabilities, list("abcde"), top_k=10)) == 5


def test_top_classes_refuse_a_mismatch_and_a_bad_k():
    with pytest.raises(ValueError, match="one probability per label"):
        top_classes([0.5, 0.5], ["a", "b", "c"])
    with pytest.raises(ValueError, match="top_k"):
        top_classes([0.5, 0.5], ["a", "b"], top_k=0)


def test_digit_labels_are_categories_in_percent_top_one_first():
    probabilities = np.zeros(10)
    probabilities[[7, 2, 1]] = [0.9, 0.06, 0.04]
    figure = confidence_figure(probabilities, [str(digit) for digit in range(10)], top_k=3)
    bars = figure.data[0]
    assert list(bars.y) == ["7", "2", "1"]
    np.testing.assert_allclose(plotly_array(bars.x), [90.0, 6.0, 4.0])
    # Digits would otherwise make a numeric axis, with bars at 1, 2, 7 and ticks 2, 4, 6.
    assert figure.layout.yaxis.type == "category"
    assert figure.layout.yaxis.autorange == "reversed"
    assert bars.marker.color[0] != bars.marker.color[1]
