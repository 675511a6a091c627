"""Calling a trainer's builder with its config: the settings both name alike, passed by name."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def builder_arguments(builder: Callable[..., Any], config: Any) -> dict[str, Any]:
    """The builder's keyword-only arguments, each read from the config's field of its name.

    The builders whose settings are named as their configs name them (`forecaster`,
    `intent_classifier`, `motion_model`) take them this way; the exported scripts name
    them so too, in capitals. A data generator whose settings the config names alike
    (`dlcore.data.timeseries.make_series` for the forecast trainer) takes them the same way.

    Args:
        builder: a plain function that builds a model or data, its settings keyword-only.
        config: a trainer's `Config`, with a field for each of them.

    Returns:
        Argument name -> the config's value, in the builder's order.
    """
    return {
        name: getattr(config, name)
        for name, parameter in inspect.signature(builder).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
