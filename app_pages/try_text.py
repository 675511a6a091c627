# Try it, text: type a request in English or Chinese and see the intent that a bundled or
# session-trained model gives it, which tokens drove that answer, and the recurrent hidden
# state and gates, or the attention, token by token; or classify many requests at once,
# typed or from a CSV file.


import streamlit as st

from dlcore.explain import text as text_insight
from dlcore.figures.predictions import confidence_figure
from dlcore.figures.style import human_label
from dlcore.figures.text_insight import attribution_figure, token_state_figure
from dlcore.media import texts as media_texts
from ui.attention import show_attention
from ui.downloads import download_button
from ui.gates import show_gates
from ui.presenter import explain, plain, show_figure
from ui.pretrained import model_title, predictor_for, say_if_link_model_missing, session_models
from ui.settings import PageSettings

PAGE = "try_text"
settings = PageSettings(PAGE)

TASK = "intents"  # the session models this page takes: those of the Sequences page
BUNDLED_TITLES = {
    "intents": "Intents (bundled GRU, English and Chinese)",
    "intents_transformer": "Intents (bundled Transformer, English and Chinese)",
}
DEFAULT_SENTENCE = "Will it rain in Paris tomorrow?"
# Examples in both languages, one or more per intent; "zorblax" is a word no model knows.
EXAMPLES = (
    "Will it rain in Paris tomorrow?",
    "Play some jazz by Miles Davis",
    "Wake me up at 6:30 tomorrow",
    "Set a timer for 10 minutes",
    "How do I get to the airport?",
    "Add lunch with Sam to my calendar on Friday",
    "Turn off the kitchen lights",
    "How do I say thank you in Japanese?",
    "Read me today's headlines",
    "Hi there, how are you?",
    "Play the new zorblax album",
    "明天北京会下雨吗",
    "播放周杰伦的歌",
    "帮我定一个早上七点的闹钟",
    "设一个十分钟的计时器",
    "去机场怎么走",
    "把客厅的灯关掉",
    "用英语怎么说谢谢",
    "今天有什么新闻",
    "你好",
    "播放一些 jazz music",
)
ENCODER_NOTES = {
    "conv1d": "a 1-D convolution, which looks at a few neighbouring tokens at a time",
    "other": "layers that are not recurrent",
}
METHODS = {
    "occlusion": "Replace each token",
    "gradient": "Gradient × input",
}
SENTENCE_KEY = settings.key("sentence")
EXAMPLE_KEY = settings.key("example")


@st.cache_data(max_entries=64, show_spinner="Reading the sentence…")
def explanation_for(model_key: str, text: str, _predictor):
    """The explanation of one text by one model; `model_key` names the model."""
    return text_insight.explain_text(_predictor, text)


@st.cache_data(max_entries=8, show_spinner="Classifying…")
def rows_for(model_key: str, texts: tuple[str, ...], _predictor):
    return text_insight.classify_texts(_predictor, texts)


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def read_csv(data: bytes):
    return media_texts.read_texts_csv(data)


def use_example() -> None:
    """Put the picked example into the sentence box."""
    example = st.session_state.get(EXAMPLE_KEY)
    if example:
        st.session_state[SENTENCE_KEY] = example


def show_sentence(predictor, model_key: str) -> None:
    st.selectbox(
        "Examples",
        EXAMPLES,
        index=None,
        placeholder="Pick an example in English or Chinese…",
        key=EXAMPLE_KEY,
        on_change=use_example,
    )
    sentence = st.text_input(
        "Your sentence",
        DEFAULT_SENTENCE,
        help="A request to a voice assistant, in English, Chinese or both.",
        **settings.bind("sentence"),
    )
    try:
        explanation = explanation_for(model_key, sentence, predictor)
    except ValueError as error:
        st.warning(plain(error), icon=":material/edit_note:")
        return
    for note in explanation.notes:
        st.info(plain(note), icon=":material/content_cut:")
    bars_column, answer_column = st.columns([1.3, 1], gap="large")
    with bars_column:
        show_figure(
            confidence_figure(
                explanation.probabilities,
                [human_label(label) for label in explanation.labels],
            ),
            key=f"{PAGE}.confidence",
        )
    with answer_column:
        st.metric(
            "Intent",
            human_label(explanation.intent),
            f"{explanation.confidence:.1%} sure",
            delta_color="off",
            delta_arrow="off",
        )
        method = choose_method(explanation)
        show_unknown_words(explanation)
    show_tokens(explanation, method)
    show_inside(explanation, predictor.model)


