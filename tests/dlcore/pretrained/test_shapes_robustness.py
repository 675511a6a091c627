"""The bundled shapes model on the project's own robustness set: shapes as a person draws them.

`dlcore.data.shapes.robustness_set` draws with another pen than training (a random-walk
drift, bowed edges, open ends, uneven pressure), outline widths outside the training
range, on photos that training never uses, and cut by the frame, on canvases of 48-160
pixels that the predictor shrinks as it shrinks an upload.
"""

import numpy as np
import pytest

from dlcore.data import shapes
from dlcore.pretrained import load_pretrained

N_PER_VARIANT = 60

# Measured with the bundled model (scripts/make_pretrained.py shapes): 0.927 of
# the 300 pictures (issue 15's target: 0.92); hand 1.00, thin 0.93, thick 0.93, photo 0.93,
# cut 0.83; the least recall, squares', 0.81 (most read as triangles). The model before hand
# strokes, widths and cuts read 0.753 (cut 0.33, thick 0.65), the one before cuts up to
# 0.3 of a shape, 0.910 (cut 0.70). The floors leave a few points for a retrain.
FLOOR = 0.9
VARIANT_FLOORS = {"hand": 0.93, "thin": 0.9, "thick": 0.85, "photo": 0.9, "cut": 0.75}


@pytest.fixture(scope="module")
def answers():
    predictor = load_pretrained("shapes")
    pictures, targets = shapes.robustness_set(N_PER_VARIANT, seed=0)
    return predictor.predict_proba(pictures).argmax(axis=1), targets


def test_the_whole_robustness_set_is_read_right(answers):
    predicted, targets = answers
    assert np.mean(predicted == targets) >= FLOOR


@pytest.mark.parametrize("variant", shapes.ROBUSTNESS_VARIANTS)
def test_each_variant_is_read_right(answers, variant):
    predicted, targets = answers
    index = shapes.ROBUSTNESS_VARIANTS.index(variant)
    part = slice(index * N_PER_VARIANT, (index + 1) * N_PER_VARIANT)
    assert np.mean(predicted[part] == targets[part]) >= VARIANT_FLOORS[variant]


def test_no_class_is_left_unread(answers):
    # A model that calls every star a triangle could still pass the overall floor.
    predicted, targets = answers
    recalls = [np.mean(predicted[targets == label] == label) for label in range(4)]
    assert min(recalls) >= 0.78
