"""Video model: train a network to tell which way the content of a short clip moves."""

import streamlit as st

from ui.presenter import explain, show_figure
from ui.settings import PageSettings
from ui.trainer import draw_history, show_run_status, trainer_run, training_buttons
from ui.trainer_flow import (
    chart_drawing,
    export_section,
    kept,
    score_once,
    settings_changed_note,
    train_and_score,
)
from ui.trainer_settings import (
    epochs_inputs,
    rate_and_batch_inputs,
    seed_input,
    split_inputs,
    validated,
)

PAGE = "video"
settings = PageSettings(PAGE)

ARCHITECTURE_TITLES = {
    "cnn_gru": "CNN per frame + GRU",
    "convlstm": "ConvLSTM",
    "conv3d": "Conv3D",
}
ARCHITECTURE_NOTES = {
    "cnn_gru": "A small CNN looks at every frame on its own; a GRU then reads the frames' "
    "feature vectors in order and compares them. The quickest to train here.",
    "convlstm": "An LSTM whose gates are convolutions: its memory is a stack of feature maps "
    "that follows the content from frame to frame. The slowest to train here (several times "
    "slower per epoch).",
    "conv3d": "Each kernel spans a few frames as well as a few pixels, so one kernel can "
    "respond to an edge that moves. Often flat for a few epochs, then it learns at once; "
    "a few times slower per epoch than the GRU.",
}
FIRST_BLOCK_NOTES = {
    "cnn_gru": "The per-frame CNN's first convolution (after ReLU) on each frame: every frame "
    "is seen on its own, so the map moves with the content but knows nothing of the others.",
    "convlstm": "The first ConvLSTM's hidden state after each frame (between -1 and 1): its "
    "memory builds up over the clip.",
    "conv3d": "The first Conv3D's output (after ReLU) at each frame: each value mixes "
    "neighbouring frames, so it can respond to motion itself.",
}
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01]

st.title("Video model")
explain(
    "Each clip shows a shape or a piece of a photo that moves **left**, **right**, **up** "
    "or **down**, or **zooms in** or **out**; in half of them the camera moves, so the "
    "background moves too. One frame alone can't tell which: a model has to compare frames. "
    "Choose how it does that, press **Train**, and see which motions it confuses and what "
    "its first layer makes of each frame."
)

settings_column, output_column = st.columns([1, 1.7], gap="large")
with settings_column:
    clips_tab, network_tab, training_tab = st.tabs(["Clips", "Network", "Training"])
with clips_tab:
    n_clips = st.select_slider(
        "Clips", [300, 600, 1200, 2400, 4800], 2400, **settings.bind("clips")
    )  # 2400, dlcore.trainers.video.PAGE_CLIPS: enough to learn every motion
    clip_frames = st.select_slider(
        "Frames per generated clip",
        [4, 8, 12, 16, 24, 32, 48, 64],
        32,
        help="The content moves a fixed distance per frame of the clip (less than a pixel), "
        "so in a longer clip the frames the model sees are further apart and the motion "
        "between them is larger.",
        **settings.bind("clip_frames"),
    )
    n_frames = st.slider(
        "Frames the model sees",
        2,
        16,
        8,
        help="Evenly spaced over the clip, the first and the last included.",
        **settings.bind("frames"),
    )
    image_size = st.select_slider(
        "Frame size (pixels)", [8, 12, 16, 24, 32, 48, 64], 16, **settings.bind("size")
    )
    validation_fraction, test_fraction = split_inputs(
        settings,
        validation=(0.1, 0.3, 0.15, 0.05),
        test=(0.1, 0.3, 0.15, 0.05),
        validation_help="Clips the live curves and early stopping watch.",
        test_help="Clips held out until training ends, then scored once: the test accuracy.",
    )
with network_tab:
    architecture = st.selectbox(
        "Architecture",
        list(ARCHITECTURE_TITLES),
        format_func=ARCHITECTURE_TITLES.get,
        **settings.bind("architecture"),
    )
    st.caption(ARCHITECTURE_NOTES[architecture])
    n_blocks = st.slider("Conv blocks", 1, 4, 2, **settings.bind("blocks"))
    n_filters = st.select_slider(
        "Filters in the first block",
        [1, 2, 4, 8, 16, 32, 64],
        16,
        help="Each further block has twice as many.",
        **settings.bind("filters"),
    )
    kernel_size = st.slider(
        "Kernel size",
        1,
        9,
        3,
        help="In pixels; for Conv3D also in frames.",
        **settings.bind("kernel"),
    )
    units = st.select_slider(
        "GRU units" if architecture == "cnn_gru" else "Dense units",
        [4, 8, 16, 32, 64, 128],
        32,
        **settings.bind("units"),
    )
    dropout = st.slider("Dropout", 0.0, 0.7, 0.2, 0.1, **settings.bind("dropout"))
with training_tab:
    learning_rate, batch_size = rate_and_batch_inputs(
        settings, LEARNING_RATES, 0.001, [4, 8, 16, 32, 64], 16, rate_label="Learning rate (Adam)"
    )
    epochs, patience = epochs_inputs(
        settings, [1, 2, 4, 8, 12, 20, 40], 8, patience=("off", 2, 3, 5)
    )
    seed = seed_input(
        settings, help="The same seed draws the same clips, split and initial weights."
    )

from dlcore.trainers import video  # noqa: E402  (TensorFlow starts here)