def choose_method(explanation) -> str:
    """The attribution method's control; "gradient" only where the model allows it."""
    methods = list(METHODS) if explanation.gradient_x_input is not None else ["occlusion"]
    method = st.segmented_control(
        "How to measure each token's part",
        methods,
        default="occlusion",
        required=True,
        format_func=METHODS.get,
        help="Replace each token: the sentence goes through the model once more per token, "
        "with that token replaced by the unknown word [UNK], and the drop in the intent's "
        "log-odds is measured. Gradient × input: one backward pass estimates the same drop "
        "to first order.",
        **settings.bind("method"),
    )
    return "gradient" if method == "gradient" else "occlusion"


def show_unknown_words(explanation) -> None:
    tokens = explanation.tokens
    stand_ins = tokens.stand_ins
    if stand_ins:
        words = ", ".join(f"“{token}” read as “{known}”" for token, known in stand_ins.items())
        st.caption(
            f"Not in this model's vocabulary, read by spelling: {plain(words)}. The model "
            "never saw these words; it reads the known word that shares the most letter "
            "triples with each, which may be a guess."
        )
    unknown = [token for token, flag in zip(tokens.tokens, tokens.unknown, strict=True) if flag]
    if unknown:
        words = ", ".join(f"“{token}”" for token in dict.fromkeys(unknown))
        st.caption(
            f"Unknown to this model: {plain(words)}. It never saw them in training and reads "
            "each as the same [UNK] token, so they cannot tell it anything."
        )


def shown_tokens(tokens) -> list[str]:
    """The read tokens as the figures label them: a stand-in as “word → known word”."""
    return [
        token if known in (None, token) else f"{token} → {known}"
        for token, known in zip(tokens.read_tokens, tokens.read_as[: tokens.n_read], strict=True)
    ]


def show_tokens(explanation, method: str) -> None:
    tokens = explanation.tokens
    values = explanation.gradient_x_input if method == "gradient" else explanation.occlusion
    show_figure(
        attribution_figure(
            shown_tokens(tokens),
            values,
            unknown=tokens.read_unknown,
            intent=explanation.intent,
            method=method,
            probabilities_without=explanation.occluded_probabilities,
        ),
        key=f"{PAGE}.attribution",
        across_page=True,
    )
    st.caption(
        "Blue tokens spoke for the intent, red ones against it. The number is the drop in "
        "the intent's log-odds, log(p / (1 − p)), without the token: 1 means its odds "
        "shrink 2.7 times."
    )


def show_inside(explanation, model) -> None:
    """What the model computes inside: a recurrent model's hidden state and gates, or a
    Transformer's attention."""
    if explanation.encoder == "transformer":
        st.subheader("Attention, token by token")
        tokens = explanation.tokens
        show_attention(model, tokens.token_ids, shown_tokens(tokens), settings=settings, key=PAGE)
        return
    st.subheader("Hidden state, token by token")
    if not explanation.hidden_states:
        st.info(
            f"This model reads the sentence with {ENCODER_NOTES[explanation.encoder]}: it has "
            "no recurrent state to show. Train a SimpleRNN, LSTM or GRU on the Sequences page "
            "to see one, or choose the bundled Transformer to see its attention.",
            icon=":material/info:",
        )
        return
    explain(
        "A recurrent layer reads the tokens one at a time and keeps a vector, its hidden "
        "state, that sums up what it has read so far. Each column is the state after one "
        "token; the output layer sees only the last column.",
        title="What the heatmap shows",
    )
    n_layers = len(explanation.hidden_states)
    layer = 1
    if n_layers > 1:
        settings.keep_within("layer", 1, n_layers)
        layer = st.slider("Layer", 1, n_layers, n_layers, **settings.bind("layer"))
    tokens = explanation.tokens
    show_figure(
        token_state_figure(
            explanation.hidden_states[layer - 1],
            shown_tokens(tokens),
            unknown=tokens.read_unknown,
            bidirectional=explanation.bidirectional[layer - 1],
            layer_name=explanation.state_layers[layer - 1],
        ),
        key=f"{PAGE}.hidden_state",
        across_page=True,
    )
    show_gates(
        model,
        tokens.token_ids,
        shown_tokens(tokens),
        bidirectional=explanation.bidirectional[layer - 1],
        settings=settings,
        key=PAGE,
        layer=layer,
    )


