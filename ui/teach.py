"""The "Teach your own classes" tab of the Image try-it page: widgets only.

A person names 2 to 5 classes, gives each a few images (uploads or camera snapshots),
trains a small CNN from scratch or a new head on a bundled model, sees how it learned and
what it makes of each of their images, tries new images, and downloads the model. The
logic is in `dlcore.trainers.teach`.

The images live in `st.session_state["teach.classes"]`, so no rerun loses them. Uploads
and snapshots are taken in the widgets' `on_change` callbacks, which then give the
uploader or camera a new key: it comes back empty, ready for more, and the same files are
never added twice. A file that is not an image is named in a warning and skipped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import streamlit as st

from dlcore import pretrained
from dlcore.media.images import ImageDecodeError, center_crop, decode_image, fit_within
from dlcore.trainers import teach
from ui.downloads import download_button
from ui.presenter import explain, plain, show_figure
from ui.trainer import (
    REGISTRY_KEY,
    LiveChart,
    TrainerRun,
    draw_history,
    job_spec,
    register_model,
    show_run_status,
    show_summary,
    train_in_job,
    trainer_run,
    training_buttons,
)

PAGE = "teach"
CLASSES_KEY = "teach.classes"
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
MODE_TITLES = {"scratch": "From scratch", "transfer": "Transfer from a bundled model"}
BASE_TITLES = {
    "shapes": "Shapes (32×32 colour: circles, squares, triangles, stars)",
    "faces": "Faces (25×25 greyscale: face or not)",
    "digits": "Digits (8×8 greyscale: handwritten 0-9)",
}
N_THUMBNAILS = 24
THUMBNAIL_WIDTH = 64


@dataclasses.dataclass
class TaughtClass:
    """One of the person's classes: its name, its images and what happened to its last files.

    The name is kept here as well as in its text input's state: Streamlit forgets a
    widget's state when a run does not draw it (another page was open), and the person's
    names must come back with the page.
    """

    id: int
    name: str
    images: list[np.ndarray] = dataclasses.field(default_factory=list)
    revision: int = 0  # counts changes to `images`: a model trained before is out of date
    generation: int = 0  # part of the uploader's and camera's keys: a new one is empty
    warnings: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def teach_own_classes() -> None:
    """Draw the whole "Teach your own classes" tab."""
    explain(
        "Teach the model **your own classes**: name 2 to 5 of them and give each at least "
        f"{teach.MIN_IMAGES} images, uploaded or taken with the camera. Few images are "
        "enough because every epoch shows each one many times, flipped, turned, zoomed and "
        "moved at random. Train a **small CNN from scratch**, or keep a bundled model's "
        "learned filters **frozen** and train only a **new last layer** for your classes "
        "(transfer learning). Then try new images, see how it does on each of yours, and "
        "download the model."
    )
    classes = _classes()
    for number, taught in enumerate(classes, start=1):
        _class_editor(taught, number, n_classes=len(classes))
    st.button(
        "Add a class",
        icon=":material/add:",
        disabled=len(classes) >= teach.MAX_CLASSES,
        on_click=_add_class,
        help=f"At most {teach.MAX_CLASSES} classes.",
        key="teach.add_class",
    )

    config = _settings()
    problems = teach.class_problems([(taught.name, taught.images) for taught in classes])
    if problems:
        st.info("Before training: " + " ".join(problems), icon=":material/info:")
    run = trainer_run(PAGE)
    action = training_buttons(PAGE, can_train=not problems)
    if action == "train" and not problems:
        _train(run, classes, config)
    trained = _finish(run)
    show_run_status(run, what="Your classes")
    if trained is not None:
        if run.config[1] != _classes_signature(classes):
            st.info(
                "Your classes or their images changed since this model trained: press "
                "**Train** to teach it the new ones.",
                icon=":material/update:",
            )
        _results(run, trained, classes)


def _classes() -> list[TaughtClass]:
    """The person's classes, two empty ones named "Class 1" and "Class 2" at first."""
    if CLASSES_KEY not in st.session_state:
        st.session_state[CLASSES_KEY] = []
        for _ in range(teach.MIN_CLASSES):
            _add_class()
    return st.session_state[CLASSES_KEY]


def _classes_signature(classes: list[TaughtClass]) -> tuple:
    """What the model learned from: the classes' names, ids and image revisions."""
    return tuple((taught.name, taught.id, taught.revision) for taught in classes)


