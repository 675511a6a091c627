"""Tests for dlcore._checks: what each check accepts, and the house message it writes."""

import numpy as np
import pytest

from dlcore._checks import (
    check_choice,
    check_fraction,
    check_int,
    check_names,
    check_number,
    check_seed,
    is_int,
    is_real,
)


@pytest.mark.parametrize("value", [0, 3, -2, np.int64(5)])
def test_integers_are_integers(value):
    assert is_int(value) and is_real(value)


@pytest.mark.parametrize("value", [True, 1.0, "1", None, np.float32(1)])
def test_bools_floats_and_text_are_not_integers(value):
    assert not is_int(value)


def test_a_bool_is_not_a_number():
    assert not is_real(False)


def test_an_accepted_value_comes_back_unchanged():
    assert check_int(4, name="n", minimum=1, maximum=6) == 4
    assert check_number(0.01, name="rate", above=0, maximum=1) == 0.01
    assert check_fraction(0.2, name="f") == 0.2
    assert check_choice("adam", name="optimizer", choices=("adam", "sgd")) == "adam"
    assert check_seed(np.int32(7)) == 7


NAMES = {
    "name": "augmentation",
    "choices": ("flip", "zoom"),
    "what": "augmentation",
    "example": ("flip",),
}


def test_names_come_back_as_a_tuple_and_may_be_none_unless_asked_for():
    assert check_names(["zoom", "flip"], **NAMES) == ("zoom", "flip")
    assert check_names((), **NAMES) == ()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: check_int(0, name="batch_size", what="The batch size", minimum=1, unit="image"),
            "The batch size must be an integer of at least 1 image. Received: batch_size=0.",
        ),
        (
            lambda: check_int(7, name="n_blocks", minimum=1, maximum=6),
            "`n_blocks` must be an integer from 1 to 6. Received: n_blocks=7.",
        ),
        (
            lambda: check_int(2.0, name="units", maximum=9, hint="Use 8 to 64."),
            "`units` must be an integer of at most 9. Use 8 to 64. Received: units=2.0.",
        ),
        (
            lambda: check_number(
                0,
                name="learning_rate",
                what="The learning rate",
                above=0,
                maximum=1,
                hint="(0.001 to 0.01 suits Adam)",
            ),
            "The learning rate must be a number above 0 and at most 1 (0.001 to 0.01 suits "
            "Adam). Received: learning_rate=0.",
        ),
        (
            lambda: check_fraction(1, name="test_fraction", hint=", e.g. 0.2"),
            "`test_fraction` must be a number strictly between 0 and 1, e.g. 0.2. "
            "Received: test_fraction=1.",
        ),
        (
            lambda: check_choice("adamw", name="optimizer", choices=("adam", "sgd")),
            "Unknown optimizer. Choose one of: adam, sgd. Received: optimizer='adamw'.",
        ),
        (
            lambda: check_number(float("nan"), name="trend", finite=True),
            "`trend` must be a finite number. Received: trend=nan.",
        ),
        (
            lambda: check_number(float("inf"), name="noise", minimum=0, finite=True),
            "`noise` must be a finite number at least 0. Received: noise=inf.",
        ),
        (
            lambda: check_names(("flip", "blur"), **NAMES),
            "Unknown augmentation 'blur'. Choose from: flip, zoom. "
            "Received: augmentation=('flip', 'blur').",
        ),
        (
            lambda: check_names(["zoom", "zoom"], **NAMES),
            "Each augmentation may appear once. Received: augmentation=['zoom', 'zoom'].",
        ),
        (
            lambda: check_names("flip", **NAMES),
            "`augmentation` must be a sequence of names, e.g. ('flip',). "
            "Received: augmentation='flip'.",
        ),
        (
            lambda: check_names((), **NAMES, empty="Choose at least one augmentation"),
            "Choose at least one augmentation, e.g. ('flip',). Received: augmentation=().",
        ),
        (lambda: check_seed(None), "`seed` must be an integer of at least 0. Received: seed=None."),
        (lambda: check_seed(-1), "`seed` must be an integer of at least 0. Received: seed=-1."),
    ],
)
def test_a_refused_value_gets_the_house_message(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == message
