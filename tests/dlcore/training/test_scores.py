import numpy as np
import pytest

from dlcore.training.scores import best_on_validation, confusion_counts


def test_the_wrong_samples_are_off_the_diagonal():
    confusion = np.array([[5, 1, 0], [2, 7, 0], [0, 0, 3]])
    assert confusion_counts(confusion) == (3, 18)
    assert confusion_counts(np.eye(4, dtype=int)) == (0, 4)


def test_a_confusion_matrix_must_be_square():
    with pytest.raises(ValueError, match="square"):
        confusion_counts(np.zeros((2, 3)))


def test_the_best_model_is_the_highest_validation_accuracy_the_first_on_a_tie():
    assert best_on_validation({"plain": 0.8, "residual": 0.9, "batch_norm": 0.85}) == "residual"
    assert best_on_validation({"a": 0.5, "b": 0.5}) == "a"
    with pytest.raises(ValueError, match="no model"):
        best_on_validation({})
