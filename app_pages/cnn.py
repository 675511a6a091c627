"""Image classifier (CNN): train a small convolutional network on digits, faces or shapes
and look inside it: its filters, its feature maps, what it gets wrong."""

import streamlit as st

from ui import trainer_flow
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import draw_history, show_run_status
from ui.trainer_settings import TrainingOptions, split_inputs, training_inputs, validated

PAGE = "cnn"
settings = PageSettings(PAGE)

DATASET_TITLES = {
    "digits": "Handwritten digits (8×8)",
    "faces": "Faces or not (25×25)",
    "shapes": "Shapes (32×32, colour)",
}
BACKGROUND_TITLES = {"plain": "plain", "noisy": "noisy", "textured": "photo"}
POOLING_TITLES = {"max": "max 2×2", "average": "average 2×2", "none": "none"}
AUGMENTATION_TITLES = {
    "flip": "mirror",
    "rotate": "rotate ±18°",
    "zoom": "zoom ±15 %",
    "shift": "shift ±12 %",
}
TRAINING = TrainingOptions(
    optimizers=("adam", "momentum", "sgd", "rmsprop"),
    learning_rates=([0.0003, 0.001, 0.003, 0.01, 0.03, 0.1], 0.003),
    batch_sizes=([8, 16, 32, 64, 128], 32),
    epochs=([1, 2, 5, 10, 20, 50], 10),
    seed_help="The same seed gives the same images, split, initial weights and shuffling.",
)

settings_column, output_column, (data_tab, network_tab, training_tab) = trainer_flow.trainer_layout(
    "Image classifier (CNN)",
    "A convolutional network slides small learned **filters** over an image: each filter "
    "makes a **feature map** that lights up where its pattern appears. ReLU keeps the "
    "positive responses, and **pooling** halves the map, so the next block's filters see "
    "a wider part of the image. A dense layer and a softmax then turn the last maps into "
    "a class. Press **Train**: the live curves follow the training and the **validation** "
    "images; the **test** images are scored once, at the end. Afterwards the filters, the "
    "feature maps of any test image, the confusion matrix and the mistakes are those of "
    "the trained network.",
    tabs=("Data", "Network", "Training"),
)
with data_tab:
    dataset = st.selectbox(
        "Images", list(DATASET_TITLES), format_func=DATASET_TITLES.get, **settings.bind("data")
    )
    n_samples, backgrounds = 1000, ("plain", "noisy")
    if dataset == "shapes":
        n_samples = st.select_slider(
            "Shape images", [200, 500, 1000, 2000, 5000], 1000, **settings.bind("images")
        )
        backgrounds = st.multiselect(
            "Backgrounds",
            list(BACKGROUND_TITLES),
            ["plain", "noisy"],
            format_func=BACKGROUND_TITLES.get,
            help="Photo backgrounds make the shapes much harder to tell apart.",
            **settings.bind("backgrounds"),
        )
    split = split_inputs(
        settings,
        validation=(0.1, 0.4, 0.2, 0.05),
        test=(0.1, 0.4, 0.2, 0.05),
        validation_help="Images kept out of training and measured after every epoch: the live "
        "curves and early stopping watch them.",
        test_help="Images kept out of everything until the end: the test accuracy, measured "
        "once, says how the network does on images that chose nothing.",
    )
with network_tab:
    network = {  # the config fields set as they are
        "n_blocks": st.slider(
            "Conv blocks",
            1,
            6,
            2,
            help="Each block: convolution, (batch norm), ReLU, pooling. Shapes learn better "
            "with 3.",
            **settings.bind("blocks"),
        ),
        "n_filters": st.select_slider(
            "Filters in the first block (doubled per block)",
            [1, 2, 4, 8, 16, 32, 64],
            16,
            **settings.bind("filters"),
        ),
        "kernel_size": st.slider("Kernel size", 1, 9, 3, **settings.bind("kernel")),
        "pooling": st.selectbox(
            "Pooling",
            list(POOLING_TITLES),
            format_func=POOLING_TITLES.get,
            **settings.bind("pooling"),
        ),
        "batch_norm": st.toggle(
            "Batch normalization",
            help="Normalizes each filter's output over the batch: often learns in fewer epochs.",
            **settings.bind("batch_norm"),
        ),
        "dense_units": st.select_slider(
            "Dense units (0: none)", [0, 16, 32, 64, 128, 256], 64, **settings.bind("dense")
        ),
        "dropout": st.slider("Dropout", 0.0, 0.9, 0.0, 0.1, **settings.bind("dropout")),
        "augmentation": tuple(
            st.multiselect(
                "Augmentation",
                list(AUGMENTATION_TITLES),
                format_func=AUGMENTATION_TITLES.get,
                help="Random changes to each training image, new every epoch; images are left "
                "as they are for the validation and test accuracy and for predictions.",
                **settings.bind("augmentation"),
            )
        ),
    }
with training_tab:
    training = training_inputs(settings, TRAINING)

from dlcore.trainers import cnn  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(
    lambda: cnn.Config(
        dataset=dataset,
        n_samples=n_samples,
        backgrounds=tuple(backgrounds),
        **network,
        **split,
        **training.fields,
    ),
    where=settings_column,
)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from ui.cnn_results import show_examples, show_results  # noqa: E402

# The settings that make the images and their split: the rest only build and train.
load_data = trainer_flow.shared_data(
    cnn,
    ("dataset", "n_samples", "backgrounds"),
    spinner="Loading the images…",
    max_entries=8,
)


def model_title(shown: cnn.Config) -> str:
    return f"CNN on {shown.dataset}"


def register(config: cnn.Config, scores: dict) -> dict:
    title = f"{model_title(config)} ({scores['test_accuracy']:.1%} test)"
    return {"task": config.dataset, "title": title}


def live(run) -> object:
    def text(report) -> str:
        return f"Epoch {report.epoch} · validation {report.logs['val_accuracy']:.1%}"

    total = run.epochs_trained + training.epochs
    return trainer_flow.chart_drawing(PAGE, run, draw_history, total_epochs=total, text=text)


shown_config = trainer_flow.shown(run, config)
data = load_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            cnn,
            config,
            data,
            what=model_title(config),
            epochs=training.epochs,
            live=live,
            patience=training.patience,
            register=lambda scores: register(config, scores),
        )

with output_column:
    trainer_flow.settings_changed_note(run, config)
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_history(run), key=f"{PAGE}.chart.history")
# Below the settings, the results take the page's full width.
if run.is_trained:
    show_results(run, data if run.config == shown_config else load_data(run.config), settings)
else:
    show_examples(run, data, shown_config, page=PAGE)

trainer_flow.export_section(
    PAGE,
    cnn,
    run,
    config,
    epochs=max(training.epochs, run.epochs_trained),
    file_stem=f"cnn_{config.dataset}" if config else "",
)
