"""dlcore.explain.robustness: one robustness set per bundled model, read as its page reads."""

import numpy as np
import pytest

from dlcore.data import intents
from dlcore.explain import robustness
from dlcore.pretrained import PRETRAINED_NAMES


def test_every_named_set_is_a_bundled_model():
    assert set(robustness.ROBUSTNESS_SETS) <= set(PRETRAINED_NAMES)


def test_the_intents_set_is_the_hand_written_sentences():
    sentences, targets = robustness.robustness_set("intents")
    assert len(sentences) == len(targets) == 100
    assert all(isinstance(text, str) for text in sentences)
    assert targets.dtype == np.int64
    assert set(targets) <= set(range(len(intents.INTENT_LABELS)))


def test_the_motion_set_holds_decoded_clips_and_their_times():
    clips, targets = robustness.robustness_set("motion")
    assert len(clips) == len(targets) == 120
    frames, times = clips[0]
    assert frames.dtype == np.uint8 and frames.ndim == 4 and times.shape == (len(frames),)
    assert np.bincount(targets).tolist() == [20] * 6


def test_a_model_without_a_set_is_refused():
    with pytest.raises(ValueError, match=r"one of .*digits.*Received: name='mnist'"):
        robustness.robustness_set("mnist")
