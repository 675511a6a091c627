"""Image classifier (CNN): train a small convolutional network on digits, faces or shapes
and look inside it: its filters, its feature maps, what it gets wrong."""

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
    shown,
    train_and_score,
)
from ui.trainer_settings import (
    epochs_inputs,
    optimizer_inputs,
    rate_and_batch_inputs,
    seed_input,
    split_inputs,
    validated,
)

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
OPTIMIZERS = ("adam", "momentum", "sgd", "rmsprop")
LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]

st.title("Image classifier (CNN)")
explain(
    "A convolutional network slides small learned **filters** over an image: each filter "
    "makes a **feature map** that lights up where its pattern appears. ReLU keeps the "
    "positive responses, and **pooling** halves the map, so the next block's filters see "
    "a wider part of the image. A dense layer and a softmax then turn the last maps into "
    "a class. Press **Train**: the live curves follow the training and the **validation** "
    "images; the **test** images are scored once, at the end. Afterwards the filters, the "
    "feature maps of any test image, the confusion matrix and the mistakes are those of "
    "the trained network."
)

settings_column, output_column = st.columns([1, 1.7], gap="large")
with settings_column:
    data_tab, network_tab, training_tab = st.tabs(["Data", "Network", "Training"])
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
    validation_fraction, test_fraction = split_inputs(
        settings,
        validation=(0.1, 0.4, 0.2, 0.05),
        test=(0.1, 0.4, 0.2, 0.05),
        validation_help="Images kept out of training and measured after every epoch: the live "
        "curves and early stopping watch them.",
        test_help="Images kept out of everything until the end: the test accuracy, measured "
        "once, says how the network does on images that chose nothing.",
    )
with network_tab:
    n_blocks = st.slider(
        "Conv blocks",
        1,
        6,
        2,
        help="Each block: convolution, (batch norm), ReLU, pooling. Shapes learn better with 3.",
        **settings.bind("blocks"),
    )
    n_filters = st.select_slider(
        "Filters in the first block (doubled per block)",
        [1, 2, 4, 8, 16, 32, 64],
        16,
        **settings.bind("filters"),
    )
    kernel_size = st.slider("Kernel size", 1, 9, 3, **settings.bind("kernel"))
    pooling = st.selectbox(
        "Pooling", list(POOLING_TITLES), format_func=POOLING_TITLES.get, **settings.bind("pooling")
    )
    batch_norm = st.toggle(
        "Batch normalization",
        help="Normalizes each filter's output over the batch: often learns in fewer epochs.",
        **settings.bind("batch_norm"),
    )
    dense_units = st.select_slider(
        "Dense units (0: none)", [0, 16, 32, 64, 128, 256], 64, **settings.bind("dense")
    )
    dropout = st.slider("Dropout", 0.0, 0.9, 0.0, 0.1, **settings.bind("dropout"))
    augmentation = st.multiselect(
        "Augmentation",
        list(AUGMENTATION_TITLES),
        format_func=AUGMENTATION_TITLES.get,
        help="Random changes to each training image, new every epoch; images are left "
        "as they are for the validation and test accuracy and for predictions.",
        **settings.bind("augmentation"),
    )
with training_tab:
    optimizer = optimizer_inputs(settings, OPTIMIZERS)
    learning_rate, batch_size = rate_and_batch_inputs(
        settings, LEARNING_RATES, 0.003, [8, 16, 32, 64, 128], 32
    )
    epochs, patience = epochs_inputs(settings, [1, 2, 5, 10, 20, 50], 10)
    seed = seed_input(
        settings, help="The same seed gives the same images, split, initial weights and shuffling."
    )

