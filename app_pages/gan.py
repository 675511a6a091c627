"""GAN: a generator learns to draw a 2-D target distribution while a discriminator learns to
tell its points from real ones; watch both, and mode collapse, as they train."""

import math

import streamlit as st

from ui import trainer_flow
from ui.presenter import show_figure
from ui.settings import PageSettings
from ui.trainer import show_run_status
from ui.trainer_settings import seed_input, validated

PAGE = "gan"
settings = PageSettings(PAGE)

TARGET_TITLES = {
    "ring": "Ring of 8 Gaussians",
    "spiral": "Spiral",
    "moons": "Two moons",
    "grid": "Grid of 25 Gaussians",
}
SHORT_TITLES = {"ring": "ring", "spiral": "spiral", "moons": "moons", "grid": "grid"}
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.005, 0.01, 0.03]
UNITS = [4, 8, 16, 32, 64, 128]
NETWORKS = ("generator", "discriminator")
# Seconds between redraws of the progress chart while training (the points have LiveChart).
PROGRESS_SECONDS = 0.5

settings_column, output_column, (target_tab, network_tab, training_tab) = (
    trainer_flow.trainer_layout(
        "GAN",
        "Two networks play against each other, as in GAN Lab. The **generator** turns random "
        "noise into points; the **discriminator** scores every point of the plane with how "
        "likely it is to be real, shown as the background (green: real, purple: generated). "
        "The discriminator learns to tell the purple points from the green ones; the generator "
        "learns to move its points to where the discriminator is fooled, until they cover the "
        "target. The distance to the target (sliced Wasserstein) should fall as they train. "
        "To see **mode collapse**, give the generator a high learning rate (0.005) and 3 steps "
        "per step of the discriminator: its points crowd onto a few modes and jump between them.",
        tabs=("Target", "Networks", "Training"),
    )
)
fields = {}  # the gan.Config fields, as the widgets set them
with target_tab:
    fields["target"] = st.selectbox(
        "Target distribution",
        list(TARGET_TITLES),
        format_func=TARGET_TITLES.get,
        **settings.bind("target"),
    )
    fields["n_samples"] = st.select_slider(
        "Real points", [100, 250, 500, 1000, 2000], 1000, **settings.bind("points")
    )
    fields["noise_dim"] = st.slider(
        "Noise dimensions",
        1,
        8,
        2,
        help="How many random numbers the generator turns into each point.",
        **settings.bind("noise"),
    )
with network_tab:
    for network in NETWORKS:
        title, key = network.capitalize(), network[0]  # "Generator"; keys g_layers, g_units
        st.markdown(f"**{title}**")
        fields[f"{network}_layers"] = st.slider(
            f"{title} hidden layers", 1, 4, 2, **settings.bind(f"{key}_layers")
        )
        fields[f"{network}_units"] = st.select_slider(
            f"{title} units per layer", UNITS, 64, **settings.bind(f"{key}_units")
        )
with training_tab:
    for network in NETWORKS:
        fields[f"{network}_learning_rate"] = st.select_slider(
            f"{network.capitalize()} learning rate",
            LEARNING_RATES,
            0.001,
            **settings.bind(f"{network[0]}_lr"),
        )
    fields["d_steps"] = st.slider(
        "Discriminator updates per step", 1, 5, 1, **settings.bind("d_steps")
    )
    fields["g_steps"] = st.slider("Generator updates per step", 1, 5, 1, **settings.bind("g_steps"))
    fields["batch_size"] = st.select_slider(
        "Batch size", [16, 32, 64, 128, 256, 512], 128, **settings.bind("batch")
    )
    steps = st.select_slider(
        "Steps per run", [100, 500, 1000, 2000, 5000, 10000], 2000, **settings.bind("steps")
    )
    fields["seed"] = seed_input(
        settings, help="The same seed gives the same real points, starting weights and noise."
    )

from dlcore.trainers import gan  # noqa: E402  (TensorFlow starts here, after the widgets)

config = validated(lambda: gan.Config(**fields), what="a GAN", where=settings_column)
run, action = trainer_flow.trainer_controls(PAGE, config, where=output_column)

from dlcore.figures.gan import history_progress_figure, snapshot_figure  # noqa: E402
from dlcore.training.history import History  # noqa: E402