def _add_class() -> None:
    classes = st.session_state[CLASSES_KEY]
    if len(classes) >= teach.MAX_CLASSES:
        return
    # Ids are never reused in a session, so no widget state of a removed class comes back.
    next_id = st.session_state.get("teach.next_id", 1)
    st.session_state["teach.next_id"] = next_id + 1
    classes.append(TaughtClass(id=next_id, name=f"Class {len(classes) + 1}"))


def _remove_class(class_id: int) -> None:
    classes = st.session_state[CLASSES_KEY]
    if len(classes) > teach.MIN_CLASSES:
        st.session_state[CLASSES_KEY] = [taught for taught in classes if taught.id != class_id]


def _rename(taught: TaughtClass, key: str) -> None:
    taught.name = st.session_state[key]


def _clear_images(taught: TaughtClass) -> None:
    taught.images.clear()
    taught.notes.clear()
    taught.revision += 1


def _take_files(taught: TaughtClass, key: str) -> None:
    """An uploader's or camera's callback: decode its files into the class, then empty it."""
    value = st.session_state.get(key)
    files = value if isinstance(value, list) else [value] if value is not None else []
    n_added = 0
    for uploaded in files:
        if len(taught.images) >= teach.MAX_IMAGES:
            taught.warnings.append(
                f"{uploaded.name} and any files after it were not added: a class holds at "
                f"most {teach.MAX_IMAGES} images."
            )
            break
        try:
            pixels = decode_image(uploaded.getvalue()).pixels
        except ImageDecodeError as error:
            taught.warnings.append(f"{uploaded.name} was skipped: {error}")
            continue
        taught.images.append(teach.keep_image(pixels))
        n_added += 1
    if n_added:
        taught.revision += 1
        taught.notes = [f"Added {n_added} image{'s' if n_added != 1 else ''}."]
    taught.generation += 1


def _class_editor(taught: TaughtClass, number: int, *, n_classes: int) -> None:
    with st.container(border=True, key=f"teach.class.{taught.id}"):
        name_column, remove_column = st.columns([5, 1], vertical_alignment="bottom")
        name_key = f"teach.name.{taught.id}"
        if name_key not in st.session_state:
            st.session_state[name_key] = taught.name
        with name_column:
            st.text_input(
                f"Name of class {number}",
                max_chars=teach.MAX_NAME_LENGTH,
                on_change=_rename,
                args=(taught, name_key),
                key=name_key,
            )
        with remove_column:
            st.button(
                "Remove",
                icon=":material/delete:",
                disabled=n_classes <= teach.MIN_CLASSES,
                on_click=_remove_class,
                args=(taught.id,),
                key=f"teach.remove.{taught.id}",
                help=f"At least {teach.MIN_CLASSES} classes are needed.",
            )
        upload_key = f"teach.upload.{taught.id}.{taught.generation}"
        st.file_uploader(
            f"Images of {taught.name or f'class {number}'}",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            on_change=_take_files,
            args=(taught, upload_key),
            key=upload_key,
        )
        if st.toggle("Camera", key=f"teach.camera_on.{taught.id}"):
            camera_key = f"teach.camera.{taught.id}.{taught.generation}"
            st.camera_input(
                "Take a snapshot: it is added to this class",
                on_change=_take_files,
                args=(taught, camera_key),
                key=camera_key,
            )
        for warning in taught.warnings:
            st.warning(plain(warning), icon=":material/broken_image:")
        taught.warnings.clear()  # said once; the files that worked are kept
        n_images = len(taught.images)
        caption = f"**{n_images}** image{'s' if n_images != 1 else ''}"
        if n_images < teach.MIN_IMAGES:
            caption += f" (at least {teach.MIN_IMAGES} needed)"
        st.caption(" ".join([caption, *taught.notes]))
        if taught.images:
            st.image(
                [_showable(image, THUMBNAIL_WIDTH) for image in taught.images[-N_THUMBNAILS:]],
                width=THUMBNAIL_WIDTH,
            )
            if n_images > N_THUMBNAILS:
                st.caption(f"The last {N_THUMBNAILS} of {n_images} are shown.")
            st.button(
                "Clear images",
                icon=":material/clear_all:",
                on_click=_clear_images,
                args=(taught,),
                key=f"teach.clear.{taught.id}",
            )