from dlcore.trainers import cnn  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(
    lambda: cnn.Config(
        dataset=dataset,
        n_samples=n_samples,
        backgrounds=tuple(backgrounds),
        n_blocks=n_blocks,
        n_filters=n_filters,
        kernel_size=kernel_size,
        pooling=pooling,
        batch_norm=batch_norm,
        dropout=dropout,
        augmentation=tuple(augmentation),
        dense_units=dense_units,
        optimizer=optimizer,
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

from dlcore.figures import cnn as cnn_figures  # noqa: E402
from dlcore.figures.training import confusion_figure  # noqa: E402
from dlcore.training.history import History  # noqa: E402
from dlcore.training.scores import confusion_counts  # noqa: E402

DATA_FIELDS = (
    "dataset",
    "n_samples",
    "backgrounds",
    "validation_fraction",
    "test_fraction",
    "seed",
)
"""The settings that make the images and their split: the rest only build and train."""


@st.cache_resource(show_spinner="Loading the images…", max_entries=8)
def image_data(*values: object) -> cnn.ImageData:
    """The split images, shared read-only by every browser session."""
    return cnn.load_data(cnn.Config(**dict(zip(DATA_FIELDS, values, strict=True))))


def load_data(shown: cnn.Config) -> cnn.ImageData:
    return image_data(*(getattr(shown, field) for field in DATA_FIELDS))


def model_title(shown: cnn.Config) -> str:
    return f"CNN on {shown.dataset}"


def register(config: cnn.Config, scores: dict) -> dict:
    title = f"{model_title(config)} ({scores['test_accuracy']:.1%} test)"
    return {"task": config.dataset, "title": title}


def live(run) -> object:
    def text(report) -> str:
        return f"Epoch {report.epoch} · validation {report.logs['val_accuracy']:.1%}"

    total = run.epochs_trained + epochs
    return chart_drawing(PAGE, run, draw_history, total_epochs=total, text=text)


def show_results(data: cnn.ImageData) -> None:
    confusion = kept(run, "confusion", lambda: cnn.confusion_matrix(run.model, data))
    mistakes = kept(run, "mistakes", lambda: cnn.misclassified(run.model, data, limit=16))
    accuracy_column, errors_column = st.columns(2)
    scores = score_once(run, cnn, data)
    accuracy_column.metric("Test accuracy", f"{scores['test_accuracy']:.1%}")
    n_wrong, n_images = confusion_counts(confusion)
    errors_column.metric("Test images wrong", f"{n_wrong} of {n_images}")
    show_figure(
        confusion_figure(confusion, data.labels, title="Confusion matrix (test images)"),
        key=f"{PAGE}.chart.confusion",
    )
    show_figure(
        cnn_figures.misclassified_figure(
            data.x_test[mistakes.indices],
            mistakes.true,
            mistakes.predicted,
            mistakes.confidence,
            data.labels,
        ),
        key=f"{PAGE}.chart.mistakes",
    )
    show_figure(
        cnn_figures.filters_figure(
            cnn.first_layer_filters(run.model), title="What the first layer's filters learned"
        ),
        key=f"{PAGE}.chart.filters",
    )
    st.subheader("Feature maps of one test image", divider="gray")
    settings.keep_within("image", 0, len(data.x_test) - 1)
    picker_column, image_column = st.columns([2, 1])
    index = picker_column.number_input(
        "Test image number", 0, len(data.x_test) - 1, 0, **settings.bind("image")
    )
    layer_names = cnn.feature_layer_names(run.model)
    layer = picker_column.selectbox("Layer", layer_names, **settings.bind("layer"))
    image, true_label = data.x_test[int(index)], data.labels[data.y_test[int(index)]]
    probabilities = cnn.predict_proba(run.model, image[None])[0]
    figure = cnn_figures.prediction_figure(
        image, probabilities, true_label=true_label, labels=data.labels
    )
    with image_column:
        show_figure(figure, key=f"{PAGE}.chart.image")
    maps = dict(cnn.feature_maps(run.model, image))
    show_figure(cnn_figures.feature_maps_figure(layer, maps[layer]), key=f"{PAGE}.chart.maps")


def show_examples(data: cnn.ImageData, shown: cnn.Config) -> None:
    """Before training: some training images, and what augmentation makes of them."""
    examples = data.x_train[:8]
    captions = [data.labels[label] for label in data.y_train[:8]]
    show_figure(
        cnn_figures.images_figure(examples, captions, title="Training images"),
        key=f"{PAGE}.chart.examples",
    )
    if shown.augmentation:
        model = run.model if run.config == shown else cnn.build_model(shown, data)
        show_figure(
            cnn_figures.images_figure(
                cnn.augment(model, examples), captions, title="The same images, augmented"
            ),
            key=f"{PAGE}.chart.augmented",
        )


shown_config = shown(run, config)
data = load_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        train_and_score(
            run,
            cnn,
            config,
            data,
            what=model_title(config),
            epochs=epochs,
            live=live,
            new_history=History,
            patience=patience,
            register=lambda scores: register(config, scores),
        )

with output_column:
    settings_changed_note(run, config)
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_history(run), key=f"{PAGE}.chart.history")
        show_results(data if run.config == shown_config else load_data(run.config))
    else:
        show_examples(data, shown_config)

export_section(
    PAGE,
    cnn,
    run,
    config,
    epochs=max(epochs, run.epochs_trained),
    file_stem=f"cnn_{config.dataset}" if config else "",
)
