"""Video model: train a network to tell which way a camera, or the content it films, moves."""

import streamlit as st

from ui import trainer_flow
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import draw_history, show_run_status
from ui.trainer_settings import TrainingOptions, split_inputs, training_inputs, validated

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
TRAINING = TrainingOptions(
    learning_rates=([0.0001, 0.0003, 0.001, 0.003, 0.01], 0.001),
    rate_label="Learning rate (Adam)",
    batch_sizes=([4, 8, 16, 32, 64], 16),
    epochs=([1, 2, 4, 8, 12, 20, 40], 8),
    patience=("off", 2, 3, 5),
    seed_help="The same seed draws the same clips, split and initial weights.",
)

settings_column, output_column, (clips_tab, network_tab, training_tab) = (
    trainer_flow.trainer_layout(
        "Video model",
        "In half of the clips a hand-held camera pans **left** or **right**, tilts **up** or "
        "**down**, or **zooms in** or **out** over a photo, so the whole scene slides the other "
        "way; in the others a shape or a piece of a photo moves that way over a still "
        "background. One frame alone can't tell which: a model has to compare frames. "
        "Choose how it does that, press **Train**, and see which motions it confuses and what "
        "its first layer makes of each frame.",
        tabs=("Clips", "Network", "Training"),
    )
)
with clips_tab:
    clips = {  # the config fields set as they are
        "n_clips": st.select_slider(
            "Clips", [300, 600, 1200, 2400, 4800], 2400, **settings.bind("clips")
        ),  # 2400, dlcore.trainers.video.PAGE_CLIPS: enough to learn every motion
        "clip_frames": st.select_slider(
            "Frames per generated clip",
            [4, 8, 12, 16, 24, 32, 48, 64],
            32,
            help="The content moves a fixed distance per frame of the clip (less than a pixel), "
            "so in a longer clip the frames the model sees are further apart and the motion "
            "between them is larger.",
            **settings.bind("clip_frames"),
        ),
        "n_frames": st.slider(
            "Frames the model sees",
            2,
            16,
            8,
            help="Evenly spaced over the clip, the first and the last included.",
            **settings.bind("frames"),
        ),
        "image_size": st.select_slider(
            "Frame size (pixels)", [8, 12, 16, 24, 32, 48, 64], 16, **settings.bind("size")
        ),
        "camera_share": st.select_slider(
            "Clips filmed by a moving camera",
            [0.0, 0.25, 0.5, 0.75, 1.0],
            0.5,
            format_func=lambda share: f"{share:.0%}",
            help="A hand-held camera that pans, tilts or zooms over a photo or a pattern, "
            "shaking a little. The others show content moving over a still background: "
            "with none of these, a model reads a real pan the wrong way.",
            **settings.bind("camera"),
        ),
    }
    split = split_inputs(
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
    network = {  # the config fields set as they are
        "n_blocks": st.slider("Conv blocks", 1, 4, 2, **settings.bind("blocks")),
        "n_filters": st.select_slider(
            "Filters in the first block",
            [1, 2, 4, 8, 16, 32, 64],
            16,
            help="Each further block has twice as many.",
            **settings.bind("filters"),
        ),
        "kernel_size": st.slider(
            "Kernel size",
            1,
            9,
            3,
            help="In pixels; for Conv3D also in frames.",
            **settings.bind("kernel"),
        ),
        "units": st.select_slider(
            "GRU units" if architecture == "cnn_gru" else "Dense units",
            [4, 8, 16, 32, 64, 128],
            32,
            **settings.bind("units"),
        ),
        "dropout": st.slider("Dropout", 0.0, 0.7, 0.2, 0.1, **settings.bind("dropout")),
        "frame_changes": st.checkbox(
            "Show the model each frame's change from the one before",
            True,
            help="Six channels per pixel instead of three: the frame, and how much each "
            "pixel changed. A camera's pan moves every pixel by a fraction of a pixel; "
            "the change shows it directly, and the model learns camera motion in a few "
            "epochs instead of staying near chance.",
            **settings.bind("changes"),
        ),
    }
with training_tab:
    training = training_inputs(settings, TRAINING)

from dlcore.trainers import video  # noqa: E402  (TensorFlow starts here)

config = validated(
    lambda: video.Config(
        **clips,
        **split,
        architecture=architecture,
        **network,
        **training.fields,
    ),
    where=settings_column,
)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from dlcore.data.motion import MOTION_LABELS  # noqa: E402
from dlcore.figures.style import human_label  # noqa: E402
from dlcore.figures.video_model import clips_figure  # noqa: E402
from ui.video_results import show_results  # noqa: E402

# The settings that make the clips and their split: the rest only build and train.
load_data = trainer_flow.shared_data(
    video,
    ("n_clips", "clip_frames", "n_frames", "image_size", "camera_share"),
    spinner="Generating the clips…",
    max_entries=2,
)


def live(run) -> object:
    def text(report) -> str:
        return f"Epoch {report.epoch} · validation accuracy {report.logs['val_accuracy']:.1%}"

    drawing = trainer_flow.chart_drawing(
        PAGE, run, draw_history, total_epochs=run.epochs_trained + training.epochs, text=text
    )
    chart = drawing.chart
    # Inside a long epoch, only the bar moves; a Stop then keeps the last epoch.
    drawing.reports["on_progress"] = lambda epoch, done: chart.progress(
        (epoch - 1 + done) / chart.total_epochs, text=f"Epoch {epoch}: {done:.0%}"
    )
    return drawing


if action == "train" and config is not None:
    data = load_data(config)
    with output_column:
        trainer_flow.train_and_score(
            run,
            video,
            config,
            data,
            what="Video model",
            epochs=training.epochs,
            live=live,
            patience=training.patience,
            register=lambda scores: {
                "title": f"{ARCHITECTURE_TITLES[config.architecture]} on motion clips "
                f"({scores['test_accuracy']:.1%})"
            },
        )

with output_column:
    trainer_flow.settings_changed_note(run, config)
    show_run_status(
        run, what=ARCHITECTURE_TITLES[run.config.architecture] if run.config else "Video model"
    )
    if run.is_trained:
        show_figure(draw_history(run), key=f"{PAGE}.chart.history")
# Below the settings, the results take the page's full width.
if run.is_trained:
    show_results(run, load_data(run.config), settings)
elif config is not None:
    examples = video.example_clips(config)
    show_figure(
        clips_figure(
            examples,
            [human_label(label) for label in MOTION_LABELS],
            title="One clip of each motion, as the model sees it",
        ),
        key=f"{PAGE}.chart.examples",
        across_page=True,
    )

trainer_flow.export_section(
    PAGE,
    video,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=f"video_{config.architecture}" if config else "",
)
