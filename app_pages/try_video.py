# Try it, video: run a sample clip or your own through a bundled or session-trained motion
# model, and see its frames, its answer for the whole clip and window by window over time,
# how much the picture changes, and where the model looked on any frame (Grad-CAM).

import hashlib
import itertools

import streamlit as st

from dlcore.explain.gradcam import overlay
from dlcore.explain.video import MAX_SECONDS, analyse_clip, frame_grad_cam
from dlcore.figures.predictions import confidence_figure
from dlcore.figures.style import human_label
from dlcore.figures.video_analysis import frame_strip_figure, motion_energy_figure, timeline_figure
from dlcore.media.video import VIDEO_EXTENSIONS, DecodedVideo, VideoDecodeError
from ui.presenter import explain, plain, show_figure
from ui.pretrained import (
    model_title,
    predictor_for,
    say_if_link_model_missing,
    session_models,
    warn_if_not_its_kind,
)
from ui.settings import PageSettings

PAGE = "try_video"
settings = PageSettings(PAGE)

BUNDLED = "motion"
BUNDLED_TITLES = {BUNDLED: "Motion (bundled CNN per frame + GRU)"}
SOURCES = ("Sample", "Upload")
# The first is the page's opening clip: one clear motion, whose answer reads at first
# sight ("left, 90 %"); the tour's average over six motions says little by itself.
SAMPLE_TITLES = {
    "left": "Moving left (generated, 2 s)",
    "right": "Moving right (generated, 2 s)",
    "up": "Moving up (generated, 2 s)",
    "down": "Moving down (generated, 2 s)",
    "zoom_in": "Zooming in (generated, 2 s)",
    "zoom_out": "Zooming out (generated, 2 s)",
    "tour": "All six motions in one take (generated, 16 s)",
    "no_time_for_that": "A real GIF: 'no time for that' (scikit-image)",
}
DEFAULT_SAMPLE = next(iter(SAMPLE_TITLES))
# Formats that browsers play in a <video> element; others are analysed but not played.
PLAYABLE = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/mp4"}
ANALYSES_KEY = f"{PAGE}.analyses"
LAST_CLIP_KEY = f"{PAGE}.last_clip"
# The frame and its Grad-CAM are shown this wide, in pixels, however small the clip.
SHOWN_WIDTH = 320
GIF_WIDTH = 140
MIN_TIMELINE_WINDOWS = 3
MIN_STEADY_WINDOWS = 3
N_ANALYSES_KEPT = 2  # each holds up to 200 frames of 320 pixels: tens of MB


@st.cache_data(max_entries=len(SAMPLE_TITLES), show_spinner="Making the sample clip…")
def sample_clip(name: str) -> dict:
    # Imported here: the generators import scikit-learn, which only a sample needs.
    from dlcore.data.sample_clips import load_sample_clip

    clip = load_sample_clip(name)
    return {"data": clip.file, "format": clip.file_format, "segments": clip.segments}


def choose_model():
    trained_models = session_models([BUNDLED])
    choices = [BUNDLED, *trained_models]
    model_key = settings.key("model")
    if st.session_state.get(model_key) not in choices:
        st.session_state.pop(model_key, None)
    say_if_link_model_missing(model_key, choices, bundled_titles=BUNDLED_TITLES)
    choice = st.selectbox(
        "Model",
        choices,
        format_func=lambda choice: model_title(choice, BUNDLED_TITLES),
        help="Models trained on the Video model page appear here too, for as long as this "
        "browser tab stays open.",
        **settings.bind("model"),
    )
    return choice, predictor_for(choice, trained_models)


def choose_clip() -> dict:
    """Draws the clip source widgets; returns the clip: data, format, name, segments.

    An upload is only checked here for being there; whether it decodes is found out when
    it is analysed.
    """
    source = st.radio("Clip", SOURCES, horizontal=True, **settings.bind("source"))
    sample = st.selectbox(
        "Sample",
        list(SAMPLE_TITLES),
        format_func=SAMPLE_TITLES.get,
        help="Generated clips of the six motions the model knows, drawn as its training "
        "clips were, and a real animated GIF.",
        **settings.bind("sample"),
    )
    if source == "Upload":
        uploaded = st.file_uploader(
            "Upload a video clip",
            type=list(VIDEO_EXTENSIONS),
            help="The first 20 s are analysed; larger frames are scaled down.",
            key=settings.key("upload"),
        )
        if uploaded is not None:
            extension = uploaded.name.rsplit(".", 1)[-1].lower()
            return {
                "data": uploaded.getvalue(),
                "format": extension,
                "name": f"upload: {uploaded.name}",
                "segments": [],
            }
        st.caption("No clip uploaded yet: showing the sample meanwhile.")
    return {**sample_clip(sample), "name": f"sample: {SAMPLE_TITLES[sample]}"}


