import numpy as np
import pytest

from dlcore.data import rendered_digits
from dlcore.preprocess import prepare_image
from dlcore.trainers import cnn

DIGITS = cnn.load_data(cnn.Config()).preprocessing


def test_render_digits_draws_the_classes_in_turn_on_canvases_of_their_own():
    pictures, labels = rendered_digits.render_digits(30, seed=5)
    assert labels.tolist() == [index % 10 for index in range(30)]
    assert all(picture.dtype == np.uint8 and picture.ndim == 2 for picture in pictures)
    assert len({picture.shape for picture in pictures}) > 10
    # Every picture holds a digit: its ink stands out of the paper.
    assert all(int(picture.max()) - int(picture.min()) > 60 for picture in pictures)


def test_render_digits_is_fixed_by_its_seed():
    first, _ = rendered_digits.render_digits(12, seed=3)
    again, _ = rendered_digits.render_digits(12, seed=3)
    other, _ = rendered_digits.render_digits(12, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("style", rendered_digits.STYLES)
def test_each_style_prepares_as_a_digit_filling_its_box(style):
    pictures, _ = rendered_digits.render_digits(20, seed=2, styles=(style,), photo=False)
    for picture in pictures:
        prepared = prepare_image(picture, DIGITS)[..., 0]
        assert prepared.max() == pytest.approx(1.0)
        # The crop keeps the aspect: the digit's height fills the box, as load_digits'.
        assert prepared[0].max() > 0.05 and prepared[-1].max() > 0.05


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n": 0}, "positive integer"),
        ({"n": 3, "styles": ("cursive",)}, "cursive"),
        ({"n": 3, "styles": ()}, "some of"),
    ],
)
def test_render_digits_refuses_what_it_cannot_draw(arguments, message):
    with pytest.raises(ValueError, match=message):
        rendered_digits.render_digits(**arguments)
