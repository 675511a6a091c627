"""Tests for dlcore.explain.attention: self-attention recomputed in NumPy, checked against
Keras's own `MultiHeadAttention` outputs and attention scores."""

import itertools

import keras
import numpy as np
import pytest

from dlcore import preprocess
from dlcore.explain.attention import attention_by_hand, intent_attention_by_hand
from dlcore.trainers import intents

N_TOKENS, N_FEATURES = 5, 4
# Tokens 4 and 5 are padding.
KEEP = np.array([True, True, True, False, False])


@pytest.fixture(scope="module")
def layer_and_inputs():
    """A small seeded layer (2 heads, d = 3, 4 features) with non-zero biases, and a
    random sequence."""
    layer = keras.layers.MultiHeadAttention(2, key_dim=3, seed=7)
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(N_TOKENS, N_FEATURES)).astype(np.float32)
    layer(inputs[np.newaxis], inputs[np.newaxis])
    # Keras starts the biases at 0: random ones make sure they are added where they belong.
    for dense in (layer.query_dense, layer.key_dense, layer.value_dense, layer.output_dense):
        dense.bias.assign(rng.normal(size=dense.bias.shape).astype(np.float32))
    return layer, inputs


def _keras(layer, inputs, attention_mask=None):
    batch = inputs[np.newaxis]
    mask = None if attention_mask is None else attention_mask[np.newaxis]
    output, scores = layer(
        batch, batch, attention_mask=mask, return_attention_scores=True, training=False
    )
    return np.asarray(output)[0], np.asarray(scores)[0]


@pytest.mark.parametrize("masked", [False, True], ids=["no mask", "padding mask"])
def test_numpy_equals_keras_weights_and_output(layer_and_inputs, masked):
    layer, inputs = layer_and_inputs
    pairs = (KEEP[:, np.newaxis] & KEEP[np.newaxis, :]) if masked else None
    expected_output, expected_scores = _keras(layer, inputs, pairs)
    result = attention_by_hand(layer, inputs, mask=KEEP if masked else None)
    assert result.queries.shape == (2, N_TOKENS, 3), "queries shape (heads, tokens, d)"
    assert result.values.shape == (2, N_TOKENS, 3)
    assert result.weights.shape == (2, N_TOKENS, N_TOKENS)
    np.testing.assert_allclose(result.weights, expected_scores, atol=1e-5)
    np.testing.assert_allclose(result.output, expected_output, atol=1e-5)
    # A 2-D attention mask gives the same as the padding mask it spells out.
    if masked:
        pairwise = attention_by_hand(layer, inputs, mask=pairs)
        np.testing.assert_allclose(pairwise.weights, result.weights)


def test_each_step_is_the_formula(layer_and_inputs):
    layer, inputs = layer_and_inputs
    result = attention_by_hand(layer, inputs)
    kernel, bias = (np.asarray(weight) for weight in layer.query_dense.weights)
    np.testing.assert_allclose(result.queries[1, 2], inputs[2] @ kernel[:, 1] + bias[1], atol=1e-6)
    score = result.queries[0, 1] @ result.keys[0, 3] / np.sqrt(3)
    np.testing.assert_allclose(result.scores[0, 1, 3], score)
    row = np.exp(result.scores[0, 1]) / np.exp(result.scores[0, 1]).sum()
    np.testing.assert_allclose(result.weights[0, 1], row)
    np.testing.assert_allclose(result.contexts[0, 1], row @ result.values[0])


def test_the_layer_masked_by_a_keras_mask_agrees(layer_and_inputs):
    """The intent model masks through Keras masks (an `Embedding`'s), not `attention_mask`."""
    layer, inputs = layer_and_inputs
    padded = np.where(KEEP[:, np.newaxis], inputs, 0.0).astype(np.float32)
    sequence = keras.Input((N_TOKENS, N_FEATURES))
    masked = keras.layers.Masking(mask_value=0.0)(sequence)
    output = np.asarray(keras.Model(sequence, layer(masked, masked))(padded[np.newaxis]))[0]
    result = attention_by_hand(layer, padded, mask=KEEP)
    np.testing.assert_allclose(result.output[KEEP], output[KEEP], atol=1e-5)


def test_masked_positions_get_no_weight(layer_and_inputs):
    layer, inputs = layer_and_inputs
    result = attention_by_hand(layer, inputs, mask=KEEP, temperature=3.0)
    assert np.all(result.weights[:, :, ~KEEP] == 0), "no token looks at padding"
    assert np.all(result.weights[:, ~KEEP] == 0), "padding looks at nothing, as in Keras"
    np.testing.assert_allclose(result.weights[:, KEEP].sum(axis=-1), 1.0)
    assert np.all(np.isneginf(result.masked_scores[:, :, ~KEEP]))
    np.testing.assert_array_equal(
        result.masked_scores[:, KEEP][:, :, KEEP], result.scores[:, KEEP][:, :, KEEP]
    )


