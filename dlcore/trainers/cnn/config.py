"""The Image classifier's settings: the image sets, the architecture's limits, and `Config`."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import (
    check_bool,
    check_choice,
    check_int,
    check_names,
    check_number,
    is_real,
    rule,
)
from dlcore.data import shapes
from dlcore.data.split import check_split
from dlcore.training import settings
from dlcore.training.settings import Limits, TrainerConfig

DATASETS = ("digits", "faces", "shapes")
"""The image sets the page offers."""

IMAGE_SIZES = {"digits": 8, "faces": 25, "shapes": 32}
"""The side of each set's square images, in pixels."""

CHANNELS = {"digits": 1, "faces": 1, "shapes": 3}
"""Each set's colour channels: 1 for greyscale, 3 for RGB."""

POOLINGS = ("max", "average", "none")
"""The pooling after each conv block: 2x2 with stride 2, or none."""

AUGMENTATIONS = ("flip", "rotate", "zoom", "shift")
"""The random changes the model may make to each training image, applied in this order."""

OPTIMIZERS = ("adam", "momentum", "sgd", "rmsprop")
"""The optimizers the page offers, by their names in `dlcore.concepts.optimizers`:
"momentum" is SGD with momentum 0.9, "sgd" plain SGD."""

MAX_BLOCKS = 6
"""The most conv blocks a model may have."""

MAX_FILTERS = 512
"""The most filters the last conv block may have (the first block's doubled per block)."""

MAX_DROPOUT = 0.9
"""The highest dropout rate allowed."""

MAX_SHAPES = 10_000
"""The most shape images `load_data` draws (10,000 take about 5 s and 120 MB)."""

MAX_RENDERED_DIGITS = 20_000
"""The most drawn digits `load_data` adds to the digits (each takes about 5 ms to draw
and prepare)."""

MAX_PHOTO_CROPS = 10_000
"""The most photo crops (and as many varied faces) `load_data` adds to the faces."""


