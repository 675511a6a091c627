# Try it, image: run a sample, a photo, a snapshot or a drawing through a bundled or
# session-trained CNN, and see its answer, how the image became its input, its feature
# maps, and where it looked (Grad-CAM and saliency). The second tab teaches it your own
# classes (ui/teach.py).

import numpy as np
import streamlit as st

from dlcore import preprocess
from dlcore.data.sample_images import SAMPLE_IMAGES, load_sample
from dlcore.explain import gradcam as explainers
from dlcore.figures.cnn import feature_maps_figure
from dlcore.figures.explain import display_square, explanation_figure, preparation_figure
from dlcore.figures.predictions import confidence_figure, top_classes
from dlcore.figures.style import human_label
from dlcore.media.images import ImageDecodeError, decode_image, fit_within
from dlcore.trainers import cnn
from dlcore.trainers.cnn import held_out_samples
from dlcore.training import evaluation
from ui.drawing import draw_digit
from ui.presenter import explain, show_figure
from ui.pretrained import (
    model_title,
    predictor_for,
    say_if_link_model_missing,
    session_models,
    warn_if_not_its_kind,
)
from ui.settings import PageSettings
from ui.teach import teach_own_classes

PAGE = "try_image"
settings = PageSettings(PAGE)

BUNDLED_TITLES = {
    "digits": "Digits 0-9 (bundled, 8×8 greyscale)",
    "faces": "Face or not (bundled, 25×25 greyscale)",
    "shapes": "Shapes (bundled, 32×32 colour)",
}
# Trainer tasks whose models take an image: the CNN page's sets and the Teach tab's.
SESSION_TASKS = ("digits", "faces", "shapes", "custom")
SOURCES = ("Sample", "Upload", "Camera", "Draw")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
PHOTO_PREFIX = "photo/"
MAX_SIDE = 512
# The model and prediction that the "Explain the class" menu was last shown for.
EXPLAINING_KEY = f"{PAGE}.explaining"
LAST_IMAGE_KEY = f"{PAGE}.last_image"


def explained_class(labels: list[str], predicted: int, *, model: str) -> int:
    """The class whose evidence the maps show, chosen in a menu kept in the URL: the
    prediction, until the person picks another. Another model or another answer explains
    its new prediction again."""
    key = settings.key("explain")
    explaining = f"{model}.{predicted}"
    if st.session_state.get(EXPLAINING_KEY, explaining) != explaining:
        st.session_state[key] = labels[predicted]
    st.session_state[EXPLAINING_KEY] = explaining
    label = st.selectbox(
        "Explain the class",
        labels,
        **({} if key in st.session_state else {"index": predicted}),
        format_func=lambda label: (
            human_label(label) + (" (predicted)" if label == labels[predicted] else "")
        ),
        **settings.bind("explain"),
    )
    return labels.index(label)


@st.cache_data(show_spinner=False)
def dataset_samples() -> dict[str, tuple[str, np.ndarray]]:
    """Sample key ("digits/3", "shapes/star", ...) -> (menu title, uint8 pixels)."""
    samples = {}
    for dataset, what in (("digits", "held out"), ("faces", "held out"), ("shapes", "new")):
        for caption, pixels in held_out_samples(dataset):
            samples[f"{dataset}/{caption}"] = (f"{caption.capitalize()} ({what})", pixels)
    return samples


@st.cache_data(max_entries=8, show_spinner=False)
def decode(data: bytes) -> tuple[np.ndarray, tuple[str, ...]]:
    decoded = decode_image(data)
    pixels, scaled_note = fit_within(decoded.pixels, max_side=MAX_SIDE)
    return pixels, decoded.notes + ((scaled_note,) if scaled_note else ())


def sample_titles() -> dict[str, str]:
    titles = {key: title for key, (title, _) in dataset_samples().items()}
    for name in SAMPLE_IMAGES:
        titles[PHOTO_PREFIX + name] = f"Photo: {name}"
    return titles


def sample_pixels(key: str) -> np.ndarray:
    if key.startswith(PHOTO_PREFIX):
        pixels, _ = fit_within(load_sample(key.removeprefix(PHOTO_PREFIX)), max_side=MAX_SIDE)
        return pixels
    return dataset_samples()[key][1]


def dataset_of(choice: str, trained_models: dict[str, object]) -> str:
    """The sample set that suits a model: "digits", "faces", "shapes" or "photo"."""
    task = choice if choice in BUNDLED_TITLES else trained_models[choice].task
    return task if task in BUNDLED_TITLES else "photo"