def test_temperature_one_is_keras_and_a_higher_one_flattens(layer_and_inputs):
    layer, inputs = layer_and_inputs
    _, expected_scores = _keras(layer, inputs)
    default = attention_by_hand(layer, inputs)
    assert default.temperature == 1.0
    np.testing.assert_allclose(
        attention_by_hand(layer, inputs, temperature=1.0).weights, expected_scores, atol=1e-5
    )
    entropies = [
        attention_by_hand(layer, inputs, temperature=t).entropy() for t in (0.25, 1.0, 4.0, 100.0)
    ]
    for lower, higher in itertools.pairwise(entropies):
        assert np.all(higher > lower), "a higher temperature spreads every row's weights"
    # Very hot: nearly uniform over the 5 tokens; the values and queries do not change.
    np.testing.assert_allclose(entropies[-1], np.log(N_TOKENS), atol=1e-3)
    hot = attention_by_hand(layer, inputs, temperature=100.0)
    np.testing.assert_allclose(hot.queries, default.queries)
    np.testing.assert_allclose(hot.scores, default.scores)


def test_bad_arguments_are_explained(layer_and_inputs):
    layer, inputs = layer_and_inputs
    with pytest.raises(ValueError, match=r"shape \(n_tokens, n_features\)"):
        attention_by_hand(layer, inputs[np.newaxis])
    with pytest.raises(ValueError, match="temperature"):
        attention_by_hand(layer, inputs, temperature=0.0)
    with pytest.raises(ValueError, match=r"`mask` must have shape \(5,\)"):
        attention_by_hand(layer, inputs, mask=KEEP[:3])
    with pytest.raises(TypeError, match="MultiHeadAttention"):
        attention_by_hand(keras.layers.Dense(3), inputs)
    with pytest.raises(ValueError, match="not built"):
        attention_by_hand(keras.layers.MultiHeadAttention(2, key_dim=3), inputs)


@pytest.fixture(scope="module")
def tiny_transformer():
    """An untrained intent Transformer of 2 blocks, 2 heads of d = 4: attention is
    computed the same whether trained or not."""
    data = intents.load_data(intents.Config())
    config = intents.Config(encoder="transformer", n_layers=2, n_heads=2, embedding_dim=8)
    return intents.build_model(config, data), data


@pytest.mark.parametrize("block", [1, 2])
def test_intent_model_attention_by_hand_equals_its_layer(tiny_transformer, block):
    model, data = tiny_transformer
    token_ids = preprocess.encode_texts(["Play some jazz please"], data.preprocessing)[0]
    n_words = int((token_ids != preprocess.PADDING_ID).sum())
    result = intent_attention_by_hand(model, token_ids, block=block, n_padding=2)
    # The model's own layer, in the model, for the whole padded sentence.
    layer = model.get_layer(f"attention_{block}")
    output = np.asarray(keras.Model(model.input, layer.output)(token_ids[np.newaxis]))[0]
    np.testing.assert_allclose(result.output[:n_words], output[:n_words], atol=1e-5)
    np.testing.assert_allclose(result.weights.sum(axis=-1)[:, :n_words], 1.0)
    # Every block masks the padding, the second as well as the first.
    assert result.weights.shape == (2, n_words + 2, n_words + 2)
    assert result.mask[:n_words, :n_words].all() and not result.mask[:, n_words:].any()
    whole = intent_attention_by_hand(model, token_ids, block=block, n_padding=None)
    assert whole.n_tokens == len(token_ids)
    np.testing.assert_allclose(
        whole.weights[:, :n_words, : n_words + 2], result.weights[:, :n_words], atol=1e-12
    )


def test_no_block_of_the_transformer_looks_at_padding(tiny_transformer):
    """The words' outputs of every block, and the answer, stay the same when the padding's
    vector changes: nothing after the embedding reads the padding."""
    model, data = tiny_transformer
    token_ids = preprocess.encode_texts(["Play some jazz please"], data.preprocessing)[0]
    n_words = int((token_ids != preprocess.PADDING_ID).sum())
    names = ["embedding", *(f"feed_forward_norm_{block}" for block in (1, 2))]
    probe = keras.Model(model.input, [*(model.get_layer(n).output for n in names), model.output])
    table = model.get_layer("embedding").token_embedding.embeddings
    saved = keras.ops.convert_to_numpy(table)
    before = [np.asarray(value)[0] for value in probe(token_ids[np.newaxis])]
    try:
        table.assign(saved + np.eye(len(saved), 1, dtype=saved.dtype) * 5.0)  # padding's row
        after = [np.asarray(value)[0] for value in probe(token_ids[np.newaxis])]
    finally:
        table.assign(saved)
    # The padding's own vectors did change, and nothing that the words make did.
    assert np.abs(after[0][n_words:] - before[0][n_words:]).min() > 1.0
    for name, was, now in zip(names[1:], before[1:3], after[1:3], strict=True):
        np.testing.assert_allclose(now[:n_words], was[:n_words], atol=1e-5, err_msg=name)
    np.testing.assert_allclose(after[3], before[3], atol=1e-6)


def test_intent_helper_refuses_what_it_cannot_show(tiny_transformer):
    model, _ = tiny_transformer
    with pytest.raises(ValueError, match="between 1 and 2"):
        intent_attention_by_hand(model, np.array([5, 6, 0]), block=3)
    with pytest.raises(ValueError, match="all padding"):
        intent_attention_by_hand(model, np.zeros(20, dtype=np.int32))