def _is_line_width_range(value: object) -> bool:
    """Whether `value` is a `(low, high)` pair within `shapes.LINE_WIDTH_LIMITS`."""
    if not isinstance(value, tuple | list) or len(value) != 2 or not all(map(is_real, value)):
        return False
    low_limit, high_limit = shapes.LINE_WIDTH_LIMITS
    return low_limit <= value[0] <= value[1] <= high_limit


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The Image classifier page's settings: data, architecture and training.

    Attributes:
        dataset: one of `DATASETS`: "digits" (scikit-learn's 8x8 handwritten digits, 10
            classes), "faces" (scikit-image's 25x25 faces and non-faces, 2 classes) or
            "shapes" (generated 32x32 RGB circles, squares, triangles and stars).
            Defaults to `"digits"`.
        n_samples: `int`, the number of shape images to draw; only "shapes" uses it.
            Defaults to `1000`.
        backgrounds: names from `dlcore.data.shapes.BACKGROUNDS` that shapes are drawn on;
            only "shapes" uses it. Defaults to `("plain", "noisy")`.
        strokes: names from `dlcore.data.shapes.STROKES`, how shapes are drawn: "clean"
            (exact) or "hand" (wobbly outlines of uneven width); only "shapes" uses it.
            Defaults to `("clean",)`.
        line_widths: `(low, high)` within `dlcore.data.shapes.LINE_WIDTH_LIMITS`, the
            outlines' widths as fractions of the shape's extent; only "shapes" uses it.
            Defaults to `(0.08, 0.14)`.
        cut: `float` in [0, `dlcore.data.shapes.MAX_CUT`], the largest share of a shape's
            extent past the frame (0 keeps shapes inside); only "shapes" uses it.
            Defaults to `0.0`.
        n_blocks: `int` in [1, `MAX_BLOCKS`], conv blocks (convolution, batch norm when
            asked, ReLU, pooling). Shapes learn faster with 3 (about 80 % held out after 15
            epochs, against 55-70 % with 2). Defaults to `2`.
        n_filters: `int` >= 1, the first block's filters; each further block has twice as
            many. Defaults to `16`.
        kernel_size: `int` >= 1, the side of every square convolution kernel. Defaults to `3`.
        pooling: one of `POOLINGS`. Defaults to `"max"`.
        batch_norm: `bool`, batch normalization between each convolution and its ReLU.
            Defaults to `False`.
        dropout: `float` in [0, `MAX_DROPOUT`], the dropout rate before the output layer.
            Defaults to `0.0`.
        augmentation: names from `AUGMENTATIONS`, each at most once: random flips,
            rotations, zooms and shifts of training images, done by Keras preprocessing
            layers at the model's start that pass images unchanged at inference.
            Defaults to `()`.
        dense_units: `int` >= 0, units of the dense ReLU layer after the conv blocks; 0
            for none. Defaults to `64`.
        optimizer: one of `OPTIMIZERS`. Defaults to `"adam"`.
        learning_rate: `float` > 0. Defaults to `0.003`.
        rendered_digits: `int` in [0, `MAX_RENDERED_DIGITS`], digits only: how many
            digits drawn by `dlcore.data.rendered_digits` (typed, bold, marker, display
            segments, photo-like) are added to the training images, prepared as
            `dlcore.preprocess.prepare_image` prepares an upload. Defaults to `0`.
        photo_crops: `int` in [0, `MAX_PHOTO_CROPS`], faces only: how many non-faces
            cut from `dlcore.data.face_photos.TRAIN_PHOTOS` (whole photos, crops, drawn
            text), and as many training faces at other crops and lighting, are added to
            the training images, prepared as an upload is. Defaults to `0`.
        batch_size: `int` >= 1. Defaults to `32`.
        validation_fraction: `float` in (0, 1), the share of images that early stopping
            and the live curves watch. Defaults to `0.2`.
        test_fraction: `float` in (0, 1), the share of images scored once, at the end.
            Defaults to `0.2`.
        seed: `int`, seeds the shapes, the split, the weights, the shuffling, the dropout
            and the augmentation. Defaults to `0`.
    """

    dataset: str = "digits"
    n_samples: int = 1000
    backgrounds: tuple[str, ...] = ("plain", "noisy")
    strokes: tuple[str, ...] = ("clean",)
    line_widths: tuple[float, float] = (0.08, 0.14)
    cut: float = 0.0
    n_blocks: int = 2
    n_filters: int = 16
    kernel_size: int = 3
    pooling: str = "max"
    batch_norm: bool = False
    dropout: float = 0.0
    augmentation: tuple[str, ...] = ()
    dense_units: int = 64
    optimizer: str = "adam"
    learning_rate: float = 0.003
    rendered_digits: int = 0
    photo_crops: int = 0

    LIMITS: ClassVar[Limits] = {
        "dataset": partial(check_choice, choices=DATASETS),
        "n_samples": partial(
            check_int, what="The number of shape images", minimum=1, maximum=MAX_SHAPES
        ),
        "backgrounds": partial(
            check_names,
            choices=shapes.BACKGROUNDS,
            what="background",
            example=("plain",),
            empty="Choose at least one background for the shapes",
        ),
        "strokes": partial(
            check_names,
            choices=shapes.STROKES,
            what="stroke",
            example=("clean", "hand"),
            empty="Choose at least one stroke for the shapes",
        ),
        "line_widths": rule(
            _is_line_width_range,
            "`{name}` must be a pair (low, high) of outline widths as fractions of the "
            f"shape's extent, with {shapes.LINE_WIDTH_LIMITS[0]} <= low <= high <= "
            f"{shapes.LINE_WIDTH_LIMITS[1]}",
        ),
        "cut": partial(
            check_number,
            what="The share of a shape past the frame",
            minimum=0.0,
            maximum=shapes.MAX_CUT,
        ),
        "rendered_digits": partial(
            check_int, what="The number of drawn digits", minimum=0, maximum=MAX_RENDERED_DIGITS
        ),
        "photo_crops": partial(
            check_int, what="The number of photo crops", minimum=0, maximum=MAX_PHOTO_CROPS
        ),
        "pooling": partial(check_choice, choices=POOLINGS),
        "batch_norm": check_bool,
        "dropout": partial(settings.check_dropout, maximum=MAX_DROPOUT),
        "augmentation": partial(
            check_names, choices=AUGMENTATIONS, what="augmentation", example=("rotate", "shift")
        ),
        "dense_units": partial(
            check_int, what="The dense layer's units", minimum=0, hint="(0 for no dense layer)"
        ),
        **settings.training_limits(optimizers=OPTIMIZERS, unit="image"),
    }

    def check_combinations(self) -> None:
        """Checks that the set splits, and that the conv blocks fit its images.

        Raises:
            ValueError: naming the first impossible setting, e.g. a kernel larger than the image.
        """
        check_split(
            n_samples=self.n_images,
            n_classes=self.n_classes,
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="images",
        )
        settings.check_conv_blocks(self, max_blocks=MAX_BLOCKS, max_filters=MAX_FILTERS)
        self._check_sizes()

    def _check_sizes(self) -> None:
        side = IMAGE_SIZES[self.dataset]
        if self.pooling != "none":
            settings.check_pooling_depth(
                self, side=side, what="images", alternative="pooling 'none'"
            )
        for block, block_side in enumerate(block_input_sizes(self), start=1):
            if self.kernel_size <= block_side:
                continue
            if block == 1:
                where = f"the {block_side}x{block_side} image"
                fix = f"use a kernel of at most {block_side}"
            else:
                n_pools = block - 1
                where = (
                    f"the {block_side}x{block_side} feature map that conv block {block} meets "
                    f"after {n_pools} pooling step{'s' if n_pools > 1 else ''}"
                )
                fix = f"use a kernel of at most {block_side} or fewer conv blocks"
            raise ValueError(
                f"The kernel ({self.kernel_size}x{self.kernel_size}) is larger than {where}: "
                f"{fix}. Received: kernel_size={self.kernel_size!r}, n_blocks={self.n_blocks!r}."
            )

    @property
    def n_images(self) -> int:
        """The number of images in the set, before the split."""
        if self.dataset == "shapes":
            return self.n_samples
        return {"digits": 1797, "faces": 200}[self.dataset]

    @property
    def n_classes(self) -> int:
        """The number of classes of the set."""
        return {"digits": 10, "faces": 2, "shapes": len(shapes.SHAPE_LABELS)}[self.dataset]

    @property
    def n_train(self) -> int:
        """The number of training images after the three-way split."""
        return self.training_size(self.n_images)

    def builder_arguments(self) -> dict[str, object]:
        """The keyword arguments of `dlcore.trainers.cnn.model.build_cnn` for this config."""
        return {
            "n_blocks": self.n_blocks,
            "n_filters": self.n_filters,
            "kernel_size": self.kernel_size,
            "pooling": self.pooling,
            "batch_norm": bool(self.batch_norm),
            "dropout": float(self.dropout),
            "augmentation": tuple(self.augmentation),
            "dense_units": self.dense_units,
            "seed": self.seed,
        }


def block_input_sizes(config: Config) -> list[int]:
    """The side of the feature map each conv block's convolution meets, first block first.

    Example:

    >>> block_input_sizes(Config(dataset="faces", n_blocks=3))
    [25, 12, 6]
    """
    side = IMAGE_SIZES[config.dataset]
    if config.pooling == "none":
        return [side] * config.n_blocks
    return [side // 2**block for block in range(config.n_blocks)]
