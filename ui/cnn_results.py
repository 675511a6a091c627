"""The Image classifier page's views of its CNN: the test results, the filters and feature
maps of the trained network, and before training, the images it will learn from.

The page (app_pages/cnn.py) holds the settings and the training flow; it imports this module
once TensorFlow has started, after its widgets.
"""

from __future__ import annotations

import streamlit as st

from dlcore.figures import cnn as cnn_figures
from dlcore.trainers import cnn
from dlcore.training.scores import confusion_counts
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import TrainerRun
from ui.trainer_flow import after_training, kept, score_once, show_confusion


def show_results(run: TrainerRun, data: cnn.ImageData, settings: PageSettings) -> None:
    """The trained CNN: its test accuracy, confusion matrix, mistakes and first filters,
    then the feature maps of one test image."""
    page = settings.page
    mistakes = kept(
        run,
        "mistakes",
        lambda: cnn.misclassified(run.model, data, limit=16),
        step="Finding the test images the network gets wrong…",
    )
    accuracy_column, errors_column = st.columns(2)
    scores = score_once(run, cnn, data)
    accuracy_column.metric("Test accuracy", f"{scores['test_accuracy']:.1%}")
    confusion = show_confusion(page, run, cnn, data, title="Confusion matrix (test images)")
    n_wrong, n_images = confusion_counts(confusion)
    errors_column.metric("Test images wrong", f"{n_wrong} of {n_images}")
    show_figure(
        cnn_figures.misclassified_figure(
            data.x_test[mistakes.indices],
            mistakes.true,
            mistakes.predicted,
            mistakes.confidence,
            data.labels,
        ),
        key=f"{page}.chart.mistakes",
        across_page=True,
    )
    filters = kept(
        run,
        "filters",
        lambda: cnn.first_layer_filters(run.model),
        step="Reading the first layer's filters…",
    )
    show_figure(
        cnn_figures.filters_figure(filters, title="What the first layer's filters learned"),
        key=f"{page}.chart.filters",
        across_page=True,
    )
    show_feature_maps(run, data, settings)


def show_feature_maps(run: TrainerRun, data: cnn.ImageData, settings: PageSettings) -> None:
    """One test image, chosen by number, with the trained CNN's prediction and the feature
    maps of a chosen layer."""
    st.subheader("Feature maps of one test image", divider="gray")
    n_test = len(data.x_test)
    # Counted from 1, as on every page ("test image 1 of 200").
    settings.keep_within("image", 1, n_test)
    picker_column, image_column = st.columns([2, 1])
    number = picker_column.number_input(
        f"Test image (1 to {n_test})", 1, n_test, 1, **settings.bind("image")
    )
    layer_names = cnn.feature_layer_names(run.model)
    layer = picker_column.selectbox("Layer", layer_names, **settings.bind("layer"))
    image, true_label = data.x_test[int(number) - 1], data.labels[data.y_test[int(number) - 1]]
    picker_column.caption(f"Test image {int(number)} of {n_test}: {true_label}")
    with after_training("Reading the network's prediction and feature maps…"):
        probabilities = cnn.predict_proba(run.model, image[None])[0]
        maps = dict(cnn.feature_maps(run.model, image))
    figure = cnn_figures.prediction_figure(
        image, probabilities, true_label=true_label, labels=data.labels
    )
    with image_column:
        show_figure(figure, key=f"{settings.page}.chart.image")
    show_figure(
        cnn_figures.feature_maps_figure(layer, maps[layer]),
        key=f"{settings.page}.chart.maps",
        across_page=True,
    )


def show_examples(run: TrainerRun, data: cnn.ImageData, shown: cnn.Config, *, page: str) -> None:
    """Before training: some training images, and what augmentation makes of them."""
    examples = data.x_train[:8]
    captions = [data.labels[label] for label in data.y_train[:8]]
    show_figure(
        cnn_figures.images_figure(examples, captions, title="Training images"),
        key=f"{page}.chart.examples",
        across_page=True,
    )
    if shown.augmentation:
        model = run.model if run.config == shown else cnn.build_model(shown, data)
        show_figure(
            cnn_figures.images_figure(
                cnn.augment(model, examples), captions, title="The same images, augmented"
            ),
            key=f"{page}.chart.augmented",
            across_page=True,
        )