config = validated(
    lambda: video.Config(
        architecture=architecture,
        n_frames=n_frames,
        clip_frames=clip_frames,
        image_size=image_size,
        n_clips=n_clips,
        n_blocks=n_blocks,
        n_filters=n_filters,
        kernel_size=kernel_size,
        units=units,
        dropout=dropout,
        learning_rate=learning_rate,
        batch_size=batch_size,
        validation_fraction=validation_fraction,
        test_fraction=test_fraction,
        seed=seed,
    ),
    where=settings_column,
)

run = trainer_run(PAGE)
with output_column:
    action = training_buttons(PAGE, can_train=config is not None)

from dlcore.data.motion import MOTION_LABELS  # noqa: E402
from dlcore.figures.training import confusion_figure  # noqa: E402
from dlcore.figures.video_model import clips_figure, feature_map_figure, mistakes_figure  # noqa: E402
from dlcore.training.history import History  # noqa: E402

CLIP_FIELDS = (
    "n_clips",
    "clip_frames",
    "n_frames",
    "image_size",
    "validation_fraction",
    "test_fraction",
    "seed",
)
"""The settings that make the clips and their split: the rest only build and train."""


@st.cache_resource(show_spinner="Generating the clips…", max_entries=2)
def clip_data(*settings: object):
    """The split clips, shared read-only by every browser session with the same settings."""
    return video.load_data(video.Config(**dict(zip(CLIP_FIELDS, settings, strict=True))))


def load_data(shown: video.Config):
    return clip_data(*(getattr(shown, field) for field in CLIP_FIELDS))


def live(run) -> object:
    def text(report) -> str:
        return f"Epoch {report.epoch} · validation accuracy {report.logs['val_accuracy']:.1%}"

    drawing = chart_drawing(
        PAGE, run, draw_history, total_epochs=run.epochs_trained + epochs, text=text
    )
    chart = drawing.chart
    # Inside a long epoch, only the bar moves; a Stop then keeps the last epoch.
    drawing.fit_options["on_progress"] = lambda epoch, done: chart.progress(
        (epoch - 1 + done) / chart.total_epochs, text=f"Epoch {epoch}: {done:.0%}"
    )
    return drawing


def show_results(data) -> None:
    scores = score_once(run, video, data)
    st.metric(
        "Test accuracy",
        f"{scores['test_accuracy']:.1%}",
        help="On the test clips, held out from training and early stopping, scored once.",
    )
    show_figure(
        confusion_figure(
            kept(run, "confusion", lambda: video.confusion_matrix(run.model, data)),
            data.labels,
            title="Confusion matrix (test clips)",
        ),
        key=f"{PAGE}.chart.confusion",
    )
    wrong = kept(run, "wrong", lambda: video.misclassified(run.model, data, limit=4))
    if len(wrong):
        clips = data.x_test[wrong.indices]
        figure = mistakes_figure(clips, wrong.true, wrong.predicted, wrong.confidence, data.labels)
        show_figure(figure, key=f"{PAGE}.chart.wrong")
    else:
        st.success("Every test clip is classified correctly.", icon=":material/check:")

    st.subheader("Inside the first block", divider="gray")
    st.caption(FIRST_BLOCK_NOTES[run.config.architecture])
    clip_column, filter_column = st.columns(2)
    settings.keep_within("clip", 1, len(data.y_test))
    clip_number = clip_column.number_input(
        "Test clip", 1, len(data.y_test), 1, **settings.bind("clip")
    )
    filter_number = 1
    if run.config.n_filters > 1:
        settings.keep_within("filter", 1, run.config.n_filters)
        filter_number = filter_column.slider(
            "Filter", 1, run.config.n_filters, 1, **settings.bind("filter")
        )
    clip = data.x_test[clip_number - 1]
    label = data.labels[data.y_test[clip_number - 1]]
    show_figure(
        clips_figure(clip[None], [label], title=f"Test clip {clip_number}: {label}"),
        key=f"{PAGE}.chart.clip",
    )
    maps = video.feature_maps(run.model, clip)
    show_figure(
        feature_map_figure(maps[..., filter_number - 1], title=f"Filter {filter_number}"),
        key=f"{PAGE}.chart.maps",
    )


if action == "train" and config is not None:
    data = load_data(config)
    with output_column:
        train_and_score(
            run,
            video,
            config,
            data,
            what="Video model",
            epochs=epochs,
            live=live,
            new_history=History,
            patience=patience,
            register=lambda scores: {
                "title": f"{ARCHITECTURE_TITLES[config.architecture]} on motion clips "
                f"({scores['test_accuracy']:.1%})"
            },
        )

with output_column:
    settings_changed_note(run, config)
    show_run_status(
        run, what=ARCHITECTURE_TITLES[run.config.architecture] if run.config else "Video model"
    )
    if run.is_trained:
        show_figure(draw_history(run), key=f"{PAGE}.chart.history")
        show_results(load_data(run.config))
    elif config is not None:
        examples = video.example_clips(config)
        show_figure(
            clips_figure(
                examples, list(MOTION_LABELS), title="One clip of each motion, as the model sees it"
            ),
            key=f"{PAGE}.chart.examples",
        )

export_section(
    PAGE,
    video,
    run,
    config,
    epochs=max(epochs, run.epochs_trained),
    file_stem=f"video_{config.architecture}" if config else "",
)
