"""Tests for dlcore.training.settings: one check, one message, for every trainer's settings."""

import math
from types import SimpleNamespace

import pytest

from dlcore.trainers import cnn, forecast, gan, intents, playground, residual, teach, video
from dlcore.training.settings import check_training_settings

GOOD = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 8, "seed": 0}


def settings(**changes):
    return SimpleNamespace(**{**GOOD, **changes})


def test_good_settings_pass():
    assert check_training_settings(settings(), optimizers=("adam", "sgd")) is None


def test_without_optimizers_the_optimizer_is_not_asked_for():
    check_training_settings(SimpleNamespace(learning_rate=0.1, batch_size=1, seed=3))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"optimizer": "lbfgs"},
            "Unknown optimizer. Choose one of: adam, sgd. Received: optimizer='lbfgs'.",
        ),
        (
            {"learning_rate": 0.0},
            "`learning_rate` must be a finite number above 0 (at 0 the weights never change; "
            "0.001 to 0.1 is a typical learning rate). Received: learning_rate=0.0.",
        ),
        (
            {"batch_size": 0},
            "`batch_size` must be an integer of at least 1 clip (8 to 128 is a typical batch "
            "size). Received: batch_size=0.",
        ),
        ({"seed": 1.5}, "`seed` must be an integer of at least 0. Received: seed=1.5."),
    ],
)
def test_a_refused_setting_gets_the_house_message(changes, message):
    with pytest.raises(ValueError) as error:
        check_training_settings(settings(**changes), optimizers=("adam", "sgd"), unit="clip")
    assert str(error.value) == message


@pytest.mark.parametrize("rate", [math.nan, math.inf, -0.1, True, "0.1"])
def test_a_learning_rate_must_be_a_finite_positive_number(rate):
    with pytest.raises(ValueError, match="Received: learning_rate="):
        check_training_settings(settings(learning_rate=rate))


@pytest.mark.parametrize(
    "trainer", [cnn, forecast, gan, intents, playground, residual, teach, video]
)
def test_every_trainer_refuses_a_negative_seed_the_same_way(trainer):
    with pytest.raises(ValueError, match=r"`seed` must be an integer of at least 0\."):
        trainer.Config(seed=-1).validate()


@pytest.mark.parametrize("trainer", [cnn, forecast, intents, playground, residual, video])
def test_every_trainer_refuses_a_zero_learning_rate_the_same_way(trainer):
    with pytest.raises(ValueError, match=r"^`learning_rate` must be a finite number above 0"):
        trainer.Config(learning_rate=0.0).validate()
