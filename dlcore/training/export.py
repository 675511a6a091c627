"""The parts that every exported training script shares, written once.

Each trainer's `export_code` writes its own data loading and model (pasting the
builder's source), then calls these functions for the rest, so the scripts keep one
command line (`--epochs`, `--output`, the `EPOCHS` environment variable), one split and
one way of training, scoring and saving:

>>> print(main_code(epochs=5, output="model.keras"))  # doctest: +ELLIPSIS
def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", 5)))
    ...

The code returned needs `argparse`, `math`, `os`, `keras`, `numpy as np` and
`sklearn.model_selection.train_test_split` imported by the script.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from dlcore._checks import check_int


def check_settings(config: Any, epochs: int) -> int:
    """Checks what a trainer's `export_code` writes from, before it writes anything.

    Args:
        config: the trainer's `Config`; its `validate()` runs first.
        epochs: `int` >= 1, the script's default number of epochs.

    Returns:
        `epochs`.

    Raises:
        ValueError: If the config is invalid (its own message) or `epochs` < 1.
    """
    config.validate()
    return check_int(epochs, name="epochs", minimum=1, hint="Training needs at least one epoch")


def run_note(*, epochs: int | str, output: str) -> str:
    """The lines of a script's docstring that say how to run it.

    Args:
        epochs: `int`, the default number of epochs (or the name of a script constant).
        output: `str`, the default `.keras` file.

    Returns:
        Two lines, ending with a newline.
    """
    return (
        f"Run: python this_script.py --epochs {epochs} --output {output}\n"
        "(the EPOCHS environment variable sets the default number of epochs).\n"
    )


def settings_code(config: Any, *, learning_rate: bool = True) -> str:
    """The script's constants of the settings every trainer's config holds, one line each.

    `LEARNING_RATE`, `BATCH_SIZE`, then the split's `VALIDATION_FRACTION`,
    `TEST_FRACTION` and `SEED`, which `split_code` reads.

    Args:
        config: the trainer's `Config`.
        learning_rate: `bool`, False for a config without one learning rate (the GAN
            has one per network). Defaults to True.

    Returns:
        The lines, ending with a newline.
    """
    lines = [f"LEARNING_RATE = {float(config.learning_rate)!r}"] if learning_rate else []
    lines += [
        f"BATCH_SIZE = {config.batch_size!r}",
        f"VALIDATION_FRACTION = {float(config.validation_fraction)!r}",
        f"TEST_FRACTION = {float(config.test_fraction)!r}",
        f"SEED = {config.seed!r}",
    ]
    return "\n".join(lines) + "\n"


def split_code(
    *, doc: str, argument: str = "labels", stratify: bool = True, select: bool = False
) -> str:
    """The script's `split(labels)`: training, validation and test indices (or rows).

    The test part is drawn first, then the validation part from the rest, each with
    `train_test_split(..., random_state=SEED)`, `ceil`-rounded sizes from
    `TEST_FRACTION` and `VALIDATION_FRACTION`, and stratified by the labels when
    `stratify` is True.

    Args:
        doc: `str`, the function's docstring (without quotes).
        argument: `str`, the name of the function's argument. Defaults to "labels".
        stratify: `bool`, whether each part keeps the class proportions. Defaults to True.
        select: `bool`, whether to return the argument's rows of each part rather than
            their indices. Defaults to False.

    Returns:
        The function's source code.
    """
    first = f", stratify={argument}" if stratify else ""
    second = f", stratify={argument}[rest]" if stratify else ""
    parts = (
        f"{argument}[train], {argument}[validation], {argument}[test]"
        if select
        else "train, validation, test"
    )
    return f'''\
def split({argument}):
    """{doc}"""
    n_test = math.ceil(len({argument}) * TEST_FRACTION)
    n_validation = math.ceil(len({argument}) * VALIDATION_FRACTION)
    rest, test = train_test_split(
        np.arange(len({argument})), test_size=n_test, random_state=SEED{first}
    )
    train, validation = train_test_split(
        rest, test_size=n_validation, random_state=SEED{second}
    )
    return {parts}
'''


def compile_code(
    optimizer: str,
    *,
    loss: str = "sparse_categorical_crossentropy",
    metrics: Sequence[str] = ("accuracy",),
    per_epoch: bool = False,
) -> str:
    """The end of the script's `build_model`: `model.compile(...)`, then `return model`.

    Args:
        optimizer: `str`, the optimizer's code (`dlcore.concepts.optimizers.optimizer_code`).
        loss: `str`, the Keras loss. Defaults to "sparse_categorical_crossentropy".
        metrics: `str`s, the Keras metrics. Defaults to ("accuracy",).
        per_epoch: `bool`, whether one call runs a whole epoch (`steps_per_execution`
            from the function's `steps_per_epoch` argument). Defaults to False.

    Returns:
        The lines, ending with a newline.
    """
    names = ", ".join(f'"{metric}"' for metric in metrics)
    steps = (
        "        # One call runs a whole epoch's batches: much faster on a CPU for a small model.\n"
        "        steps_per_execution=steps_per_epoch,\n"
        if per_epoch
        else ""
    )
    return f"""\
    model.compile(
        optimizer={optimizer},
        loss="{loss}",
        metrics=[{names}],
{steps}    )
    return model
"""


def main_code(
    *,
    epochs: int | str,
    output: str,
    seeded: str | None = None,
    arguments: Sequence[str] = (),
) -> str:
    """The opening of the script's `main()`: its command line, then the seed.

    Args:
        epochs: `int`, the default of `--epochs` (or the name of a script constant),
            overridden by the `EPOCHS` environment variable.
        output: `str`, the default of `--output`.
        seeded: `str` or None, what `keras.utils.set_random_seed(SEED)` makes
            repeatable (a comment), or None to set no seed here. Defaults to None.
        arguments: `str`s, more `parser.add_argument(...)` calls, put first.

    Returns:
        The lines, ending with a newline.
    """
    lines = [
        "def main():",
        "    parser = argparse.ArgumentParser(description=__doc__)",
        *(f"    parser.add_argument({argument})" for argument in arguments),
        '    parser.add_argument("--epochs", type=int,'
        f' default=int(os.environ.get("EPOCHS", {epochs})))',
        f'    parser.add_argument("--output", default="{output}")',
        "    args = parser.parse_args()",
    ]
    if seeded is not None:
        lines.append(f"    keras.utils.set_random_seed(SEED)  # {seeded}")
    return "\n".join(lines) + "\n"


def fit_code(x: str, y: str, validation: str, *, options: Sequence[str] = ()) -> str:
    """`model.summary()` and `model.fit(...)` on the training part, watching validation.

    Args:
        x: `str`, the expression of the training inputs.
        y: `str`, the expression of the training targets.
        validation: `str`, the expression given as `validation_data`.
        options: `str`s, more `name=value` arguments of `fit`, each may end with a
            `  # comment`.

    Returns:
        The lines, ending with a newline.
    """
    more = "".join(
        f"        {option.replace('  #', ',  #', 1) if '  #' in option else option + ','}\n"
        for option in options
    )
    return f"""\
    model.summary()
    model.fit(
        {x},
        {y},
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
{more}        validation_data={validation},
        verbose=2,
    )
"""


def test_score_code(x: str, y: str, *, comment: str | None = None, indent: int = 4) -> str:
    """Scores the test part once and prints "Test loss: x.xxxx" and "Test accuracy: x.xxxx".

    Args:
        x: `str`, the expression of the test inputs.
        y: `str`, the expression of the test labels.
        comment: `str` or None, a comment put first. Defaults to None.
        indent: `int`, the spaces before each line. Defaults to 4.

    Returns:
        The lines, ending with a newline.
    """
    lines = f"# {comment}\n" if comment else ""
    lines += f"""\
loss, accuracy = model.evaluate({x}, {y}, verbose=0)
print(f"Test loss: {{loss:.4f}}")
print(f"Test accuracy: {{accuracy:.4f}}")
"""
    return textwrap.indent(lines, " " * indent)


def train_test_save_code(
    train: tuple[str, str],
    validation: str,
    test: tuple[str, str],
    *,
    comment: str,
    options: Sequence[str] = (),
) -> str:
    """The rest of a classifier script's `main()`: `fit_code`, `test_score_code`, `save_code`.

    Args:
        train: `(x, y)`, the expressions of the training inputs and labels.
        validation: `str`, the expression given as `validation_data`.
        test: `(x, y)`, the expressions of the test inputs and labels.
        comment: `str`, the comment before the test score.
        options: `str`s, more arguments of `fit`, as `fit_code` takes them.

    Returns:
        The last lines of the script, ending with a newline.
    """
    return (
        fit_code(*train, validation, options=options)
        + test_score_code(*test, comment=comment)
        + save_code()
    )


def save_code(saved: str = "model") -> str:
    """Saves the model to `--output`, prints "Saved <path>", and ends the script.

    Args:
        saved: `str`, the expression of the Keras model saved. Defaults to "model".

    Returns:
        The last lines of the script, ending with a newline.
    """
    return f"""\
    {saved}.save(args.output)
    print(f"Saved {{args.output}}")


if __name__ == "__main__":
    main()
"""