def first_sample(dataset: str) -> str:
    return next(key for key in sample_titles() if key.startswith(f"{dataset}/"))


def choose_image(dataset: str) -> tuple[np.ndarray, str, tuple[str, ...], str]:
    """Draws the image source widgets; returns (pixels, label, notes, source).

    A file that cannot be read is explained in an error, and the page goes on with the
    last image that worked (or the model's first sample).
    """
    source = st.radio("Image", SOURCES, horizontal=True, **settings.bind("source"))
    titles = sample_titles()
    # At first the model's first sample; later the person's choice (a new model's first
    # sample is set by the model menu's callback).
    initial = (
        {}
        if settings.key("sample") in st.session_state
        else {"index": list(titles).index(first_sample(dataset))}
    )
    sample = st.selectbox(
        "Sample",
        list(titles),
        **initial,
        format_func=titles.get,
        help="Digits and faces the bundled models never trained on, newly drawn shapes, "
        "and photos from scikit-image and scikit-learn.",
        **settings.bind("sample"),
    )
    data, name = None, None
    if source == "Upload":
        uploaded = st.file_uploader(
            "Upload an image", type=UPLOAD_TYPES, key=settings.key("upload")
        )
        if uploaded is not None:
            data, name = uploaded.getvalue(), uploaded.name
    elif source == "Camera":
        snapshot = st.camera_input("Take a picture", key=settings.key("camera"))
        if snapshot is not None:
            data, name = snapshot.getvalue(), "snapshot"
    elif source == "Draw":
        drawing = draw_digit(key=settings.key("canvas"))
        if drawing is not None:
            st.session_state[LAST_IMAGE_KEY] = (drawing, "your drawing", ())
            return drawing, "your drawing", (), source

    if data is not None:
        try:
            pixels, notes = decode(data)
        except ImageDecodeError as error:
            st.error(
                f"{error} Showing the previous image meanwhile.", icon=":material/broken_image:"
            )
        else:
            st.session_state[LAST_IMAGE_KEY] = (pixels, f"{source.lower()}: {name}", notes)
            return pixels, f"{source.lower()}: {name}", notes, source
        if LAST_IMAGE_KEY in st.session_state:
            return (*st.session_state[LAST_IMAGE_KEY], source)
        return sample_pixels(sample), f"sample: {titles[sample]}", (), source
    if source != "Sample":
        st.caption(f"No {source.lower()} image yet: showing the sample meanwhile.")
    label = f"sample: {titles[sample]}"
    pixels = sample_pixels(sample)
    st.session_state[LAST_IMAGE_KEY] = (pixels, label, ())
    return pixels, label, (), source


def show_model_facts(predictor) -> None:
    metadata = predictor.metadata
    accuracy = metadata.get("accuracy")
    facts = [f"{len(predictor.labels)} classes"]
    if accuracy is not None:
        held_out = f" on {metadata['n_test']} held-out images" if metadata.get("n_test") else ""
        facts.append(f"{100 * accuracy:.1f} % correct{held_out}")
    height, width = predictor.preprocessing["image_size"]
    channels = "greyscale" if predictor.preprocessing["channels"] == 1 else "colour"
    facts.append(f"input {width}×{height} {channels}")
    st.caption(" · ".join(facts))
    if metadata.get("description") and metadata["description"] != predictor.name:
        st.caption(metadata["description"])


@st.cache_data(max_entries=16, show_spinner=False)
def maps_figure(layer_name: str, maps: np.ndarray):
    return feature_maps_figure(layer_name, maps)


def show_feature_maps(model, model_input: np.ndarray) -> None:
    try:
        layers = cnn.feature_maps(model, model_input)
    except (ValueError, KeyError) as error:
        st.info(f"This model's feature maps cannot be shown: {error}", icon=":material/info:")
        return
    # Each conv block's maps after its activation (ReLU), where the block has one.
    shown = {name: maps for name, maps in layers if name.startswith("relu_")} or {
        name: maps for name, maps in layers if name.startswith("conv_")
    }
    if not shown:
        st.info("This model has no conv layers named as the trainers name them.")
        return
    # One layer at a time: a grid of dozens of maps takes a moment to draw.
    layer = st.segmented_control(
        "Conv layer", list(shown), default=next(iter(shown)), key=settings.key("layer")
    )
    if layer in shown:
        show_figure(maps_figure(layer, shown[layer]), key=f"{PAGE}.maps", across_page=True)


