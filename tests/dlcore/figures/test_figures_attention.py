"""Tests for dlcore.figures.attention: one token's scores and weights, the Q, K, V grids."""

import numpy as np
import pytest
from helpers import run_python

from dlcore.figures import attention as figures
from dlcore.figures.style import REFERENCE_WIDTH, enlarge

TOKENS = ["play", "some", "jazz", "[PAD]"]
KEEP = np.array([True, True, True, False])


def _arrays(seed=0, n_heads=2, n_tokens=4, key_dim=3):
    rng = np.random.default_rng(seed)
    queries, keys, values = rng.normal(size=(3, n_heads, n_tokens, key_dim))
    scores = np.einsum("hqd,hkd->hqk", queries, keys) / np.sqrt(key_dim)
    mask = KEEP[:, np.newaxis] & KEEP[np.newaxis, :]
    exponentials = np.where(mask, np.exp(scores), 0.0)
    totals = exponentials.sum(axis=-1, keepdims=True)
    weights = np.divide(exponentials, totals, out=np.zeros_like(scores), where=totals > 0)
    return queries, keys, values, scores, weights, mask


def test_the_figures_and_the_recomputation_import_no_keras():
    imported = run_python(
        """
        import json, sys
        import dlcore.explain.attention, dlcore.figures.attention
        print(json.dumps(sorted(name for name in ("tensorflow", "keras") if name in sys.modules)))
        """
    )
    assert imported == []


def test_query_scores_figure_draws_the_chosen_row_and_marks_padding():
    _, _, _, scores, weights, mask = _arrays()
    figure = figures.query_scores_figure(
        scores, weights, TOKENS, token=2, head=1, mask=mask, temperature=2.0
    )
    score_bars, weight_bars = figure.data
    assert (score_bars.name, weight_bars.name) == ("score", "weight")
    np.testing.assert_allclose(np.asarray(score_bars.x, dtype=float)[:3], scores[1, 2, :3])
    np.testing.assert_allclose(np.asarray(weight_bars.x, dtype=float)[:3], weights[1, 2, :3])
    assert np.isnan(float(score_bars.x[3])) and np.isnan(float(weight_bars.x[3]))
    assert weight_bars.text[3] == "" and weight_bars.text[0] == f"{weights[1, 2, 0]:.2f}"
    masked = [note for note in figure.layout.annotations if note.text == "masked"]
    assert len(masked) == 2, "padding is written as masked in both panels"
    assert {note.xref for note in masked} == {"x", "x2"} and {note.y for note in masked} == {3}
    # Tokens and heads counted from 1 for people; the query token in bold.
    assert "token 3" in figure.layout.title.text and "head 2" in figure.layout.title.text
    assert list(figure.layout.yaxis.ticktext) == ["play", "some", "<b>jazz</b>", "[PAD]"]
    assert "T = 2" in " ".join(note.text for note in figure.layout.annotations)


def test_query_scores_figure_without_mask_and_bad_input():
    _, _, _, scores, weights, _ = _arrays()
    figure = figures.query_scores_figure(scores, weights, TOKENS, token=0, head=0)
    assert not any(note.text == "masked" for note in figure.layout.annotations)
    assert np.isfinite(np.asarray(figure.data[0].x, dtype=float)).all()
    # The score axis leaves room for the numbers written beside the bars.
    low, high = figure.layout.xaxis.range
    assert low <= scores[0, 0].min() and high > scores[0, 0].max()
    with pytest.raises(ValueError, match=r"shape \(n_heads, n_tokens, n_tokens\)"):
        figures.query_scores_figure(scores, weights, TOKENS[:3], token=0, head=0)
    with pytest.raises(ValueError, match=r"`head` must be an index from 0 to 1"):
        figures.query_scores_figure(scores, weights, TOKENS, token=0, head=2)
    with pytest.raises(ValueError, match="`token`"):
        figures.query_scores_figure(scores, weights, TOKENS, token=-1, head=0)


def test_vectors_figure_writes_q_k_v_side_by_side_readable_at_560_px():
    queries, keys, values, *_ = _arrays()
    figure = figures.vectors_figure(queries, keys, values, TOKENS, head=1, token=2)
    (heatmap,) = figure.data
    grid = np.asarray(heatmap.z, dtype=float)
    assert grid.shape == (4, 3 + 1 + 3 + 1 + 3)
    np.testing.assert_allclose(grid[:, :3], queries[1])
    np.testing.assert_allclose(grid[:, 4:7], keys[1])
    np.testing.assert_allclose(grid[:, 8:], values[1])
    assert np.isnan(grid[:, [3, 7]]).all()
    assert heatmap.text[2][0] == f"{queries[1, 2, 0]:.2f}" and heatmap.text[2][3] == ""
    # Every number fits its cell at the reference width, at a readable size.
    size = heatmap.textfont.size
    widest = max(len(text) for row in heatmap.text for text in row)
    assert size >= figures.MIN_CELL_FONT_SIZE
    assert widest * 0.6 * size <= 0.8 * REFERENCE_WIDTH / grid.shape[1]
    assert [note.text for note in figure.layout.annotations] == list(figures.MATRIX_NAMES)
    assert list(figure.layout.xaxis.ticktext)[:4] == ["1", "2", "3", ""]
    assert list(figure.layout.yaxis.ticktext) == TOKENS
    (outline,) = figure.layout.shapes
    assert (outline.y0, outline.y1, outline.x0, outline.x1) == (1.5, 2.5, -0.5, 2.5)
    # Presenter mode keeps the numbers inside their cells.
    enlarged = enlarge(figure).data[0]
    assert widest * 0.6 * enlarged.textfont.size <= 0.8 * REFERENCE_WIDTH / grid.shape[1]


def test_vectors_figure_leaves_numbers_out_when_d_is_too_wide():
    queries, keys, values, *_ = _arrays(key_dim=16)
    heatmap = figures.vectors_figure(queries, keys, values, TOKENS, head=0).data[0]
    assert all(text == "" for row in heatmap.text for text in row)
    with pytest.raises(ValueError, match="one token label per token"):
        figures.vectors_figure(queries, keys, values, TOKENS[:2], head=0)
    with pytest.raises(ValueError, match="`head`"):
        figures.vectors_figure(queries, keys, values, TOKENS, head=5)


def test_weighted_sum_figure_adds_the_weighted_values_up():
    _, _, values, _, weights, _ = _arrays()
    figure = figures.weighted_sum_figure(weights, values, TOKENS, token=1, head=0)
    grid = np.asarray(figure.data[0].z, dtype=float)
    assert grid.shape == (4 + 2, 1 + 1 + 3 + 1 + 3)
    np.testing.assert_allclose(grid[:4, 0], weights[0, 1])
    np.testing.assert_allclose(grid[:4, 2:5], values[0])
    np.testing.assert_allclose(grid[:4, 6:], weights[0, 1][:, np.newaxis] * values[0])
    np.testing.assert_allclose(grid[5, 6:], weights[0, 1] @ values[0])
    assert np.isnan(grid[4]).all() and np.isnan(grid[5, :6]).all()
    assert grid[3, 0] == 0, "padding gets no weight, so adds nothing"
    assert list(figure.layout.yaxis.ticktext)[-1] == "<b>sum</b>"
    assert "token 2" in figure.layout.title.text and "head 1" in figure.layout.title.text
    assert figure.data[0].textfont.size >= figures.MIN_CELL_FONT_SIZE
    with pytest.raises(ValueError, match="one token label per token"):
        figures.weighted_sum_figure(weights, values[:, :2], TOKENS, token=0, head=0)
