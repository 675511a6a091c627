"""Tests for dlcore.data.memory_task: sequences whose label is their first token."""

import numpy as np
import pytest

from dlcore.data import memory_task
from dlcore.data.memory_task import make_first_token_sequences


@pytest.mark.parametrize(
    ("n_samples", "length", "n_symbols"), [(10, 2, 2), (200, 7, 4), (50, 100, 10)]
)
def test_shapes_dtypes_and_values_are_as_documented(n_samples, length, n_symbols):
    bunch = make_first_token_sequences(n_samples, length=length, n_symbols=n_symbols, seed=0)

    assert bunch.data.shape == (n_samples, length), "data shape mismatch"
    assert bunch.data.dtype == np.int32 and bunch.target.dtype == np.int64
    assert bunch.data.min() >= 0 and bunch.data.max() < n_symbols
    assert bunch.target_names == [chr(ord("A") + index) for index in range(n_symbols)]
    assert bunch.chance == pytest.approx(1 / n_symbols)
    assert f"{n_samples} sequences of {length} tokens" in bunch.DESCR


def test_the_label_is_the_first_token_and_nothing_later_tells_it():
    data, target = make_first_token_sequences(4000, length=6, n_symbols=4, seed=0, return_X_y=True)

    np.testing.assert_array_equal(target, data[:, 0])
    # Every later token is drawn apart from the first: it matches the label about 1 time in 4.
    matches = (data[:, 1:] == target[:, np.newaxis]).mean(axis=0)
    np.testing.assert_allclose(matches, 0.25, atol=0.03)
    assert np.bincount(target, minlength=4).min() > 900, "every symbol is an answer"


def test_the_same_seed_gives_the_same_sequences_and_another_seed_others():
    first = make_first_token_sequences(30, length=5, seed=3, return_X_y=True)
    again = make_first_token_sequences(30, length=5, seed=3, return_X_y=True)
    other = make_first_token_sequences(30, length=5, seed=4, return_X_y=True)

    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        (
            {"length": 1},
            "sequence length must be an integer from 2 to 100 tokens \\(one token leaves "
            "nothing to remember.*Received: length=1\\.",
        ),
        ({"length": memory_task.LENGTH_RANGE[1] + 1}, "Received: length=101"),
        ({"length": 5.0}, "Received: length=5.0"),
        (
            {"n_symbols": 1},
            "number of symbols must be an integer from 2 to 10. Received: n_symbols=1",
        ),
        ({"n_symbols": 11}, "Received: n_symbols=11"),
        ({"n_samples": 9}, "number of sequences.*Received: n_samples=9"),
        ({"seed": -1}, "seed.*Received: seed=-1"),
    ],
)
def test_out_of_range_arguments_are_refused_with_the_house_message(arguments, match):
    n_samples = arguments.pop("n_samples", 20)
    with pytest.raises(ValueError, match=match):
        make_first_token_sequences(n_samples, **arguments)
