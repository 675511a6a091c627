"""Tests for dlcore.concepts.display: computed values to pixels, their sign kept."""

import numpy as np
import pytest

from dlcore.concepts.display import enlarge, to_display


def test_values_in_the_unit_range_keep_their_meaning():
    shown = to_display([[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(shown.pixels, [[0, 128, 255]])
    assert shown.scale == "black = 0, white = 1"


def test_values_above_one_are_scaled_to_the_largest():
    shown = to_display([[0.0, 1.0, 4.0]])
    np.testing.assert_array_equal(shown.pixels, [[0, 64, 255]])
    assert "white = 4" in shown.scale


def test_signed_values_put_zero_at_mid_grey_with_one_scale_for_all_channels():
    values = np.array([[[-1.0, 0.0, 0.5]], [[0.25, 0.0, -0.5]]])
    shown = to_display(values)
    assert shown.pixels.shape == values.shape
    np.testing.assert_array_equal(shown.pixels[0, 0], [0, 128, 191])
    np.testing.assert_array_equal(shown.pixels[1, 0], [159, 128, 64])
    assert "mid-grey = 0" in shown.scale


@pytest.mark.parametrize("values", [[], [[np.nan, 1.0]], [[np.inf]]])
def test_empty_or_non_finite_values_are_refused(values):
    with pytest.raises(ValueError, match="non-empty array of finite numbers"):
        to_display(values)


def test_enlarge_repeats_each_pixel_into_a_block():
    enlarged = enlarge(np.array([[1, 2], [3, 4]], dtype=np.uint8), factor=2)
    np.testing.assert_array_equal(
        enlarged, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )
    assert enlarge(np.zeros((3, 5, 3)), factor=3).shape == (9, 15, 3)
    with pytest.raises(ValueError, match="factor"):
        enlarge(np.zeros((2, 2)), factor=0)
