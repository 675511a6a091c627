"""The trainers: one module per model family, every one with the same names.

A page, a notebook or a job runner can train any of them the same way:

>>> from dlcore.trainers import cnn                                   # doctest: +SKIP
>>> config = cnn.Config().validate()          # a valid, quick setting   # doctest: +SKIP
>>> data = cnn.load_data(config)              # train / validation / test  # doctest: +SKIP
>>> model = cnn.build_model(config, data)     # compiled, sizes from data  # doctest: +SKIP
>>> result = cnn.fit(model, data, config, epochs=3)                        # doctest: +SKIP
>>> cnn.evaluate(model, data)                 # once, at the end       # doctest: +SKIP
{'test_loss': 0.31, 'test_accuracy': 0.91}
>>> script = cnn.export_code(config, epochs=3)  # trains the same model  # doctest: +SKIP

Every trainer module exposes:

- `TASK`: what its models predict, the name a trained model is kept under for the try-it
  pages ("digits", "intents", "motion", ...; "forecast" and "gan" have no try-it page).
- `Config`: a frozen dataclass of plain settings. `Config()` is a valid, quick setting;
  `Config(...).validate()` returns the config, or raises `ValueError` with the house
  message (`dlcore._checks`). Every config has `validation_fraction`, `test_fraction`
  and `seed` where its data is split.
- `load_data(config)`: a `dlcore.data.split.SplitData` (or a subclass with more fields):
  training, validation and test parts, labels and preprocessing.
- `build_model(config, data)`: the compiled Keras model, its sizes taken from `data`. It
  calls the module's builder, a plain function of plain arguments, whose source
  `export_code` pastes into the script (`inspect.getsource`), so the exported script
  and the app's model cannot drift.
- `fit(model, data, config, *, epochs, on_epoch=None, patience=None, history=None,
  stop=None)`: trains on the training part and measures the validation part after
  every epoch; early stopping and the best epoch watch validation. Returns a
  `dlcore.training.fit.FitResult` whose `history` is a `dlcore.training.history.History`
  with Keras's metric names. `stop()` is asked after every epoch; True ends the run
  there. A trainer may take more keyword arguments (the Playground's redraw clock).
- `evaluate(model, data)`: the test score, computed once at the end, as
  `{"test_loss": ..., "test_accuracy": ...}` (the names say they are test scores).
- `export_code(config, *, epochs)`: a standalone script that builds and trains the same
  model and saves a `.keras` file that `import dlcore` can load.
- `exported_model(model)`, only where the page's Export saves something other than the
  model itself (the GAN saves its generator).

Duck-typed, with no base class: the Playground redraws on a clock and the GAN counts
steps, and a template method would hide their loops.
"""