def classify_tab() -> None:
    explain(
        "Choose a model and an image. The model answers with a **confidence** for each "
        "class; below, see the image turn into the few pixels the model takes, what each "
        "**conv layer** makes of them, and **where it looked**: **Grad-CAM** weighs the "
        "last conv layer's maps by how much each raises the class's score (coarse, but "
        "follows what the network learned to detect); **saliency** is how strongly each "
        "input pixel moves that score (sharp, but noisy)."
    )
    trained_models = session_models(SESSION_TASKS)
    choices = list(BUNDLED_TITLES) + list(trained_models)
    model_key = settings.key("model")
    if st.session_state.get(model_key) not in choices:
        st.session_state.pop(model_key, None)
    say_if_link_model_missing(model_key, choices, bundled_titles=BUNDLED_TITLES)

    def on_model_change() -> None:
        # A new model starts on a sample of the kind it was trained on.
        choice = st.session_state[model_key]
        st.session_state[settings.key("sample")] = first_sample(dataset_of(choice, trained_models))

    controls, answer = st.columns([1, 1.4], gap="large")
    with controls:
        choice = st.selectbox(
            "Model",
            choices,
            format_func=lambda choice: model_title(choice, BUNDLED_TITLES),
            help="Models trained on the Image classifier page (or taught in the next tab) "
            "appear here too, for as long as this browser tab stays open.",
            on_change=on_model_change,
            **settings.bind("model"),
        )
        try:
            predictor = predictor_for(choice, trained_models)
        except (OSError, ValueError, TypeError) as error:
            st.error(f"This model cannot be loaded: {error}", icon=":material/error:")
            return
        show_model_facts(predictor)
        pixels, label, notes, source = choose_image(dataset_of(choice, trained_models))
        crop = False
        # Models whose own preprocessing crops to the ink (the digits) need no toggle.
        if (
            predictor.preprocessing.get("background") == "dark"
            and predictor.preprocessing.get("crop") != "ink"
        ):
            crop = st.toggle(
                "Crop to the ink first",
                value=source != "Sample",
                help="The digits were scaled to fill their box, centred. A digit drawn "
                "small or off-centre is cut out and centred first, as they were.",
                key=settings.key(f"crop.{source}"),
            )
    try:
        preparation = preprocess.prepare_with_steps(
            pixels, predictor.preprocessing, crop_to_content=crop
        )
        probabilities = evaluation.predict_proba(
            predictor.model, preparation.model_input[np.newaxis], batch_size=1
        )[0]
    except ValueError as error:
        with answer:
            st.error(f"The model cannot take this image: {error}", icon=":material/error:")
        return
    looks_like_its_kind = None
    if predictor.domain is not None:
        looks_like_its_kind = bool(
            predictor.inputs_in_domain(preparation.model_input[np.newaxis])[0]
        )
    with answer:
        st.image(display_square(preparation.square), caption=label, width=224)
        for note in notes:
            st.caption(note)
        warn_if_not_its_kind(predictor, looks_like_its_kind)
        (best, confidence), *_ = top_classes(probabilities, predictor.labels, top_k=1)
        st.markdown(f"The model says **{human_label(best)}**, {100 * confidence:.1f} % sure.")
        show_figure(
            confidence_figure(probabilities, predictor.labels, top_k=min(5, len(predictor.labels))),
            key=f"{PAGE}.confidence",
        )

    show_figure(preparation_figure(preparation), key=f"{PAGE}.steps", across_page=True)
    predicted = int(np.argmax(probabilities))
    explained = explained_class(list(predictor.labels), predicted, model=choice)
    heatmaps = {}
    try:
        heatmaps["Grad-CAM"] = explainers.grad_cam(
            predictor.model, preparation.model_input, class_index=explained
        )
    except ValueError as error:
        st.info(f"No Grad-CAM for this model: {error}", icon=":material/info:")
    heatmaps["Saliency"] = explainers.saliency(
        predictor.model, preparation.model_input, class_index=explained
    )
    show_figure(
        explanation_figure(
            preparation.square,
            heatmaps,
            title=f"Where the model looked for “{human_label(predictor.labels[explained])}”",
        ),
        key=f"{PAGE}.explanation",
        across_page=True,
    )
    st.caption(
        "Red: where the map is high (the largest value is red); blue: low. Grad-CAM comes "
        "from the last conv layer, so it is as coarse as that layer's maps."
    )
    with st.expander("Feature maps of each conv layer", icon=":material/layers:"):
        show_feature_maps(predictor.model, preparation.model_input)


st.title("Your image")
classify, teach_tab = st.tabs(["Classify", "Teach your own classes"])
with classify:
    classify_tab()
with teach_tab:
    teach_own_classes()
