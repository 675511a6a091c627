"""Tests for dlcore.data.split: three disjoint parts, their sizes, classes kept, and refusals."""

import numpy as np
import pytest

from dlcore.data.split import SplitData, check_split, split_indices, split_sizes


def test_the_three_parts_cover_every_sample_once():
    targets = np.repeat(np.arange(4), 25)
    train, validation, test = split_indices(
        targets, validation_fraction=0.15, test_fraction=0.2, seed=3
    )
    assert (len(train), len(validation), len(test)) == split_sizes(
        100, validation_fraction=0.15, test_fraction=0.2
    )
    assert sorted(np.concatenate([train, validation, test])) == list(range(100))


def test_sizes_round_the_held_out_parts_up():
    assert split_sizes(10, validation_fraction=0.15, test_fraction=0.25) == (5, 2, 3)


def test_every_part_keeps_every_class_when_stratified():
    targets = np.array([0] * 80 + [1] * 20)
    parts = split_indices(targets, validation_fraction=0.2, test_fraction=0.2, seed=0)
    for part in parts:
        shares = np.bincount(targets[part], minlength=2) / len(part)
        np.testing.assert_allclose(shares, [0.8, 0.2], atol=0.05)


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    targets = np.repeat(np.arange(2), 50)
    first = split_indices(targets, validation_fraction=0.2, test_fraction=0.2, seed=1)
    again = split_indices(targets, validation_fraction=0.2, test_fraction=0.2, seed=1)
    other = split_indices(targets, validation_fraction=0.2, test_fraction=0.2, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[2], other[2])


def test_values_that_are_not_classes_split_unstratified():
    train, validation, test = split_indices(
        np.linspace(0, 1, 20),
        validation_fraction=0.25,
        test_fraction=0.25,
        seed=0,
        stratify=False,
    )
    assert (len(train), len(validation), len(test)) == (10, 5, 5)


def test_a_part_without_every_class_is_refused_with_the_counts():
    with pytest.raises(ValueError, match=r"Too few images: 9 split 5 for training, 2 for "):
        check_split(
            n_samples=9, n_classes=3, validation_fraction=0.2, test_fraction=0.2, what="images"
        )


@pytest.mark.parametrize("fraction", [0, 1, -0.1, "0.2", True])
def test_a_fraction_outside_zero_and_one_is_refused(fraction):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        split_indices(np.arange(10) % 2, validation_fraction=fraction, test_fraction=0.2, seed=0)


def test_split_data_hands_out_its_parts_as_pairs():
    data = SplitData(
        x_train=1,
        y_train=2,
        x_val=3,
        y_val=4,
        x_test=5,
        y_test=6,
        labels=("a",),
        preprocessing={},
    )
    assert (data.train, data.validation, data.test) == ((1, 2), (3, 4), (5, 6))