@st.cache_data(show_spinner="Drawing the target…", max_entries=16)
def target_data(shown: gan.Config) -> gan.GANData:
    return gan.load_data(shown)


@st.cache_data(show_spinner="Building the networks…", max_entries=16)
def untrained_snapshot(shown: gan.Config) -> gan.GANSnapshot:
    """What the GAN does before training: its points and the discriminator's map."""
    data = target_data(shown)
    return gan.snapshot(gan.build_model(shown, data), data)


def model_title(shown: gan.Config) -> str:
    return f"GAN on the {SHORT_TITLES[shown.target]}, in epochs of {shown.steps_per_epoch} steps"


def draw_points(trained) -> object:
    step = trained.history.epochs[-1] if len(trained.history) else 0
    return snapshot_figure(
        target_data(trained.config).x_train,
        trained.extras["snapshot"],
        title=f"Real and generated points after {step} steps",
    )


def live(run) -> object:
    first_step = run.history.epochs[-1] if len(run.history) else 0
    drawing = trainer_flow.chart_drawing(
        PAGE,
        run,
        draw_points,
        total_epochs=first_step
        + math.ceil(steps / run.config.steps_per_epoch) * run.config.steps_per_epoch,
        text=lambda report: (
            f"Step {report.epoch} · distance to the target {report.snapshot.distance:.3f}"
        ),
        also=lambda report: history_progress_figure(run.history),
        also_seconds=PROGRESS_SECONDS,
        also_key="progress",
    )
    drawing.chart.progress(0.0, "Compiling the training step…")
    return drawing


def register(config: gan.Config, scores: dict) -> dict:
    """The generator, for the other pages of this session."""
    distance = scores["test_sliced_wasserstein"]
    title = f"GAN generator for the {SHORT_TITLES[config.target]} (test distance {distance:.3f})"
    return {"title": title, "labels": ()}


def show_results(data: gan.GANData) -> None:
    """The trained GAN's test scores and how training went (its points are beside the
    settings)."""
    scores = trainer_flow.score_once(run, gan, data)
    columns = st.columns(3)
    columns[0].metric(
        "Test distance to the target",
        f"{scores['test_sliced_wasserstein']:.3f}",
        help="Sliced Wasserstein distance between the generated points and the test points, "
        "held out from training and measured once, at the end: how far, on average, the "
        "points must move to match.",
    )
    if "test_modes_covered" in scores:
        columns[1].metric(
            "Test modes covered",
            f"{scores['test_modes_covered']:.0%}",
            help=f"Modes with a generated point within {gan.COVERAGE_RADIUS} of them.",
        )
    columns[2].metric("Steps trained", f"{run.history.epochs[-1]:,}")
    show_figure(
        history_progress_figure(run.history), key=f"{PAGE}.chart.progress", across_page=True
    )


shown_config = trainer_flow.shown(run, config)
data = target_data(shown_config)

if action == "train" and config is not None:
    with output_column:
        trainer_flow.train_and_score(
            run,
            gan,
            config,
            data,
            what=model_title(config),
            epochs=math.ceil(steps / config.steps_per_epoch),
            live=live,
            new_history=lambda: History(unit="step"),
            keep=lambda report: {"snapshot": report.snapshot},
            register=lambda scores: register(config, scores),
        )

with output_column:
    trainer_flow.settings_changed_note(run, config, what="this GAN")
    show_run_status(run, what=model_title(run.config or shown_config))
    if run.is_trained:
        show_figure(draw_points(run), key=f"{PAGE}.chart.points")
    else:
        untrained = untrained_snapshot(shown_config)
        title = "Real points and the untrained generator's points"
        figure = snapshot_figure(data.x_train, untrained, title=title)
        show_figure(figure, key=f"{PAGE}.chart.untrained")
# Below the settings, the results take the page's full width.
if run.is_trained:
    show_results(target_data(run.config))

trained_steps = run.history.epochs[-1] if run.is_trained else 0
trainer_flow.export_section(
    PAGE,
    gan,
    run,
    config,
    epochs=math.ceil(max(steps, trained_steps) / config.steps_per_epoch) if config else 0,
    file_stem=f"gan_{config.target}" if config else "",
    summaries={
        "Generator summary": run.model.generator,
        "Discriminator summary": run.model.discriminator,
    }
    if run.model
    else None,
)
