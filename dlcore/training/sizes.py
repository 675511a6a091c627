"""Layer sizes written as text, as a person types them: "8, 8, 4" -> (8, 8, 4)."""

from __future__ import annotations


def parse_layer_sizes(text: str) -> tuple[int, ...]:
    """The neuron counts of the hidden layers, one per comma (or semicolon).

    Args:
        text: e.g. "4, 2" or "8; 8". Blank parts are skipped; "" means no hidden layer.

    Returns:
        The counts as given, e.g. `(4, 2)`; `()` for no hidden layer. Whether each count
        makes a valid network is the config's check (`Config.validate`).

    Raises:
        ValueError: a part is not a whole number.

    Example:
        >>> parse_layer_sizes("8, 8, 4")
        (8, 8, 4)
    """
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        return tuple(int(part) for part in parts)
    except ValueError as error:
        raise ValueError(
            f"“{text}” is not a list of neuron counts. Write the neurons of each hidden "
            "layer as whole numbers separated by commas, e.g. `8, 8`."
        ) from error
