"""The Video model page's settings: the clips, the network, training and the split."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import ClassVar

from dlcore._checks import (
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_number,
    is_int,
    rule,
)
from dlcore.data import motion
from dlcore.data.split import check_split
from dlcore.training import settings
from dlcore.training.settings import Limits, TrainerConfig

STEPS_PER_CALL = 10
"""Batches per TensorFlow call while training: a video batch is heavy enough that more
save little, and the page hears from training (progress, Stop) between calls."""

ARCHITECTURES = ("cnn_gru", "convlstm", "conv3d")
"""The model families the page offers; see the module's docstring."""

MAX_BLOCKS = 4
"""The most conv blocks a model may have."""

MAX_FILTERS = 128
"""The most filters the last block may have (the first block's doubled per block)."""

MAX_DROPOUT = 0.9
"""The highest dropout rate allowed."""

MAX_CLIPS = 5000
"""The most clips `load_data` generates."""

MAX_CLIP_FRAMES = 64
"""The most frames a generated clip may have."""

IMAGE_SIZE_RANGE = (8, 64)
"""The smallest and largest side of a frame, in pixels."""

PAGE_CLIPS = 2400
"""The clips the page generates unless told otherwise: enough to learn every motion well."""

MAX_VIDEO_MEGABYTES = 512
"""The most float32 megabytes of generated frames (clips x clip frames x pixels x 3 x 4)."""


