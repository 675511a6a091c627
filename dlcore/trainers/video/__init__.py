"""The video model trainer: tell which way a camera, or the content it films, moves.

The logic behind the Video model page, with the names of every trainer
(`dlcore.trainers`). The clips are `dlcore.data.motion`'s generated colour clips in which
a hand-held camera pans left or right, tilts up or down, or zooms in or out over a scene,
or content moves that way over a still background; no single frame tells the class, so
a model must compare frames (each frame's change from the one before helps it most).
Three families of video model do that, each built by `motion_model` with the Functional
API:

- "cnn_gru": a small 2-D CNN applied to every frame on its own (`TimeDistributed`), whose
  per-frame feature vectors a GRU reads in order (as in the keras.io example "Video
  classification with a CNN-RNN architecture");
- "convlstm": `ConvLSTM2D` layers, LSTMs whose gates are convolutions, so that their
  memory is itself a feature map that follows the content across frames;
- "conv3d": `Conv3D` blocks whose kernels span a few frames as well as a few pixels, so
  that a single kernel can respond to an edge that moves.

A `Config` holds the page's settings; `load_data` generates the clips, keeps `n_frames`
evenly spaced frames of each and splits them three ways, stratified by motion
(`example_clips` shows one clip of each motion); `build_model` builds the compiled model;
`fit` trains it through `dlcore.training.fit.fit_live`, watching the validation clips;
`evaluate` scores the test clips once, at the end. `confusion_matrix`, `misclassified`
and `feature_maps` look inside the trained model, and `export_code` writes a standalone
Keras script for the same configuration.

Example:

>>> config = Config(n_clips=PAGE_CLIPS)
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=8)   # doctest: +SKIP
>>> evaluate(model, data)["test_accuracy"] >= 0.9 # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from dlcore.concepts.optimizers import make_optimizer
from dlcore.data import motion
from dlcore.data.split import SplitData, split_as_configured
from dlcore.preprocess import frame_indices
from dlcore.trainers._arguments import builder_arguments
from dlcore.trainers.video.analysis import (
    confusion_matrix,
    feature_maps,
    misclassified,
    predict_proba,
)
from dlcore.trainers.video.config import (
    ARCHITECTURES,
    IMAGE_SIZE_RANGE,
    MAX_BLOCKS,
    MAX_CLIP_FRAMES,
    MAX_CLIPS,
    MAX_DROPOUT,
    MAX_FILTERS,
    MAX_VIDEO_MEGABYTES,
    PAGE_CLIPS,
    STEPS_PER_CALL,
    Config,
    block_input_sizes,
)
from dlcore.trainers.video.export import export_code
from dlcore.trainers.video.model import motion_model
from dlcore.training import evaluation
from dlcore.training.compiling import compile_model, epoch_batches
from dlcore.training.fit import fit_split

TASK = "motion"
"""What the models predict, for the Video try-it page: the motion of a clip."""


__all__ = [
    "ARCHITECTURES",
    "IMAGE_SIZE_RANGE",
    "MAX_BLOCKS",
    "MAX_CLIPS",
    "MAX_CLIP_FRAMES",
    "MAX_DROPOUT",
    "MAX_FILTERS",
    "MAX_VIDEO_MEGABYTES",
    "PAGE_CLIPS",
    "STEPS_PER_CALL",
    "TASK",
    "Config",
    "VideoData",
    "all_clips",
    "block_input_sizes",
    "build_model",
    "confusion_matrix",
    "evaluate",
    "example_clips",
    "export_code",
    "feature_maps",
    "fit",
    "load_data",
    "misclassified",
    "motion_model",
    "predict_proba",
]


@dataclasses.dataclass(frozen=True)
class VideoData(SplitData):
    """Motion clips, split into training, validation and test clips.

    Attributes:
        x_train, x_val, x_test: float32, shape `(n, n_frames, image_size, image_size, 3)`
            (RGB), values in [0, 1].
        y_train, y_val, y_test: int64, shape `(n,)`, indices into `labels`.
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

    description: str = ""


