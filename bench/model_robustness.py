"""The bundled models on input unlike their training data, and on what is not their kind.

For each bundled model: its held-out accuracy as its JSON records it (data made the same
way as the training data), its accuracy on the project's own robustness set
(`dlcore.explain.robustness`, read as the try-it pages read a person's input) against
issue 15's targets, and the size of its `.keras` file (at most 5 MB). For each image and
video model also its domain check's rates (`Predictor.in_domain`) on inputs it was not
fitted on, as `tests/dlcore/pretrained/test_domain.py` measures them: the share of
outside inputs flagged (at least 90 %) and of its own held-out inputs flagged (at most 5 %).
"""

import importlib.util
from pathlib import Path

from bench.report import Figure
from dlcore.explain import robustness
from dlcore.pretrained import MODEL_FOLDER, domain, load_pretrained

ROOT = Path(__file__).resolve().parents[1]

# Issue 15's targets on the robustness sets, as percentages.
ROBUSTNESS_TARGETS = {"digits": 95.0, "faces": 92.0, "shapes": 92.0, "intents": 95.0}
ROBUSTNESS_TARGETS["motion"] = 85.0
MAX_MEGABYTES = 5.0
OUTSIDE_FLAGGED_TARGET = 90.0
INSIDE_FLAGGED_TARGET = 5.0


def _calibration_script():
    """scripts/calibrate_domain.py, which draws the inside and outside inputs."""
    path = ROOT / "scripts" / "calibrate_domain.py"
    spec = importlib.util.spec_from_file_location("calibrate_domain", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def _domain_figures(calibration, name: str) -> list[Figure]:
    predictor = load_pretrained(name)
    _, held_out = calibration.inside_inputs(name, domain.HELD_OUT_PHOTOS, seed=1)
    outside = calibration.outside_inputs(
        name, domain.HELD_OUT_PHOTOS, domain.TEXTURE_PHOTOS[2:], seed=1
    )
    outside_flagged = 100 * (1 - predictor.inputs_in_domain(outside).mean())
    inside_flagged = 100 * (1 - predictor.inputs_in_domain(held_out).mean())
    print(
        f"  {name}: in_domain flags {outside_flagged:.1f} % outside, {inside_flagged:.1f} % inside"
    )
    return [
        Figure.at_least(
            f"{name}: outside inputs that in_domain flags",
            outside_flagged,
            "%",
            target=OUTSIDE_FLAGGED_TARGET,
        ),
        Figure(
            f"{name}: its own held-out inputs that in_domain flags",
            inside_flagged,
            "%",
            target=INSIDE_FLAGGED_TARGET,
        ),
    ]


def run() -> list[Figure]:
    figures = []
    for name, description in robustness.ROBUSTNESS_SETS.items():
        predictor = load_pretrained(name)
        held_out = 100 * predictor.metadata["accuracy"]
        robust = 100 * robustness.robustness_accuracy(predictor)
        megabytes = (MODEL_FOLDER / f"{name}.keras").stat().st_size / 1e6
        print(f"  {name}: {held_out:.1f} % held out, {robust:.1f} % robustness, {megabytes:.2f} MB")
        figures += [
            Figure(f"{name}: held-out accuracy (made as training data is)", held_out, "%"),
            Figure.at_least(
                f"{name}: robustness set accuracy ({description})",
                robust,
                "%",
                target=ROBUSTNESS_TARGETS[name],
            ),
            Figure(f"{name}: .keras file size", megabytes, "MB", target=MAX_MEGABYTES),
        ]
    calibration = _calibration_script()
    for name in calibration.CHECKED:
        figures += _domain_figures(calibration, name)
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