def _showable(image: np.ndarray, width: int) -> np.ndarray:
    """The image ready for `st.image(..., width=width)`, each side at least 1 pixel.

    Streamlit scales a wider image down itself, but rounds the height of one more than
    `width` times wider than tall (a 20000×4 strip, say) to 0 pixels and fails.
    """
    if image.shape[1] > width * image.shape[0]:
        return fit_within(image, max_side=width)[0]
    return image


def _settings() -> teach.Config:
    mode_column, epochs_column = st.columns(2)
    with mode_column:
        mode = st.radio(
            "Start from",
            list(MODE_TITLES),
            format_func=MODE_TITLES.get,
            horizontal=True,
            key="teach.mode",
            bind="query-params",
            help="From scratch, every weight learns from your images. A transfer keeps a "
            "bundled model's filters as they are and trains only a new last layer.",
        )
        base = "shapes"
        if mode == "transfer":
            base = st.selectbox(
                "Bundled model",
                list(BASE_TITLES),
                format_func=BASE_TITLES.get,
                key="teach.base",
                bind="query-params",
            )
    with epochs_column:
        epochs = st.slider(
            "Epochs",
            1,
            50,
            15,
            key="teach.epochs",
            bind="query-params",
            help=f"Each epoch shows at least {teach.MIN_EPOCH_SAMPLES} randomly changed "
            "copies of your images.",
        )
    return teach.Config(mode=mode, base=base, epochs=epochs)


def _train(run: TrainerRun, classes: list[TaughtClass], config: teach.Config) -> None:
    """One click on Train: a new model if the classes or the start changed, then a job that
    trains it for the config's epochs."""
    from dlcore.training.history import History

    pairs = [(taught.name, taught.images) for taught in classes]
    signature = (dataclasses.replace(config, epochs=1), _classes_signature(classes))
    going_on = run.model is not None and run.config == signature
    if not going_on:
        try:
            data = teach.load_data(config, pairs)
        except (ValueError, OSError) as error:
            st.error(f"Training could not start: {error}", icon=":material/error:")
            return
        run.start(None, signature, History())
        run.extras["data"] = data
    data = run.extras["data"]
    chart = LiveChart(PAGE, draw_history, total_epochs=run.epochs_trained + config.epochs)
    measured = "on validation" if data.held_out else "on the changed training images"

    def on_epoch(report: Any) -> None:
        run.history = report.history
        accuracy = report.logs.get("val_accuracy", report.logs.get("accuracy", 0.0))
        chart.update(
            run,
            epoch=report.epoch,
            text=f"Epoch {report.epoch} of {report.final_epoch} · "
            f"accuracy {accuracy:.0%} {measured}",
        )

    spec = job_spec(run, "teach", config, going_on=going_on, epochs=config.epochs, inputs=(pairs,))
    train_in_job(run, spec, what="Your classes", handlers={"on_epoch": on_epoch})
    chart.clear()


def _finish(run: TrainerRun) -> Any:
    """The taught `TrainedModel`, scored and offered to the other pages once per change."""
    if not run.is_trained or "data" not in run.extras:
        return None
    if run.extras.get("scored_at") != run.epochs_trained:
        data = run.extras["data"]
        config = run.config[0]
        scores = teach.score(run.model, data)
        trained = teach.trained_model(run.model, data, config, scores, device=run.device or "CPU:0")
        previous = run.extras.get("trained")
        if previous is not None:
            # One taught model at a time: the earlier one goes from the model menus.
            st.session_state.get(REGISTRY_KEY, {}).pop(previous.title, None)
        register_model(trained)
        run.extras.update(
            trained=trained,
            scores=scores,
            predictor=pretrained.predictor_from_trained(trained),
            scored_at=run.epochs_trained,
        )
    return run.extras["trained"]


def _results(run: TrainerRun, trained: Any, classes: list[TaughtClass]) -> None:
    data, scores = run.extras["data"], run.extras["scores"]
    accuracy_column, held_out_column, test_column = st.columns(3)
    accuracy_column.metric("Accuracy on your training images", f"{scores.accuracy:.0%}")
    if scores.val_accuracy is not None:
        held_out_column.metric(
            f"Accuracy on {len(data.y_val)} validation images", f"{scores.val_accuracy:.0%}"
        )
    if scores.test_accuracy is not None:
        test_column.metric(
            "Test accuracy",
            f"{scores.test_accuracy:.0%}",
            help=f"Measured once, after training, on {len(data.y_test)} test images.",
        )
    st.caption(data.accuracy_note())
    show_figure(draw_history(run), key="teach.history")
    if run.config[1] == _classes_signature(classes):
        _what_it_makes_of_yours(data, scores, classes)
    _try_new_image(run.extras["predictor"])
    show_summary(run.model)
    _downloads(trained, code=teach.export_code(run.config[0]))