def _generate(config: Config) -> tuple[np.ndarray, Any]:
    """The configured clips with the frames the model sees, and `make_motion_clips`'s Bunch."""
    config.validate()
    source = motion.make_motion_clips(
        config.n_clips,
        frames=config.clip_frames,
        image_size=config.image_size,
        camera_share=config.camera_share,
        seed=config.seed,
    )
    return source.clips[:, frame_indices(config.clip_frames, config.n_frames)], source


def all_clips(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Every generated clip, with the frames the model sees, before any split.

    `make_motion_clips(n_clips, frames=clip_frames, image_size=image_size,
    camera_share=camera_share, seed=seed)` draws the clips; the frames at
    `frame_indices(clip_frames, n_frames)` are kept.

    Returns:
        `(clips, target)`: float32 `(n_clips, n_frames, image_size, image_size, 3)` in
        [0, 1], and int `(n_clips,)` indices into `MOTION_LABELS`.

    Raises:
        ValueError: If the config is invalid.
    """
    clips, source = _generate(config)
    return clips, source.target


def load_data(config: Config) -> VideoData:
    """Generates the configured motion clips, keeps `n_frames` of each and splits them.

    The clips are `all_clips(config)`'s; the split is `dlcore.data.split.split_indices`,
    stratified by motion with `config.seed`: `ceil(n_clips * test_fraction)` test clips
    first, then `ceil(n_clips * validation_fraction)` validation clips.

    Args:
        config: the `Config`; validated first.

    Returns:
        A `VideoData`: float32 clips `(n, n_frames, image_size, image_size, 3)` in
        [0, 1], and int64 motions `(n,)`.

    Raises:
        ValueError: If the config is invalid.

    Example:

    >>> data = load_data(Config(n_clips=60, n_frames=4, clip_frames=8))
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape
    ((42, 4, 16, 16, 3), (9, 4, 16, 16, 3), (9, 4, 16, 16, 3))
    """
    clips, source = _generate(config)
    target = source.target.astype(np.int64)
    return VideoData.from_indices(
        np.asarray(clips, dtype=np.float32),  # each part's rows are a contiguous copy
        target,
        split_as_configured(target, config),
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


def example_clips(config: Config) -> np.ndarray:
    """One clip of each motion, with the frames the model would see: a quick preview.

    Drawn apart from the training clips (`make_motion_clips(6, ...)` with `config.seed`,
    a few milliseconds), with the frames kept as `load_data` keeps them.

    Args:
        config: the `Config`; validated first.

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
        camera_share=config.camera_share,
        seed=config.seed,
        return_X_y=True,
    )
    return clips[np.argsort(target)][:, frame_indices(config.clip_frames, config.n_frames)]


def build_model(config: Config, data: VideoData) -> Any:
    """Builds the configured video model with `motion_model` and compiles it.

    Compiled with Adam, sparse categorical cross-entropy, accuracy, and
    `steps_per_execution` of `STEPS_PER_CALL` batches (or one epoch's, if fewer): fewer
    TensorFlow calls than one per batch, yet short enough that progress shows and a Stop
    lands within a long epoch.

    Args:
        config: the `Config`; validated first.
        data: the `VideoData` from `load_data(config)`: the clips' shape, the classes and
            the training clips' count.

    Returns:
        A compiled `keras.Model` named "video_<architecture>" (see `motion_model`).

    Raises:
        ValueError: If the config is invalid.
    """
    config.validate()
    arguments = builder_arguments(motion_model, config)
    model = motion_model(config.architecture, data.input_shape, data.n_classes, **arguments)
    one_epoch = epoch_batches(len(data.y_train), config.batch_size)
    return compile_model(
        model,
        make_optimizer("adam", learning_rate=config.learning_rate),
        steps_per_execution=min(STEPS_PER_CALL, one_epoch),
    )


fit = fit_split
"""Trains the video model on the training clips: `dlcore.training.fit.fit_split`, with its
options (`on_epoch`, `patience`, `history`, `stop`, `on_progress`). The validation clips
give "val_loss" and "val_accuracy" and drive early stopping; the test clips are not
looked at."""


def evaluate(model: Any, data: VideoData) -> dict[str, float]:
    """The test score, computed once at the end: `{"test_loss": ..., "test_accuracy": ...}`."""
    return evaluation.test_scores(model, data)
