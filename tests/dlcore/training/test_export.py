"""Tests of dlcore.training.export: the parts every exported training script shares."""

import argparse
import math
import os

import keras
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from dlcore.training import export


def script_namespace(code: str) -> dict:
    """Runs `code` as a script's top would, with the constants and imports it needs."""
    namespace = {
        "__name__": "exported",
        "argparse": argparse,
        "math": math,
        "np": np,
        "os": os,
        "keras": keras,
        "train_test_split": train_test_split,
        "SEED": 0,
        "TEST_FRACTION": 0.2,
        "VALIDATION_FRACTION": 0.25,
    }
    exec(compile(code, "exported", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("stratify", [True, False])
def test_the_split_draws_the_test_part_first_then_validation_from_the_rest(stratify):
    labels = np.repeat(np.arange(4), 25)
    split = script_namespace(export.split_code(doc="Parts.", stratify=stratify))["split"]
    train, validation, test = split(labels)
    assert (len(train), len(validation), len(test)) == (55, 25, 20), "ceil-rounded sizes"
    assert len(np.unique(np.concatenate([train, validation, test]))) == 100
    _, expected_test = train_test_split(
        np.arange(100), test_size=20, random_state=0, stratify=labels if stratify else None
    )
    np.testing.assert_array_equal(test, expected_test)
    if stratify:
        assert np.bincount(labels[test]).tolist() == [5, 5, 5, 5]


def test_a_split_that_selects_returns_the_rows():
    points = np.arange(50, dtype=np.float32)[:, None]
    code = export.split_code(doc="Rows.", argument="points", stratify=False, select=True)
    parts = script_namespace(code)["split"](points)
    assert [len(part) for part in parts] == [27, 13, 10]
    assert sorted(np.concatenate(parts)[:, 0].tolist()) == points[:, 0].tolist()


@pytest.mark.parametrize(
    ("environment", "argv", "expected"),
    [({}, [], 7), ({"EPOCHS": "2"}, [], 2), ({"EPOCHS": "2"}, ["--epochs", "3"], 3)],
)
def test_main_reads_epochs_from_the_command_line_then_the_environment(
    monkeypatch, environment, argv, expected
):
    monkeypatch.delenv("EPOCHS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.argv", ["script.py", *argv])
    code = export.main_code(epochs=7, output="out.keras", arguments=['"--images", default=None'])
    code += "    return args\n"
    args = script_namespace(code)["main"]()
    assert (args.epochs, args.output, args.images) == (expected, "out.keras", None)


def test_training_scoring_and_saving_make_one_main(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["script.py", "--output", str(tmp_path / "model.keras")])
    monkeypatch.delenv("EPOCHS", raising=False)
    body = (
        export.main_code(epochs=1, output="unused.keras", seeded="the batches")
        + "    x, y = np.zeros((8, 2), np.float32), np.arange(8) % 2\n"
        + "    layers = [keras.Input((2,)), keras.layers.Dense(2, activation='softmax')]\n"
        + "    model = keras.Sequential(layers)\n"
        + "    model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        + export.fit_code("x", "y", "(x, y)", options=["shuffle=False  # already shuffled"])
        + export.test_score_code("x", "y", comment="Once, at the end.")
        + export.save_code()
    )
    assert "shuffle=False,  # already shuffled" in body
    namespace = script_namespace(body.replace('if __name__ == "__main__":', "if False:"))
    namespace["BATCH_SIZE"] = 4
    namespace["main"]()
    printed = capsys.readouterr().out
    assert "Test accuracy: " in printed and f"Saved {tmp_path / 'model.keras'}" in printed
    assert (tmp_path / "model.keras").exists()


def test_the_run_note_names_the_epochs_the_output_and_the_environment_variable():
    note = export.run_note(epochs=4, output="x.keras")
    assert note.startswith("Run: python this_script.py --epochs 4 --output x.keras\n")
    assert "EPOCHS environment variable" in note
