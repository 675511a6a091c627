"""Datasets that work offline: bundled, generated, and the project's own.

Every loader follows scikit-learn's `sklearn.datasets`: `load_*` for data that ships
with a package or with this project, `make_*` for data generated from a `seed`. Each
returns a `sklearn.utils.Bunch` with at least `data`, `target`, `target_names` and
`DESCR`, or only `(data, target)` when called with `return_X_y=True`.
"""