def analysis_for(clip: dict, choice: str, predictor):
    """The clip's analysis by this model, from this session's last few or made now."""
    key = (hashlib.sha256(clip["data"]).hexdigest(), choice, id(predictor.model))
    analyses = st.session_state.setdefault(ANALYSES_KEY, {})
    if key not in analyses:
        bar = st.progress(0.0, text="Decoding the clip…")

        def on_progress(fraction: float) -> None:
            text = "Decoding the clip…" if fraction < 0.9 else "Running the model…"
            bar.progress(min(1.0, fraction), text=text)

        analysis = analyse_clip(predictor, clip["data"], on_progress=on_progress)
        bar.empty()
        while len(analyses) >= N_ANALYSES_KEPT:
            analyses.pop(next(iter(analyses)))
        analyses[key] = analysis
    return analyses[key]


def show_clip(clip: dict, video: DecodedVideo) -> None:
    if clip["format"] == "gif":
        if video.width > GIF_WIDTH * video.height:
            # Streamlit scales a GIF down to the width asked for, and fails on one so thin
            # that its height rounds to 0 pixels.
            st.caption(
                f"{plain(clip['name'])}: too thin to show at this size; its frames are below."
            )
        else:
            st.image(clip["data"], caption=clip["name"], width=GIF_WIDTH)
    elif clip["format"] in PLAYABLE:
        playable = PLAYABLE[clip["format"]]
        st.video(clip["data"], format=playable, loop=True, autoplay=True, muted=True)
        st.caption(plain(clip["name"]))
    else:
        st.caption(
            f"{plain(clip['name'])}: browsers do not play this format; its frames are below."
        )


def show_answer(predictor, analysis) -> None:
    video = analysis.video
    warn_if_not_its_kind(predictor, analysis.in_domain)
    best = int(analysis.probabilities.argmax())
    # The answer of a clip that shows several motions is their blend (the tour's "zoom in,
    # 20.7 %"): say first how the answer changes along the clip.
    # Runs of a few windows only: a window straddling two motions answers for neither.
    runs = itertools.groupby(analysis.window_probabilities.argmax(axis=1))
    steady = [key for key, run in runs if len(list(run)) >= MIN_STEADY_WINDOWS]
    changes = [key for key, _ in itertools.groupby(steady)]
    if len(changes) > 1:
        shown = " → ".join(f"**{human_label(analysis.labels[index])}**" for index in changes[:8])
        st.markdown(
            f"Along the clip the answer changes: {shown}{' → …' if len(changes) > 8 else ''} "
            "(the timeline below, window by window)."
        )
    st.markdown(
        f"Over the whole clip the model says **{human_label(analysis.labels[best])}**, "
        f"{100 * analysis.probabilities[best]:.1f} % on average over "
        f"{analysis.n_windows} window{'s' if analysis.n_windows > 1 else ''}."
    )
    show_figure(
        confidence_figure(
            analysis.probabilities,
            [human_label(label) for label in analysis.labels],
            top_k=len(analysis.labels),
        ),
        key=f"{PAGE}.confidence",
    )
    st.caption(
        f"Source: {video.width}×{video.height} pixels, {video.duration:.1f} s at "
        f"{video.fps:.1f} frames per second; {video.n_frames} frames kept."
    )
    for note in analysis.notes:
        st.caption(note)


