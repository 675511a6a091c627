"""The Video model page's views of its trained network: the test results, and what its first
block makes of each frame of a test clip.

The page (app_pages/video_model.py) holds the settings and the training flow; it imports this
module once TensorFlow has started, after its widgets.
"""

from __future__ import annotations

import streamlit as st

from dlcore.figures.style import human_label
from dlcore.figures.video_model import clips_figure, feature_map_figure, mistakes_figure
from dlcore.trainers import video
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import TrainerRun
from ui.trainer_flow import after_training, kept, score_once, show_confusion

FIRST_BLOCK_NOTES = {
    "cnn_gru": "The per-frame CNN's first convolution (after ReLU) on each frame: every frame "
    "is seen on its own, so the map moves with the content but knows nothing of the others.",
    "convlstm": "The first ConvLSTM's hidden state after each frame (between -1 and 1): its "
    "memory builds up over the clip.",
    "conv3d": "The first Conv3D's output (after ReLU) at each frame: each value mixes "
    "neighbouring frames, so it can respond to motion itself.",
}
"""What the first block's maps show, by architecture."""


def show_results(run: TrainerRun, data: video.VideoData, settings: PageSettings) -> None:
    """The trained model: its test accuracy, confusion matrix and mistakes, then inside its
    first block."""
    page = settings.page
    scores = score_once(run, video, data)
    st.metric(
        "Test accuracy",
        f"{scores['test_accuracy']:.1%}",
        help="On the test clips, held out from training and early stopping, scored once.",
    )
    show_confusion(page, run, video, data, title="Confusion matrix (test clips)")
    wrong = kept(
        run,
        "wrong",
        lambda: video.misclassified(run.model, data, limit=4),
        step="Finding the test clips the model gets wrong…",
    )
    if len(wrong):
        clips = data.x_test[wrong.indices]
        labels = [human_label(label) for label in data.labels]
        figure = mistakes_figure(clips, wrong.true, wrong.predicted, wrong.confidence, labels)
        show_figure(figure, key=f"{page}.chart.wrong", across_page=True)
    else:
        st.success("Every test clip is classified correctly.", icon=":material/check:")
    show_first_block(run, data, settings)


def show_first_block(run: TrainerRun, data: video.VideoData, settings: PageSettings) -> None:
    """One test clip, chosen by number, and one filter's maps of the first block over it."""
    st.subheader("Inside the first block", divider="gray")
    st.caption(FIRST_BLOCK_NOTES[run.config.architecture])
    clip_column, filter_column = st.columns(2)
    settings.keep_within("clip", 1, len(data.y_test))
    clip_number = clip_column.number_input(
        f"Test clip (1 to {len(data.y_test)})", 1, len(data.y_test), 1, **settings.bind("clip")
    )
    filter_number = 1
    if run.config.n_filters > 1:
        settings.keep_within("filter", 1, run.config.n_filters)
        filter_number = filter_column.slider(
            "Filter", 1, run.config.n_filters, 1, **settings.bind("filter")
        )
    clip = data.x_test[clip_number - 1]
    label = human_label(data.labels[data.y_test[clip_number - 1]])
    title = f"Test clip {clip_number} of {len(data.y_test)}: {label}"
    show_figure(
        clips_figure(clip[None], [label], title=title),
        key=f"{settings.page}.chart.clip",
        across_page=True,
    )
    with after_training("Running the first block over the clip…"):
        maps = video.feature_maps(run.model, clip)
    show_figure(
        feature_map_figure(maps[..., filter_number - 1], title=f"Filter {filter_number}"),
        key=f"{settings.page}.chart.maps",
        across_page=True,
    )
