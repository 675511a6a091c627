"""Every trainer keeps the contract of dlcore/trainers/__init__.py: built, trained, scored,
exported and loaded the same way.

For each trainer module: `Config()` is valid, `load_data` splits three ways, the model
fits one epoch watching validation, the test score comes once at the end, the exported
script is Python, and the `.keras` file its page exports loads in a fresh Python both
with a bare `import dlcore` and with only the exported script's own definitions.
"""

import copy
import importlib
import math

import numpy as np
import pytest
from helpers import run_python

from dlcore import jobs
from dlcore.data.split import SplitData
from dlcore.training.fit import FitResult
from dlcore.training.history import History
from dlcore.training.saving import model_to_bytes

TRAINERS = (
    "playground",
    "cnn",
    "intents",
    "forecast",
    "residual",
    "gan",
    "video",
    "teach",
    "memory",
    "overfitting",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=TRAINERS)
def trained(request, tmp_path_factory):
    """One trainer, its quick default trained for one epoch, and its exported files."""
    trainer = importlib.import_module(f"dlcore.trainers.{request.param}")
    config = trainer.Config()
    data = trainer.load_data(config)
    model = trainer.build_model(config, data)
    result = trainer.fit(model, data, config, epochs=1)
    scores = trainer.evaluate(model, data)
    folder = tmp_path_factory.mktemp(request.param)
    saved = getattr(trainer, "exported_model", lambda model: model)(model)
    (folder / "model.keras").write_bytes(model_to_bytes(saved))
    (folder / "script.py").write_text(trainer.export_code(config, epochs=1))
    # Predictions are compared where the saved model takes the data's inputs.
    same_inputs = saved is model and not isinstance(data.x_test, dict)
    sample = np.asarray(data.x_test[:2]) if same_inputs else None
    return trainer, config, data, result, scores, folder, saved, sample, model


def test_the_module_has_every_name_of_the_contract(trained):
    trainer = trained[0]
    for name in ("TASK", "Config", "load_data", "build_model", "fit", "evaluate", "export_code"):
        assert hasattr(trainer, name), f"{trainer.__name__} has no {name}"
    assert isinstance(trainer.TASK, str) and trainer.TASK


def test_the_default_config_is_valid_and_frozen(trained):
    config = trained[1]
    assert config.validate() is config
    field = next(iter(config.__dataclass_fields__))
    with pytest.raises(AttributeError):
        setattr(config, field, getattr(config, field))


def test_the_data_is_split_three_ways(trained):
    data = trained[2]
    assert isinstance(data, SplitData)
    sizes = [len(part) for part in (data.y_train, data.y_val, data.y_test)]
    assert min(sizes) >= 1, sizes


def test_one_epoch_fits_and_reports_validation_with_keras_names(trained):
    result = trained[3]
    assert isinstance(result, FitResult) and isinstance(result.history, History)
    assert result.epochs_run == 1 and len(result.history) == 1
    assert "loss" in result.history.metrics
    assert any(name.startswith("val_") for name in result.history.metrics)
    assert not any(name.startswith("test_") for name in result.history.metrics)


def test_the_test_score_is_named_as_a_test_score(trained):
    scores = trained[4]
    assert scores and all(name.startswith("test_") for name in scores)
    assert all(math.isfinite(value) for value in scores.values())


def test_the_exported_script_is_python_that_trains_and_saves(trained):
    script = (trained[5] / "script.py").read_text()
    compile(script, "script.py", "exec")
    assert "def main(" in script and "__main__" in script and ".keras" in script


def _loads_in_a_fresh_python(folder, sample, *, how):
    predicted = "None"
    if sample is not None:
        np.save(folder / "sample.npy", sample)
        # At inference, as the try-it pages call it: random augmentation layers are off.
        predicted = "np.asarray(model(np.load(folder / 'sample.npy'), training=False)).tolist()"
    prelude = {
        "dlcore": "import dlcore",
        # dlcore's own registrations are kept out: only the script's definitions count.
        "script": (
            "import sys, types\n"
            "sys.modules['dlcore.training.layers'] = types.ModuleType('kept_out')\n"
            "source = (folder / 'script.py').read_text()\n"
            "exec(compile(source, 'script.py', 'exec'), {'__name__': 'exported_script'})"
        ),
    }[how]
    return run_python(
        f"""
import json, pathlib
folder = pathlib.Path({str(folder)!r})
{prelude}
import keras
import numpy as np
model = keras.saving.load_model(folder / 'model.keras')
print(json.dumps({predicted}))
""",
        timeout=300,
    )


@pytest.mark.parametrize("how", ["dlcore", "script"])
def test_the_exported_keras_file_loads_in_a_fresh_python(trained, how):
    folder, saved, sample = trained[5], trained[6], trained[7]
    predicted = _loads_in_a_fresh_python(folder, sample, how=how)
    if sample is not None:
        np.testing.assert_allclose(
            np.asarray(predicted), np.asarray(saved(sample, training=False)), rtol=1e-4, atol=1e-5
        )


def test_every_trainer_module_is_held_to_the_contract():
    from pathlib import Path

    import dlcore.trainers

    folder = Path(dlcore.trainers.__file__).parent
    modules = {
        path.stem
        for path in folder.iterdir()
        if not path.name.startswith(("_", "."))
        and (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert modules == set(TRAINERS)


def test_a_job_goes_on_training_the_model_from_its_keras_bytes(trained):
    """What a job hands back between two Train clicks: the model as bytes, and its history."""
    trainer, config, result, model = trained[0], trained[1], trained[3], trained[8]
    name = trainer.__name__.rsplit(".", 1)[-1]
    spec = jobs.JobSpec(
        name,
        config,
        epochs=1,
        reports=(),
        model=model_to_bytes(model),
        history=copy.deepcopy(result.history),
    )
    continued = jobs.run_job(spec).history
    assert len(continued) == 2  # (the GAN counts steps: [100, 200])
    assert continued.epochs[0] == result.history.epochs[0] < continued.epochs[1]