def show_frame(predictor, analysis, frame_number: int) -> None:
    """The chosen frame beside Grad-CAM on it, for the class chosen to explain."""
    labels = analysis.labels
    predicted = int(analysis.probabilities.argmax())
    explained = st.selectbox(
        "Explain the class",
        range(len(labels)),
        index=predicted,
        format_func=lambda index: (
            human_label(labels[index]) + (" (the clip's answer)" if index == predicted else "")
        ),
        key=f"{PAGE}.explain.{predicted}",
    )
    frame_index = frame_number - 1
    seconds = analysis.video.times[frame_index]
    frame_column, cam_column = st.columns(2)
    frame_column.image(
        analysis.video.frames[frame_index],
        caption=f"Frame {frame_number} at {seconds:.2f} s",
        width=SHOWN_WIDTH,
    )
    try:
        cam = frame_grad_cam(predictor, analysis, frame_index, class_index=explained)
    except ValueError as error:
        cam_column.info(f"No Grad-CAM for this model: {error}", icon=":material/info:")
        return
    window_best = int(cam.window_probabilities.argmax())
    cam_column.image(
        overlay(cam.crop, cam.heatmap),
        caption=f"Grad-CAM for “{human_label(cam.label)}” on the square the model sees",
        width=SHOWN_WIDTH,
    )
    st.caption(
        f"In the {analysis.window_ends[0] - analysis.window_starts[0]:.1f} s around this "
        f"frame the model says **{human_label(labels[window_best])}** "
        f"({100 * cam.window_probabilities[window_best]:.0f} %). Red: where in this "
        "frame the model's conv layer found the most evidence for the class; blue: little "
        "(each frame on its own scale). It is as coarse as that layer's maps."
    )


st.title("Your video")
explain(
    "Choose a clip and a model. The model was trained on 2-second clips, seeing 8 frames of "
    "each: a hand-held camera that pans **left** or **right**, tilts **up** or **down**, or "
    "**zooms in** or **out** (so the scene slides the other way), or content moving that "
    "way over a still background. Here it slides a 2-second **window** along your clip and "
    "answers for every window: the **timeline** shows how its answer changes; the whole "
    "clip's answer is their average. **Motion energy** needs no model: how much the pixels "
    "change from "
    "one frame to the next. Pick any frame to see **where the model looked** (Grad-CAM)."
)

controls, answer = st.columns([1, 1.4], gap="large")
with controls:
    try:
        choice, predictor = choose_model()
    except (OSError, ValueError, TypeError) as error:
        st.error(f"This model cannot be loaded: {error}", icon=":material/error:")
        st.stop()
    clip = choose_clip()

with answer:  # where the progress bar shows
    try:
        analysis = analysis_for(clip, choice, predictor)
    except VideoDecodeError as error:
        with controls:
            st.error(
                f"{plain(error)} Showing the last clip that worked meanwhile.",
                icon=":material/error:",
            )
        clip = st.session_state.get(LAST_CLIP_KEY) or {
            **sample_clip(DEFAULT_SAMPLE),
            "name": f"sample: {SAMPLE_TITLES[DEFAULT_SAMPLE]}",
        }
        analysis = analysis_for(clip, choice, predictor)
    except ValueError as error:
        st.error(f"The model cannot take this clip: {error}", icon=":material/error:")
        st.stop()
st.session_state[LAST_CLIP_KEY] = clip

with controls:
    show_clip(clip, analysis.video)
with answer:
    show_answer(predictor, analysis)

video = analysis.video
show_figure(frame_strip_figure(video.frames, video.times), key=f"{PAGE}.strip", across_page=True)

st.subheader("Frame by frame", divider="gray")
frame_number = 1
if video.n_frames > 1:
    settings.keep_within("frame", 1, video.n_frames)
    frame_number = st.slider(
        "Frame",
        1,
        video.n_frames,
        max(1, video.n_frames // 2),
        help=f"The {video.n_frames} frames kept from the clip (up to 8 per second of its "
        f"first {MAX_SECONDS:g} s).",
        **settings.bind("frame"),
    )
marker = float(video.times[frame_number - 1])
timeline_column, energy_column = st.columns(2)
with timeline_column:
    if analysis.n_windows < MIN_TIMELINE_WINDOWS:
        # A timeline of one or two dots reads as nothing: the bars above are the answer.
        windows = "a single window" if analysis.n_windows == 1 else "only two windows"
        st.info(
            f"This clip is {windows} long, so its answer is the bars above. A longer clip "
            "gets a timeline here: one answer per 2-second window.",
            icon=":material/timeline:",
        )
    else:
        show_figure(
            timeline_figure(
                analysis.window_times,
                analysis.window_probabilities,
                analysis.labels,
                segments=clip["segments"],
                marker_time=marker,
            ),
            key=f"{PAGE}.timeline",
        )
with energy_column:
    if len(analysis.motion_energy):
        show_figure(
            motion_energy_figure(analysis.motion_times, analysis.motion_energy, marker_time=marker),
            key=f"{PAGE}.energy",
        )
    else:
        st.info("One frame only: there is no change to measure.", icon=":material/info:")
show_frame(predictor, analysis, frame_number)
