"""The video model trainer: tell which way the content of a short clip moves.

The logic behind the Video model page. The clips are `dlcore.data.motion`'s generated
colour clips whose content moves left, right, up or down, or zooms in or out; no single
frame tells the class, so a model must compare frames. Three families of video model do
that, each built here with the Functional API:

- "cnn_gru": a small 2-D CNN applied to every frame on its own (`TimeDistributed`), whose
  per-frame feature vectors a GRU reads in order (as in the keras.io example "Video
  classification with a CNN-RNN architecture");
- "convlstm": `ConvLSTM2D` layers, LSTMs whose gates are convolutions, so that their
  memory is itself a feature map that follows the content across frames;
- "conv3d": `Conv3D` blocks whose kernels span a few frames as well as a few pixels, so
  that a single kernel can respond to an edge that moves.

A `VideoConfig` holds the page's settings; `load_video_data` generates the clips, keeps
`n_frames` evenly spaced frames of each and splits them (`example_clips` shows one clip of
each motion); `build_video_model` builds the compiled model; `train_video` fits it
through `dlcore.training.fit.fit_live`. The analysis functions look inside the trained
model: `confusion_matrix` and `misclassified` on the held-out clips, and `feature_maps`,
what the first block makes of every frame of one clip. `prepare_clip` turns a person's
own frames into model input the same way the generated clips were prepared, and
`export_code` writes a standalone Keras script for the same configuration.

Every convolution pads its input ("same"), so only pooling shrinks the feature maps: each
block's 2x2 pooling halves the frame's side (rounded down), and in "conv3d" every block
after the first also halves the number of frames.

Example:

>>> config = VideoConfig()
>>> data = load_video_data(config)
>>> model = build_video_model(config)
>>> result = train_video(model, data, config, epochs=8)   # doctest: +SKIP
>>> result.history.last("val_accuracy") >= 0.9            # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
from numpy.typing import ArrayLike
from sklearn.model_selection import train_test_split

from dlcore.data import motion
from dlcore.preprocess import frame_indices
from dlcore.training import evaluation
from dlcore.training.evaluation import Misclassified
from dlcore.training.fit import EpochReport, FitResult, fit_live
from dlcore.training.history import History

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
"""The most clips `load_video_data` generates."""

MAX_CLIP_FRAMES = 64
"""The most frames a generated clip may have."""

IMAGE_SIZE_RANGE = (8, 64)
"""The smallest and largest side of a frame, in pixels."""

MAX_VIDEO_MEGABYTES = 512
"""The most float32 megabytes of generated frames (clips x clip frames x pixels x 3 x 4)."""


@dataclasses.dataclass(frozen=True)
class VideoConfig:
    """The Video model page's settings: clips, architecture and training.

    The defaults reach over 90 % held-out accuracy within 4 to 6 epochs and about 95 %
    after 8: about half a minute on two CPU cores, generating the clips included.

    Attributes:
        architecture: one of `ARCHITECTURES`: "cnn_gru", "convlstm" or "conv3d".
            Defaults to `"cnn_gru"`, the quickest to learn these clips on a CPU.
        n_frames: `int` in [2, `clip_frames`], the frames the model sees per clip, evenly
            spaced over the clip. Defaults to `8`.
        clip_frames: `int` in [2, `MAX_CLIP_FRAMES`], the frames of each generated clip.
            The content moves a constant 0.25-1 pixel per clip frame at 16x16 (scaled with
            the frame size, and slower where it would leave the frame), so longer clips
            move it further between the `n_frames` kept frames, which makes the motion
            easier to see. Defaults to `32`.
        image_size: `int` in `IMAGE_SIZE_RANGE`, the side of each square frame in pixels.
            Defaults to `16`.
        n_clips: `int` in [1, `MAX_CLIPS`], clips generated before the split; the six
            classes are balanced. Defaults to `2400`.
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
        learning_rate: `float` in (0, 1], Adam's learning rate. Defaults to `0.001`
            (at 0.003 "conv3d" often stays at chance for many epochs).
        batch_size: `int` >= 1. Defaults to `16`.
        test_fraction: `float` in (0, 1), the share of clips held out. Defaults to `0.25`.
        seed: `int`, seeds the clips, the split, the weights, the shuffling and the
            dropout. Defaults to `0`.
    """

    architecture: str = "cnn_gru"
    n_frames: int = 8
    clip_frames: int = 32
    image_size: int = 16
    n_clips: int = 2400
    n_blocks: int = 2
    n_filters: int = 16
    kernel_size: int = 3
    units: int = 32
    dropout: float = 0.2
    learning_rate: float = 0.001
    batch_size: int = 16
    test_fraction: float = 0.25
    seed: int = 0

    def validate(self) -> VideoConfig:
        """Checks that the settings make clips and a network that can be built and trained.

        Returns:
            The config itself, so that `config.validate()` can be chained.

        Raises:
            ValueError: naming the first impossible setting, what to change, and what
                was received.
        """
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"Unknown architecture. Choose one of: {', '.join(ARCHITECTURES)}. "
                f"Received: architecture={self.architecture!r}."
            )
        self._validate_clips()
        self._validate_architecture()
        self._validate_sizes()
        if not _is_real(self.learning_rate) or not 0 < self.learning_rate <= 1:
            raise ValueError(
                "The learning rate must be a number above 0 and at most 1 (0.001 to 0.01 "
                f"suits Adam). Received: learning_rate={self.learning_rate!r}."
            )
        if not _is_int(self.batch_size) or self.batch_size < 1:
            raise ValueError(
                "The batch size must be an integer of at least 1 clip. "
                f"Received: batch_size={self.batch_size!r}."
            )
        if not _is_int(self.seed):
            raise ValueError(f"`seed` must be an integer. Received: seed={self.seed!r}.")
        return self

    def _validate_clips(self) -> None:
        if not _is_int(self.clip_frames) or not 2 <= self.clip_frames <= MAX_CLIP_FRAMES:
            raise ValueError(
                f"A clip must have from 2 to {MAX_CLIP_FRAMES} frames: motion needs at least "
                f"two. Received: clip_frames={self.clip_frames!r}."
            )
        if not _is_int(self.n_frames) or self.n_frames < 2:
            raise ValueError(
                "The model must see at least 2 frames per clip: one frame alone cannot show "
                f"which way anything moves. Received: n_frames={self.n_frames!r}."
            )
        if self.n_frames > self.clip_frames:
            raise ValueError(
                f"The model cannot see {self.n_frames} frames of a clip that has only "
                f"{self.clip_frames}: use at most {self.clip_frames} frames, or longer clips. "
                f"Received: n_frames={self.n_frames!r}, clip_frames={self.clip_frames!r}."
            )
        low, high = IMAGE_SIZE_RANGE
        if not _is_int(self.image_size) or not low <= self.image_size <= high:
            raise ValueError(
                f"The frame size must be an integer from {low} to {high} pixels. "
                f"Received: image_size={self.image_size!r}."
            )
        if not _is_int(self.n_clips) or not 1 <= self.n_clips <= MAX_CLIPS:
            raise ValueError(
                f"The number of clips must be an integer from 1 to {MAX_CLIPS}. "
                f"Received: n_clips={self.n_clips!r}."
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
        if not _is_real(self.test_fraction) or not 0 < self.test_fraction < 1:
            raise ValueError(
                "The held-out fraction must be a number strictly between 0 and 1, e.g. 0.25. "
                f"Received: test_fraction={self.test_fraction!r}."
            )
        n_test = math.ceil(self.n_clips * self.test_fraction)
        n_classes = len(motion.MOTION_LABELS)
        if min(n_test, self.n_clips - n_test) < n_classes:
            raise ValueError(
                f"Too few clips: {self.n_clips} clips split {self.n_clips - n_test} for "
                f"training and {n_test} held out, but both parts need at least one clip of "
                f"each of the {n_classes} motions. Use more clips or a held-out fraction "
                f"nearer 0.5. Received: n_clips={self.n_clips!r}, "
                f"test_fraction={self.test_fraction!r}."
            )

    def _validate_architecture(self) -> None:
        if not _is_int(self.n_blocks) or not 1 <= self.n_blocks <= MAX_BLOCKS:
            raise ValueError(
                f"The number of conv blocks must be an integer from 1 to {MAX_BLOCKS}. "
                f"Received: n_blocks={self.n_blocks!r}."
            )
        if not _is_int(self.n_filters) or self.n_filters < 1:
            raise ValueError(
                "A conv block needs at least one filter: with zero filters it passes nothing "
                "on. Use 1 or more (4 to 16 is typical). "
                f"Received: n_filters={self.n_filters!r}."
            )
        last_filters = self.n_filters * 2 ** (self.n_blocks - 1)
        if last_filters > MAX_FILTERS:
            raise ValueError(
                f"Too many filters: they double in every block, so block {self.n_blocks} "
                f"would have {last_filters}, more than the {MAX_FILTERS} that train in "
                "seconds here. Use fewer filters or fewer conv blocks. "
                f"Received: n_filters={self.n_filters!r}, n_blocks={self.n_blocks!r}."
            )
        if not _is_int(self.kernel_size) or self.kernel_size < 1:
            raise ValueError(
                "The kernel size must be an integer of at least 1 (3 is typical). "
                f"Received: kernel_size={self.kernel_size!r}."
            )
        if not _is_int(self.units) or self.units < 1:
            layer = "GRU" if self.architecture == "cnn_gru" else "dense layer"
            raise ValueError(
                f"The {layer} needs at least one unit: with zero units it passes nothing on. "
                f"Use 1 or more (16 to 64 is typical). Received: units={self.units!r}."
            )
        if not _is_real(self.dropout) or not 0 <= self.dropout <= MAX_DROPOUT:
            raise ValueError(
                f"The dropout rate must be a number from 0 to {MAX_DROPOUT}: at 1 it would drop "
                f"every feature. Received: dropout={self.dropout!r}."
            )

    def _validate_sizes(self) -> None:
        side = self.image_size
        max_blocks = int(math.log2(side))
        if self.n_blocks > max_blocks:
            steps = " -> ".join(str(side // 2**step) for step in range(max_blocks + 1))
            raise ValueError(
                f"Too many conv blocks for {side}x{side} frames: each block's 2x2 pooling "
                f"halves the feature map ({steps}), so at most {max_blocks} blocks fit. "
                f"Use at most {max_blocks} conv blocks, or larger frames. "
                f"Received: n_blocks={self.n_blocks!r}, image_size={self.image_size!r}."
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
        return self.n_clips - math.ceil(self.n_clips * self.test_fraction)


@dataclasses.dataclass(frozen=True)
class VideoData:
    """Motion clips, split into training and held-out clips.

    Attributes:
        x_train: float32, shape `(n_train, n_frames, image_size, image_size, 3)` (RGB),
            values in [0, 1].
        y_train: int64, shape `(n_train,)`, indices into `labels`.
        x_test: float32, shape `(n_test, n_frames, image_size, image_size, 3)`.
        y_test: int64, shape `(n_test,)`.
        labels: the class names, `dlcore.data.motion.MOTION_LABELS`: "left", "right",
            "up", "down", "zoom_in", "zoom_out".
        preprocessing: how a clip becomes model input, for `prepare_clip`:
            `"n_frames"`: frames the model takes; `"frame_sampling"`: `"evenly spaced"`,
            the frames at `frame_indices(n_available, n_frames)`, first and last included,
            so the model sees the whole clip; `"image_size"`: `(height, width)` of a frame;
            `"crop"`: `"center square"`, each frame's middle square, before resizing;
            `"resize"`: `"area"`, each pixel the mean of the block of the original it
            covers; `"channels"`: 3 (RGB); `"value_range"`: `(0.0, 1.0)`, 8-bit values
            divided by 255.
        description: the clips' description, from `make_motion_clips`.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]
    description: str

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """`(n_frames, height, width, channels)` of one clip."""
        return tuple(int(size) for size in self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def n_classes(self) -> int:
        return len(self.labels)


def block_input_sizes(config: VideoConfig) -> list[tuple[int, int]]:
    """`(frames, side)` of what each conv block meets, first block first.

    Each block's 2x2 pooling halves the side; in "conv3d" each block after the first also
    halves the frames (the first keeps them all, to see the finest motion).

    Example:

    >>> block_input_sizes(VideoConfig(architecture="conv3d", n_blocks=3))
    [(8, 16), (8, 8), (4, 4)]
    """
    sizes = []
    for block in range(config.n_blocks):
        frames = config.n_frames
        if config.architecture == "conv3d" and block > 1:
            frames = config.n_frames // 2 ** (block - 1)
        sizes.append((frames, config.image_size // 2**block))
    return sizes


def load_video_data(config: VideoConfig) -> VideoData:
    """Generates the configured motion clips, keeps `n_frames` of each and splits them.

    `make_motion_clips(n_clips, frames=clip_frames, image_size=image_size, seed=seed)`
    draws the clips; the frames at `frame_indices(clip_frames, n_frames)` are kept; the
    split is scikit-learn's `train_test_split` with `stratify` and `random_state=seed`:
    `ceil(n_clips * test_fraction)` clips are held out.

    Args:
        config: the `VideoConfig`; validated first.

    Returns:
        A `VideoData`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_video_data(VideoConfig(n_clips=60, n_frames=4, clip_frames=8))
    >>> data.x_train.shape, data.x_test.shape
    ((45, 4, 16, 16, 3), (15, 4, 16, 16, 3))
    """
    config.validate()
    source = motion.make_motion_clips(
        config.n_clips,
        frames=config.clip_frames,
        image_size=config.image_size,
        seed=config.seed,
    )
    clips = source.clips[:, frame_indices(config.clip_frames, config.n_frames)]
    x_train, x_test, y_train, y_test = train_test_split(
        clips,
        source.target,
        test_size=config.test_fraction,
        stratify=source.target,
        random_state=config.seed,
    )
    return VideoData(
        x_train=np.ascontiguousarray(x_train, dtype=np.float32),
        y_train=y_train.astype(np.int64),
        x_test=np.ascontiguousarray(x_test, dtype=np.float32),
        y_test=y_test.astype(np.int64),
        labels=tuple(source.target_names),
        preprocessing={
            "n_frames": config.n_frames,
            "frame_sampling": "evenly spaced",
            "image_size": (config.image_size, config.image_size),
            "crop": "center square",
            "resize": "area",
            "channels": 3,
            "value_range": (0.0, 1.0),
        },
        description=source.DESCR,
    )


def example_clips(config: VideoConfig) -> np.ndarray:
    """One clip of each motion, with the frames the model would see: a quick preview.

    Drawn apart from the training clips (`make_motion_clips(6, ...)` with `config.seed`,
    a few milliseconds), with the frames kept as `load_video_data` keeps them.

    Args:
        config: the `VideoConfig`; validated first.

    Returns:
        float32, shape `(6, n_frames, image_size, image_size, 3)`, values in [0, 1]: clip
        i moves as `MOTION_LABELS[i]` says.

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    n_classes = len(motion.MOTION_LABELS)
    clips, target = motion.make_motion_clips(
        n_classes,
        frames=config.clip_frames,
        image_size=config.image_size,
        seed=config.seed,
        return_X_y=True,
    )
    return clips[np.argsort(target)][:, frame_indices(config.clip_frames, config.n_frames)]


def build_video_model(config: VideoConfig) -> Any:
    """Builds and compiles the configured video model with the Functional API.

    Layers, by name, after the input "clip":

    - "cnn_gru": "per_frame" (a `TimeDistributed` around the model "frame_cnn", which
      holds per block k = 1, 2, ... "conv_k" (`Conv2D`, ReLU) and "pool_k" (2x2 max
      pooling), then "flatten"), "gru" (a `GRU` that returns its last state);
    - "convlstm": per block "conv_lstm_k" (`ConvLSTM2D`; all but the last return every
      frame's state) and "pool_k" (2x2 max pooling of each frame's state), then
      "flatten", "dense" (ReLU);
    - "conv3d": per block "conv3d_k" (`Conv3D`, ReLU, a kernel of `kernel_size` frames
      and pixels) and "pool_k" (max pooling over 2x2 pixels, and 2 frames after the first
      block), then "flatten", "dense" (ReLU);

    then "dropout" (when `dropout` > 0) and "output" (softmax over the six motions,
    float32). Block k has `n_filters * 2**(k-1)` filters, every convolution pads ("same").
    Every initializer and the dropout have their own seed from `config.seed`, so the same
    config gives the same network without touching global random state.

    Compiled with Adam, sparse categorical cross-entropy, accuracy, and
    `steps_per_execution` of `STEPS_PER_CALL` batches (or one epoch's, if fewer): fewer
    TensorFlow calls than one per batch, yet short enough that progress shows and a Stop
    lands within a long epoch.

    Input shape:
        `(batch_size, n_frames, image_size, image_size, 3)`, float32 in [0, 1].

    Output shape:
        `(batch_size, 6)`, probabilities of the motions in `MOTION_LABELS`, summing to 1.

    Args:
        config: the `VideoConfig`; validated first.

    Returns:
        A compiled `keras.Model` named "video_<architecture>".

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    seeds = itertools.count(config.seed)
    side = config.image_size
    inputs = keras.Input((config.n_frames, side, side, 3), name="clip")
    if config.architecture == "cnn_gru":
        features = _per_frame_cnn(config, seeds)(inputs)
        features = keras.layers.GRU(
            config.units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name="gru",
        )(features)
    else:
        features = inputs
        for block in range(config.n_blocks):
            features = _video_block(config, block, seeds)(features)
            features = _pooling(config, block)(features)
        features = keras.layers.Flatten(name="flatten")(features)
        features = keras.layers.Dense(
            config.units,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name="dense",
        )(features)
    if config.dropout > 0:
        features = keras.layers.Dropout(config.dropout, seed=next(seeds), name="dropout")(features)
    outputs = keras.layers.Dense(
        len(motion.MOTION_LABELS),
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",  # a softmax stays in float32 under mixed precision
        name="output",
    )(features)
    model = keras.Model(inputs, outputs, name=f"video_{config.architecture}")
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=min(STEPS_PER_CALL, math.ceil(config.n_train / config.batch_size)),
    )
    return model


def train_video(
    model: Any,
    data: VideoData,
    config: VideoConfig,
    *,
    epochs: int,
    patience: int | None = None,
    history: History | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Trains the video model with `dlcore.training.fit.fit_live`; the held-out clips validate.

    The training clips are reshuffled every epoch with `config.seed`, in batches of
    `config.batch_size`; "val_loss" and "val_accuracy" are measured on the held-out clips
    after each epoch.

    Args:
        model: a model from `build_video_model(config)`.
        data: the `VideoData` from `load_video_data(config)`.
        config: the `VideoConfig` (for the batch size and the seed).
        epochs: `int` >= 1, epochs to run in this call.
        patience: stop once the held-out loss has not improved for this many epochs and
            keep the best epoch's weights; None trains every epoch. Defaults to None.
        history: a `History` from an earlier call on the same model, to continue it.
        on_epoch: called with an `EpochReport` after every epoch.
        on_progress: called as `on_progress(epoch, fraction)` inside long epochs.

    Returns:
        The `dlcore.training.fit.FitResult`.

    Raises:
        ValueError: If `epochs` < 1 or `patience` < 1.
    """
    return fit_live(
        model,
        (data.x_train, data.y_train),
        (data.x_test, data.y_test),
        epochs=epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        patience=patience,
        history=history,
        on_epoch=on_epoch,
        on_progress=on_progress,
    )


def predict_proba(model: Any, clips: ArrayLike, *, batch_size: int = 256) -> np.ndarray:
    """The model's class probabilities at inference, as `evaluation.predict_proba`.

    Args:
        model: a model from `build_video_model`.
        clips: float32, shape `(n, n_frames, height, width, 3)`, values in [0, 1].
        batch_size: `int` >= 1, clips per call. Defaults to 256.

    Returns:
        float32, shape `(n, n_classes)`, rows that sum to 1.
    """
    return evaluation.predict_proba(model, clips, batch_size=batch_size)


def confusion_matrix(model: Any, data: VideoData) -> np.ndarray:
    """Counts the held-out clips by true and predicted class.

    Returns:
        int64, shape `(n_classes, n_classes)`: `matrix[i, j]` held-out clips of class i
        predicted as class j. Row i sums to the number of held-out clips of class i.
    """
    return evaluation.confusion_matrix(predict_proba(model, data.x_test), data.y_test)


def misclassified(model: Any, data: VideoData, *, limit: int = 8) -> Misclassified:
    """The held-out clips the model gets wrong, the most confidently wrong first.

    Args:
        model: a model from `build_video_model`.
        data: the `VideoData` it was trained on.
        limit: `int` >= 0, the most clips returned. Defaults to 8.

    Returns:
        A `Misclassified` of at most `limit` clips; its indices are rows of `data.x_test`.
    """
    probabilities = predict_proba(model, data.x_test)
    return evaluation.misclassified(probabilities, data.y_test, limit=limit)


def feature_maps(model: Any, clip: ArrayLike) -> np.ndarray:
    """What the first block makes of every frame of one clip, at inference.

    - "cnn_gru": the ReLU maps of "conv_1" of the per-frame CNN, frame by frame: each
      frame is seen on its own, so a still frame gives the same maps wherever it stands;
    - "convlstm": the hidden state of "conv_lstm_1" after each frame (in [-1, 1]): its
      memory, which carries what earlier frames showed;
    - "conv3d": the ReLU maps of "conv3d_1", whose kernels span `kernel_size` frames, so
      each time step responds to change between neighbouring frames.

    Computed by a Keras sub-model of the trained model's own layers.

    Args:
        model: a model from `build_video_model`.
        clip: float32, shape `(n_frames, height, width, 3)`, values in [0, 1].

    Returns:
        float32, shape `(n_frames, height, width, n_filters)`.

    Raises:
        ValueError: If the clip's shape is not the model's input shape.
    """
    frames = _check_clip(model, clip)
    layer_names = {layer.name for layer in model.layers}
    if "per_frame" in layer_names:
        frame_cnn = model.get_layer("per_frame").layer
        probe = keras.Model(frame_cnn.input, frame_cnn.get_layer("conv_1").output)
        return np.asarray(probe(frames, training=False), dtype=np.float32)
    if "conv3d_1" in layer_names:
        probe = keras.Model(model.input, model.get_layer("conv3d_1").output)
        return np.asarray(probe(frames[np.newaxis], training=False), dtype=np.float32)[0]
    recurrent = model.get_layer("conv_lstm_1")
    if not recurrent.return_sequences:
        # With one block the layer returns only its last state: a copy with the same
        # weights that returns every frame's state.
        settings = {**recurrent.get_config(), "return_sequences": True, "name": "states"}
        recurrent_states = keras.layers.ConvLSTM2D.from_config(settings)
        recurrent_states.build((None, *frames.shape))
        recurrent_states.set_weights(recurrent.get_weights())
        return np.asarray(recurrent_states(frames[np.newaxis]), dtype=np.float32)[0]
    probe = keras.Model(model.input, recurrent.output)
    return np.asarray(probe(frames[np.newaxis], training=False), dtype=np.float32)[0]


def export_code(config: VideoConfig, *, epochs: int = 10) -> str:
    """Writes a standalone Python script that rebuilds and trains this configuration.

    The script needs numpy, scikit-learn and Keras 3. The clips come from the project's
    own generator, `dlcore.data.motion.make_motion_clips` (for the data only: the
    rendering is too long to copy, so the script runs from the project's folder); the
    frame sampling, the stratified split and the model, layer by layer with the same
    seeds, are plain code in the script. It trains with `model.fit` and saves a `.keras`
    file. Run it as `python script.py --epochs N --output model.keras`; the `EPOCHS`
    environment variable sets the default number of epochs. It prints
    "Test accuracy: 0.xxxx" and "Saved <path>".

    Args:
        config: the `VideoConfig`; validated first.
        epochs: `int` >= 1, the script's default number of epochs. Defaults to 10.

    Returns:
        The script's source code.

    Raises:
        ValueError: If the config is invalid or `epochs` < 1.
    """
    config.validate()
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"`epochs` must be an integer >= 1. Received: epochs={epochs!r}.")
    output = f"video_{config.architecture}.keras"
    dropout_lines = (
        '    x = keras.layers.Dropout(DROPOUT, seed=next(seeds), name="dropout")(x)\n'
        if config.dropout > 0
        else ""
    )
    header = f'''\
"""Video model ({config.architecture}) on generated motion clips, exported by Deep Learning \
Studio.

Tells which way the content of a clip moves: {", ".join(motion.MOTION_LABELS)}.
Needs numpy, scikit-learn and Keras 3. The clips come from Deep Learning Studio's own
generator (dlcore.data.motion), too long to copy here: run this script from the
project's folder.
Run: python this_script.py --epochs {epochs} --output {output}
(the EPOCHS environment variable sets the default number of epochs).
"""

import argparse
import itertools
import math
import os

import keras
import numpy as np
from sklearn.model_selection import train_test_split

# Deep Learning Studio's own clip generator, for the data only: the model is plain Keras.
from dlcore.data.motion import make_motion_clips

N_CLIPS = {config.n_clips!r}
CLIP_FRAMES = {config.clip_frames!r}  # frames of each generated clip
N_FRAMES = {config.n_frames!r}  # evenly spaced frames of each clip that the model sees
IMAGE_SIZE = {config.image_size!r}
TEST_FRACTION = {float(config.test_fraction)!r}
N_BLOCKS = {config.n_blocks!r}
N_FILTERS = {config.n_filters!r}  # in the first block, doubled in each further block
KERNEL_SIZE = {config.kernel_size!r}
UNITS = {config.units!r}
DROPOUT = {float(config.dropout)!r}
LEARNING_RATE = {float(config.learning_rate)!r}
BATCH_SIZE = {config.batch_size!r}
SEED = {config.seed!r}
'''
    body = f'''

def load_data():
    """Clips (n, N_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3) in [0, 1], labels (n,), class names."""
    clips = make_motion_clips(N_CLIPS, frames=CLIP_FRAMES, image_size=IMAGE_SIZE, seed=SEED)
    # N_FRAMES evenly spaced frames, first and last included.
    kept = np.round(np.linspace(0, CLIP_FRAMES - 1, N_FRAMES)).astype(np.int64)
    return clips.clips[:, kept], clips.target, list(clips.target_names)


def glorot(seeds):
    """A Glorot-uniform initializer with the next seed: the same weights on every run."""
    return keras.initializers.GlorotUniform(seed=next(seeds))


def build_model(n_classes, steps_per_epoch):
    seeds = itertools.count(SEED)  # each initializer and the dropout take the next seed
    inputs = keras.Input((N_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3), name="clip")
{_ARCHITECTURE_CODE[config.architecture]}{dropout_lines}    outputs = keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=glorot(seeds),
        dtype="float32",
        name="output",
    )(x)
    model = keras.Model(inputs, outputs, name="video_{config.architecture}")
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        # One call runs a whole epoch's batches: much faster on a CPU for a small model.
        steps_per_execution=steps_per_epoch,
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", {epochs})))
    parser.add_argument("--output", default="{output}")
    args = parser.parse_args()
    keras.utils.set_random_seed(SEED)  # the shuffling of the training clips
    clips, labels, class_names = load_data()
    x_train, x_test, y_train, y_test = train_test_split(
        clips, labels, test_size=TEST_FRACTION, stratify=labels, random_state=SEED
    )
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)
    steps_per_epoch = math.ceil(len(x_train) / BATCH_SIZE)
    model = build_model(len(class_names), steps_per_epoch)
    model.summary()
    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(x_test, y_test),
        verbose=2,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {{loss:.4f}}")
    print(f"Test accuracy: {{accuracy:.4f}}")
    model.save(args.output)
    print(f"Saved {{args.output}}")


if __name__ == "__main__":
    main()
'''
    return header + body


# `build_model`'s middle in the exported script, from the input `inputs` to the features
# `x` before the dropout; the seeds are drawn in the same order as `build_video_model`.
_ARCHITECTURE_CODE = {
    "cnn_gru": """\
    # The same small CNN is applied to every frame on its own.
    frame = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3), name="frame")
    x = frame
    for block in range(N_BLOCKS):
        x = keras.layers.Conv2D(
            N_FILTERS * 2**block,
            KERNEL_SIZE,
            padding="same",
            activation="relu",
            kernel_initializer=glorot(seeds),
            name=f"conv_{block + 1}",
        )(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool_{block + 1}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    frame_cnn = keras.Model(frame, x, name="frame_cnn")
    x = keras.layers.TimeDistributed(frame_cnn, name="per_frame")(inputs)
    # The GRU reads the frames' feature vectors in order and keeps its last state.
    x = keras.layers.GRU(
        UNITS,
        kernel_initializer=glorot(seeds),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        name="gru",
    )(x)
""",
    "convlstm": """\
    x = inputs
    for block in range(N_BLOCKS):
        last = block == N_BLOCKS - 1
        # An LSTM whose gates are convolutions: its memory is a stack of feature maps.
        x = keras.layers.ConvLSTM2D(
            N_FILTERS * 2**block,
            KERNEL_SIZE,
            padding="same",
            return_sequences=not last,
            kernel_initializer=glorot(seeds),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            name=f"conv_lstm_{block + 1}",
        )(x)
        if last:
            x = keras.layers.MaxPooling2D(2, name=f"pool_{block + 1}")(x)
        else:  # pool every frame's state
            x = keras.layers.TimeDistributed(
                keras.layers.MaxPooling2D(2), name=f"pool_{block + 1}"
            )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(
        UNITS, activation="relu", kernel_initializer=glorot(seeds), name="dense"
    )(x)
""",
    "conv3d": """\
    x = inputs
    for block in range(N_BLOCKS):
        # Each kernel spans KERNEL_SIZE frames as well as KERNEL_SIZE x KERNEL_SIZE pixels.
        x = keras.layers.Conv3D(
            N_FILTERS * 2**block,
            KERNEL_SIZE,
            padding="same",
            activation="relu",
            kernel_initializer=glorot(seeds),
            name=f"conv3d_{block + 1}",
        )(x)
        # The first block keeps every frame; the later ones halve the frames too.
        pool_frames = 1 if block == 0 else 2
        x = keras.layers.MaxPooling3D((pool_frames, 2, 2), name=f"pool_{block + 1}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(
        UNITS, activation="relu", kernel_initializer=glorot(seeds), name="dense"
    )(x)
""",
}


def _per_frame_cnn(config: VideoConfig, seeds: Iterator[int]) -> Any:
    """The "cnn_gru" frame CNN, wrapped to run on every frame: "per_frame"."""
    side = config.image_size
    frame = keras.Input((side, side, 3), name="frame")
    features = frame
    for block in range(config.n_blocks):
        features = keras.layers.Conv2D(
            config.n_filters * 2**block,
            config.kernel_size,
            padding="same",
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"conv_{block + 1}",
        )(features)
        features = keras.layers.MaxPooling2D(2, name=f"pool_{block + 1}")(features)
    features = keras.layers.Flatten(name="flatten")(features)
    frame_cnn = keras.Model(frame, features, name="frame_cnn")
    return keras.layers.TimeDistributed(frame_cnn, name="per_frame")


def _video_block(config: VideoConfig, block: int, seeds: Iterator[int]) -> Any:
    """Block `block` (from 0) of "convlstm" or "conv3d": its ConvLSTM2D or Conv3D layer."""
    n_filters = config.n_filters * 2**block
    initializer = keras.initializers.GlorotUniform(seed=next(seeds))
    if config.architecture == "conv3d":
        return keras.layers.Conv3D(
            n_filters,
            config.kernel_size,
            padding="same",
            activation="relu",
            kernel_initializer=initializer,
            name=f"conv3d_{block + 1}",
        )
    return keras.layers.ConvLSTM2D(
        n_filters,
        config.kernel_size,
        padding="same",
        return_sequences=block < config.n_blocks - 1,
        kernel_initializer=initializer,
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        name=f"conv_lstm_{block + 1}",
    )


def _pooling(config: VideoConfig, block: int) -> Any:
    """The 2x2 max pooling after block `block` (from 0) of "convlstm" or "conv3d"."""
    name = f"pool_{block + 1}"
    if config.architecture == "conv3d":
        return keras.layers.MaxPooling3D((1 if block == 0 else 2, 2, 2), name=name)
    if block < config.n_blocks - 1:  # the ConvLSTM returned every frame's state
        return keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2), name=name)
    return keras.layers.MaxPooling2D(2, name=name)


def _check_clip(model: Any, clip: ArrayLike) -> np.ndarray:
    frames = np.asarray(clip, dtype=np.float32)
    expected = tuple(model.input_shape[1:])
    if frames.shape != expected:
        raise ValueError(
            f"The clip must have the model's input shape {expected} (frames, height, width, "
            f"channels). Received: shape {frames.shape}."
        )
    return frames


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