def show_batch(predictor, model_key: str) -> None:
    lines = st.text_area(
        "One request per line",
        height=150,
        placeholder="Play some jazz\n明天北京会下雨吗\nSet a timer for 10 minutes",
        key=settings.key("lines"),
    )
    upload = st.file_uploader(
        "…or a CSV file with a column of requests",
        type=["csv", "tsv", "txt"],
        help="The first row names the columns; the one named text (or sentence, utterance, "
        f"query, …) is read. At most {media_texts.MAX_BATCH_TEXTS:,} rows.",
        key=settings.key("csv"),
    )
    texts, notes, source = None, [], ""
    if upload is not None:
        try:
            texts, column, notes = read_csv(upload.getvalue())
            source = f"the column “{plain(column)}” of {plain(upload.name)}"
        except ValueError as error:
            st.error(plain(error), icon=":material/error:")
    if texts is None and lines.strip():
        texts, notes = media_texts.texts_from_lines(lines)
        source = "the lines above"
    if texts is None:
        if upload is None:
            st.info(
                "Type requests above, one per line, or upload a CSV file: each gets its "
                "intent, the runner-up and how many of its words the model does not know.",
                icon=":material/table:",
            )
        return
    for note in notes:
        st.info(plain(note), icon=":material/info:")
    rows = rows_for(model_key, tuple(texts), predictor)
    n_unknown = sum(row["unknown_words"] > 0 for row in rows)
    st.caption(
        f"{len(rows):,} texts from {source}; {n_unknown:,} with words the model does not know."
    )
    # On screen the intents read as words ("set timer"); the CSV keeps their identifiers.
    shown_rows = [
        {**row, **{name: human_label(row[name]) for name in ("intent", "second_intent")}}
        for row in rows
    ]
    st.dataframe(
        shown_rows,
        column_config={
            "text": st.column_config.TextColumn("text", width="medium"),
            "confidence": st.column_config.ProgressColumn(
                "confidence", format="percent", min_value=0.0, max_value=1.0
            ),
            "second_intent": "runner-up",
            "second_confidence": st.column_config.NumberColumn(
                "runner-up confidence", format="percent"
            ),
            "unknown_words": st.column_config.NumberColumn("unknown words"),
        },
        hide_index=True,
        placeholder="—",
        key=f"{PAGE}.table",
    )
    download_button(
        "Download the table (CSV)",
        media_texts.rows_to_csv(rows),
        file_name="intents.csv",
        key=f"{PAGE}.download",
    )


st.title("Your text")
explain(
    "Type a request to a voice assistant, in English or Chinese, and a trained network "
    "names its **intent**: weather, music, alarm, timer, directions, calendar, smart home, "
    "translation, news or a greeting. English is read word by word and Chinese character "
    "by character. The coloured tokens show which ones drove the answer: each is replaced "
    "in turn by a word the model does not know, and the drop in its confidence is "
    "measured. Below, the bundled GRU shows its hidden state and gates after every token, "
    "and the bundled Transformer where each token looks, worked out by hand."
)

trained_models = session_models([TASK])
say_if_link_model_missing(
    settings.key("model"), [*BUNDLED_TITLES, *trained_models], bundled_titles=BUNDLED_TITLES
)
choice = st.selectbox(
    "Model",
    [*BUNDLED_TITLES, *trained_models],
    format_func=lambda choice: model_title(choice, BUNDLED_TITLES),
    help="The bundled models work at once: the GRU shows its hidden state and gates, the "
    "Transformer its attention. Models trained on the Sequences page in this browser "
    "session appear here too.",
    **settings.bind("model"),
)
try:
    predictor = predictor_for(choice, trained_models)
    # The caches below know a model by this key: a retrained model gets a new one.
    model_key = f"{choice}|{trained_models[choice].created}" if choice in trained_models else choice
except (OSError, ValueError, TypeError) as error:
    st.error(
        f"This model cannot be loaded: {plain(error)} Train one on the Sequences page meanwhile.",
        icon=":material/error:",
    )
    st.stop()
accuracy = predictor.metadata.get("accuracy")
if accuracy is not None:
    st.caption(f"Held-out accuracy {accuracy:.1%}, on sentences it never saw in training.")

sentence_tab, batch_tab = st.tabs(["Sentence", "Batch"])
with sentence_tab:
    show_sentence(predictor, model_key)
with batch_tab:
    show_batch(predictor, model_key)