def _what_it_makes_of_yours(data: Any, scores: Any, classes: list[TaughtClass]) -> None:
    st.subheader("What it makes of your images")
    st.caption(
        "Each training image with the class the model gives it now, without random changes: "
        "✓ right, ✗ wrong, with its confidence."
    )
    for class_index, (label, taught) in enumerate(zip(data.labels, classes, strict=True)):
        rows = np.flatnonzero(data.train_index[:, 0] == class_index)
        pictures, captions = [], []
        for row in rows[:N_THUMBNAILS]:
            position = int(data.train_index[row, 1])
            probabilities = scores.train_probabilities[row]
            guess = int(probabilities.argmax())
            mark = "✓" if guess == class_index else f"✗ {data.labels[guess]}"
            pictures.append(_showable(taught.images[position], THUMBNAIL_WIDTH + 16))
            captions.append(f"{mark} {probabilities[guess]:.0%}")
        if pictures:
            st.markdown(f"**{label}**")
            st.image(pictures, caption=captions, width=THUMBNAIL_WIDTH + 16)


def _try_new_image(predictor: Any) -> None:
    from dlcore.explain.gradcam import grad_cam, overlay
    from dlcore.figures.predictions import confidence_figure

    st.subheader("Try a new image")
    source = st.radio("New image from", ["Upload", "Camera"], horizontal=True, key="teach.try")
    if source == "Upload":
        uploaded = st.file_uploader("A new image", type=UPLOAD_TYPES, key="teach.try_upload")
    else:
        uploaded = st.camera_input("Take a picture to classify", key="teach.try_camera")
    if uploaded is None:
        st.caption("Upload or take an image the model has not seen.")
        return
    try:
        pixels = decode_image(uploaded.getvalue()).pixels
    except ImageDecodeError as error:
        st.warning(plain(f"{uploaded.name}: {error}"), icon=":material/broken_image:")
        return
    probabilities = predictor.predict_proba([pixels])[0]
    prepared = predictor.prepare([pixels])[0]
    square = center_crop(pixels, size=min(pixels.shape[:2]))
    image_column, seen_column, heat_column, chart_column = st.columns([1, 1, 1, 2])
    image_column.image(square, caption="Your image (its middle square)", width="stretch")
    seen_column.image(
        _as_picture(prepared),
        caption=f"What the model sees ({prepared.shape[1]}×{prepared.shape[0]})",
        width="stretch",
    )
    try:
        heatmap = grad_cam(predictor.model, prepared)
    except ValueError as error:
        heat_column.caption(f"No Grad-CAM for this model: {error}")
    else:
        heat_column.image(
            overlay(square, heatmap),
            caption=f"Where it saw {predictor.labels[int(probabilities.argmax())]} (Grad-CAM)",
            width="stretch",
        )
    with chart_column:
        show_figure(
            confidence_figure(probabilities, predictor.labels, top_k=teach.MAX_CLASSES),
            key="teach.confidence",
        )


def _as_picture(prepared: np.ndarray) -> np.ndarray:
    """Model input in [0, 1] as uint8 pixels, enlarged so its pixels show as blocks."""
    pixels = np.round(np.clip(prepared, 0.0, 1.0) * 255).astype(np.uint8)
    if pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    scale = max(1, 160 // pixels.shape[0])
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


def _downloads(trained: Any, *, code: str) -> None:
    with st.container(horizontal=True):
        download_button(
            "Trained model (.keras)",
            # Saved only when clicked: writing the file on every rerun would be wasted.
            lambda: teach.model_bytes(trained),
            file_name="my_classes.keras",
            key="teach.download_model",
        )
        download_button(
            "Labels and preprocessing (.json)",
            teach.labels_json(trained),
            file_name="my_classes.json",
            key="teach.download_labels",
        )
        download_button(
            "Keras code (.py)", code, file_name="my_classes.py", key="teach.export_code"
        )
    with st.expander("The code", icon=":material/description:"):
        st.caption("Trains the same model on a folder of your images, one sub-folder per class.")
        st.code(code, language="python")