_check_clip_frames = rule(
    lambda value: is_int(value) and 2 <= value <= MAX_CLIP_FRAMES,
    f"A clip must have from 2 to {MAX_CLIP_FRAMES} frames: motion needs at least two",
)
_check_n_frames = rule(
    lambda value: is_int(value) and value >= 2,
    "The model must see at least 2 frames per clip: one frame alone cannot show which way "
    "anything moves",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(TrainerConfig):
    """The Video model page's settings: clips, architecture and training.

    The defaults are quick: 600 clips, generated and trained for an epoch in a few
    seconds. With the page's 2400 clips (`PAGE_CLIPS`) the other defaults reach over 90 %
    validation accuracy within 4 to 6 epochs and about 95 % after 8: about half a minute
    on two CPU cores, generating the clips included.

    Attributes:
        architecture: one of `ARCHITECTURES`: "cnn_gru", "convlstm" or "conv3d".
            Defaults to `"cnn_gru"`, the quickest to learn these clips on a CPU.
        n_frames: `int` in [2, `clip_frames`], the frames the model sees per clip, evenly
            spaced over the clip. Defaults to `8`.
        clip_frames: `int` in [2, `MAX_CLIP_FRAMES`], the frames of each generated clip.
            In an object clip the content moves a constant 0.25-1 pixel per clip frame at
            16x16 (scaled with the frame size, and slower where it would leave the frame),
            so longer clips move it further between the `n_frames` kept frames, which
            makes the motion easier to see; a camera clip's pan spans 15-100 % of the
            frame whatever its length. Defaults to `32`.
        image_size: `int` in `IMAGE_SIZE_RANGE`, the side of each square frame in pixels.
            Defaults to `16`.
        camera_share: `float` in [0, 1], the share of clips filmed by a hand-held camera
            that pans, tilts or zooms over a scene (`make_motion_clips`); the others show
            content moving over a still background. Defaults to `0`: content alone, which
            the page's default model learns in a minute; with half camera clips it needs
            several times the epochs.
        n_clips: `int` in [1, `MAX_CLIPS`], clips generated before the split; the six
            classes are balanced. Defaults to `600`.
        n_blocks: `int` in [1, `MAX_BLOCKS`], conv blocks (a convolution, or a ConvLSTM,
            then 2x2 pooling). Defaults to `2`.
        n_filters: `int` >= 1, the first block's filters; each further block has twice as
            many. Defaults to `16`.
        kernel_size: `int` >= 1, the side of every kernel in pixels (and in frames for
            "conv3d"). Defaults to `3`.
        units: `int` >= 1, the GRU's units ("cnn_gru") or the dense ReLU layer's before
            the output ("convlstm", "conv3d"). Defaults to `32`.
        dropout: `float` in [0, `MAX_DROPOUT`], the dropout rate before the output layer.
            Defaults to `0.2`.
        batch_norm: `bool`, batch normalization after each block's convolution (see
            `motion_model`). Defaults to `False`.
        frame_changes: `bool`, the model sees each frame with its change from the frame
            before (see `motion_model`); without it, camera clips stay near chance for
            many epochs. Defaults to `True`.
        learning_rate: `float` > 0, Adam's learning rate. Defaults to `0.001`
            (at 0.003 "conv3d" often stays at chance for many epochs).
        batch_size: `int` >= 1. Defaults to `16`.
        validation_fraction: `float` in (0, 1), the share of clips that early stopping and
            the live "val_" curves watch. Defaults to `0.15`.
        test_fraction: `float` in (0, 1), the share of clips held out for the test score,
            measured once, at the end. Defaults to `0.15`.
        seed: `int`, seeds the clips, the split, the weights, the shuffling and the
            dropout. Defaults to `0`.
    """

    architecture: str = "cnn_gru"
    n_frames: int = 8
    clip_frames: int = 32
    image_size: int = 16
    camera_share: float = 0.0
    n_clips: int = 600
    n_blocks: int = 2
    n_filters: int = 16
    kernel_size: int = 3
    units: int = 32
    dropout: float = 0.2
    batch_norm: bool = False
    frame_changes: bool = True
    learning_rate: float = 0.001
    batch_size: int = 16
    validation_fraction: float = 0.15
    test_fraction: float = 0.15

    LIMITS: ClassVar[Limits] = {
        "architecture": partial(check_choice, choices=ARCHITECTURES),
        "clip_frames": _check_clip_frames,
        "n_frames": _check_n_frames,
        "image_size": partial(
            check_int,
            what="The frame size",
            minimum=IMAGE_SIZE_RANGE[0],
            maximum=IMAGE_SIZE_RANGE[1],
            unit="pixels",
        ),
        "camera_share": partial(
            check_number, what="The share of camera clips", minimum=0.0, maximum=1.0
        ),
        "n_clips": partial(check_int, what="The number of clips", minimum=1, maximum=MAX_CLIPS),
        "validation_fraction": partial(
            check_fraction, what="The held-out fraction for validation", hint=", e.g. 0.15"
        ),
        "test_fraction": partial(
            check_fraction, what="The held-out fraction for the test", hint=", e.g. 0.15"
        ),
        "dropout": partial(settings.check_dropout, maximum=MAX_DROPOUT),
        "batch_norm": check_bool,
        "frame_changes": check_bool,
        **settings.training_limits(unit="clip"),
    }

    def check_combinations(self) -> None:
        """Checks that the clips can be generated and split, and that the network fits them.

        Raises:
            ValueError: naming the first impossible setting, e.g. more frames than a clip has.
        """
        self._check_clips()
        settings.check_conv_blocks(self, max_blocks=MAX_BLOCKS, max_filters=MAX_FILTERS)
        if not is_int(self.units) or self.units < 1:
            layer = "GRU" if self.architecture == "cnn_gru" else "dense layer"
            raise ValueError(
                f"The {layer} needs at least one unit: with zero units it passes nothing on. "
                f"Use 1 or more (16 to 64 is typical). Received: units={self.units!r}."
            )
        self._check_sizes()

    def _check_clips(self) -> None:
        if self.n_frames > self.clip_frames:
            raise ValueError(
                f"The model cannot see {self.n_frames} frames of a clip that has only "
                f"{self.clip_frames}: use at most {self.clip_frames} frames, or longer clips. "
                f"Received: n_frames={self.n_frames!r}, clip_frames={self.clip_frames!r}."
            )
        megabytes = self.n_clips * self.clip_frames * self.image_size**2 * 3 * 4 / 1e6
        if megabytes > MAX_VIDEO_MEGABYTES:
            raise ValueError(
                f"Too much video to generate: {self.n_clips} clips of {self.clip_frames} "
                f"frames of {self.image_size}x{self.image_size} pixels take {megabytes:,.0f} MB, "
                f"more than the {MAX_VIDEO_MEGABYTES} MB allowed. Use fewer clips, shorter "
                f"clips or smaller frames. Received: n_clips={self.n_clips!r}, "
                f"clip_frames={self.clip_frames!r}, image_size={self.image_size!r}."
            )
        check_split(
            n_samples=self.n_clips,
            n_classes=len(motion.MOTION_LABELS),
            validation_fraction=self.validation_fraction,
            test_fraction=self.test_fraction,
            what="clips",
        )

    def _check_sizes(self) -> None:
        side = self.image_size
        settings.check_pooling_depth(
            self, side=side, what="frames", alternative="larger frames", also=("image_size",)
        )
        for block, (block_frames, block_side) in enumerate(block_input_sizes(self), start=1):
            after = (
                "" if block == 1 else f" after {block - 1} pooling step{'s' if block > 2 else ''}"
            )
            if self.kernel_size > block_side:
                where = (
                    f"the {block_side}x{block_side} frame"
                    if block == 1
                    else f"the {block_side}x{block_side} feature map that block {block} meets"
                )
                fix = (
                    f"use a kernel of at most {block_side}"
                    if block == 1
                    else f"use a kernel of at most {block_side} or fewer conv blocks"
                )
                raise ValueError(
                    f"The kernel ({self.kernel_size}x{self.kernel_size}) is larger than "
                    f"{where}{after}: {fix}. Received: kernel_size={self.kernel_size!r}, "
                    f"n_blocks={self.n_blocks!r}, image_size={self.image_size!r}."
                )
            if self.architecture != "conv3d":
                continue
            if self.kernel_size > block_frames:
                if block == 1:
                    where = f"the model sees only {block_frames} frames of each clip"
                    fix = "a smaller kernel"
                else:
                    where = (
                        f"block {block} meets only {block_frames} (every block after the "
                        "first halves the frames)"
                    )
                    fix = "a smaller kernel or fewer conv blocks"
                frames_needed = self.kernel_size * 2 ** max(0, block - 2)
                raise ValueError(
                    f"Too few frames for Conv3D's kernels: a kernel spans {self.kernel_size} "
                    f"frames, but {where}. Use at least {frames_needed} frames, or {fix}. "
                    f"Received: n_frames={self.n_frames!r}, kernel_size={self.kernel_size!r}, "
                    f"n_blocks={self.n_blocks!r}."
                )
            if block > 1 and block_frames < 2:
                raise ValueError(
                    f"Too few frames for {self.n_blocks} Conv3D blocks: every block after the "
                    f"first halves the frames, and block {block} would have fewer than 2 left "
                    f"to pool. Use at least {2 ** (block - 1)} frames or fewer conv blocks. "
                    f"Received: n_frames={self.n_frames!r}, n_blocks={self.n_blocks!r}."
                )

    @property
    def n_train(self) -> int:
        """The number of training clips after the split."""
        return self.training_size(self.n_clips)


def block_input_sizes(config: Config) -> list[tuple[int, int]]:
    """`(frames, side)` of what each conv block meets, first block first.

    Each block's 2x2 pooling halves the side; in "conv3d" each block after the first also
    halves the frames (the first keeps them all, to see the finest motion).

    Example:

    >>> block_input_sizes(Config(architecture="conv3d", n_blocks=3))
    [(8, 16), (8, 8), (4, 4)]
    """
    sizes = []
    for block in range(config.n_blocks):
        frames = config.n_frames
        if config.architecture == "conv3d" and block > 1:
            frames = config.n_frames // 2 ** (block - 1)
        sizes.append((frames, config.image_size // 2**block))
    return sizes
