"""Memory: SimpleRNN, LSTM and GRU side by side on a sequence whose answer is its first token.

The logic behind the "Memory (RNN, LSTM, GRU)" page, with the names of the trainer contract
(see `dlcore.trainers`). Every sequence is `length` random symbols and its label is the
first one (`dlcore.data.memory_task`): to answer, a network must carry the first token
past every later one. A SimpleRNN rewrites its whole state at every step,
`h_t = tanh(W x_t + U h_{t-1} + b)`, so the first token fades step by step, and so does
the gradient that would teach it to keep it; an LSTM's cell state
`c_t = f_t * c_{t-1} + i_t * g_t` and a GRU's state `h_t = z_t * h_{t-1} + (1 - z_t) * g_t`
pass on unchanged what their gate keeps (f or z near 1).

`load_data` draws the sequences and splits them three ways; `build_model` builds the
chosen cells side by side as one Keras model (`build_side_by_side`), each with its own
embedding, recurrent layer and output, so that each learns exactly as it would alone from
the same batches; `fit` trains it, reporting every cell after each epoch; `evaluate`
scores each cell on the test part, once, at the end; `export_code` writes the same model
and training as a standalone Keras script.

Example:

>>> config = Config(length=60, n_samples=3000)
>>> data = load_data(config)
>>> model = build_model(config, data)
>>> result = fit(model, data, config, epochs=10)  # about 30 s on 2 CPU cores  # doctest: +SKIP
>>> {cell: result.history.variant(cell)["val_accuracy"][-1] for cell in CELLS}  # doctest: +SKIP
{'simple_rnn': 0.28, 'lstm': 1.0, 'gru': 1.0}
"""

from dlcore.trainers.memory.config import CELLS, MAX_UNITS, OPTIMIZERS, Config
from dlcore.trainers.memory.export import export_code
from dlcore.trainers.memory.model import (
    EMBEDDING_DIM,
    EMBEDDING_SCALE,
    build_model,
    build_side_by_side,
    evaluate,
    fit,
    load_data,
    model_cells,
    model_order,
    start_keeping,
)

TASK = "memory"
"""What its models predict: a sequence's first token (no try-it page takes them)."""

__all__ = [
    "CELLS",
    "EMBEDDING_DIM",
    "EMBEDDING_SCALE",
    "MAX_UNITS",
    "OPTIMIZERS",
    "TASK",
    "Config",
    "build_model",
    "build_side_by_side",
    "evaluate",
    "export_code",
    "fit",
    "load_data",
    "model_cells",
    "model_order",
    "start_keeping",
]
