"""The person's images as model input: `TeachData`, split as far as their number allows."""

from __future__ import annotations

import dataclasses

import numpy as np

from dlcore.data.split import SplitData
from dlcore.trainers.teach.classes import HOLD_OUT_FROM, TEST_FROM


@dataclasses.dataclass(frozen=True)
class TeachData(SplitData):
    """The person's images as model input, split as far as their number allows.

    Attributes:
        x_train, x_val, x_test: float32, shape `(n, height, width, channels)`, values in
            [0, 1]; `x_val` is empty with fewer than `HOLD_OUT_FROM` images in some
            class, `x_test` with fewer than `TEST_FROM`.
        y_train, y_val, y_test: int64, shape `(n,)`, class indices in [0, n_classes).
        labels: the class names, in the order of the class indices.
        preprocessing: how an image became input (`dlcore.preprocess.prepare_image`'s dict).
        train_index: int64, shape `(n_train, 2)`: where each training image came from,
            as rows `[class_index, image_index]` into the classes given.
    """

    train_index: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def held_out(self) -> bool:
        """Whether some images were kept out of training to validate each epoch."""
        return len(self.y_val) > 0

    @property
    def has_test(self) -> bool:
        """Whether some images were kept apart for the test score."""
        return len(self.y_test) > 0

    def accuracy_note(self) -> str:
        """What each image is used for, in a sentence or two, for the page."""
        n_val, n_test = len(self.y_val), len(self.y_test)
        if self.has_test:
            return (
                f"{len(self.y_train)} images train, {n_val} held-out images validate every "
                f"epoch, and the test accuracy is measured once, after training, on {n_test} "
                "test images that the model never trained on and that chose nothing."
            )
        if self.held_out:
            return (
                f"{len(self.y_train)} images train and {n_val} held-out images, never trained "
                f"on, validate every epoch. There is no test score: give every class at least "
                f"{TEST_FROM} images and one in five more is kept apart to test the model once, "
                "after training."
            )
        return (
            "Accuracy is on the training images themselves, which says little about new "
            f"images: give every class at least {HOLD_OUT_FROM} images and one in five is "
            f"held out to validate each epoch, and from {TEST_FROM} one in five more for a "
            "test score."
        )
