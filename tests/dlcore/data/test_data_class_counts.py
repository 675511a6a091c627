"""Tests for dlcore.data.class_counts: the class-balance line of a generated set's DESCR."""

from dlcore.data.class_counts import class_counts_line


def test_equal_classes_give_one_number_per_class():
    assert class_counts_line([0, 1, 0, 1], 2) == "Classes: 2; samples: 4 (2 per class)"


def test_unequal_classes_give_the_range_and_count_empty_classes():
    assert class_counts_line([0, 1, 0], 2, unit="clips") == "Classes: 2; clips: 3 (1-2 per class)"
    assert class_counts_line([0, 0], 3) == "Classes: 3; samples: 2 (0-2 per class)"
