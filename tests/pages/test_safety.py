"""Limits and safety of an app that takes files from strangers: the upload limit, XSRF
protection, Pillow's decompression-bomb guard, bounded video analysis, no user content
rendered as HTML, and `.keras` files loaded only from the project or the session, with
Keras's safe mode on.

The source checks read the code as Python syntax trees, not as text, so that a comment
or a string does not pass or fail them; each scanner is checked on a small example of
what it must catch.
"""

import ast
import tomllib
from pathlib import Path

import pytest
from bad_inputs import frames, mp4, png_header
from helpers import ROOT
from PIL import Image, ImageFile

from dlcore.media import video as media
from dlcore.media.images import DEFAULT_MAX_PIXELS, ImageDecodeError, decode_image
from dlcore.media.video import VideoDecodeError, decode_video

# Streamlit's default upload limit, in MB: the app must set its own.
STREAMLIT_DEFAULT_UPLOAD_MB = 200
# Pillow's own default for Image.MAX_IMAGE_PIXELS.
PILLOW_DEFAULT_MAX_PIXELS = 89_478_485
APP_CODE = ("app.py", "app_pages", "ui", "dlcore")
# Everything that starts the server or runs code: where a flag could switch a guard off.
LAUNCHERS = ("Makefile", ".ci", "harness", "bench", "scripts")
PYTHON_LAUNCHERS = ("harness", "bench", "scripts")


def python_files(*places: str) -> list[Path]:
    files = []
    for place in places:
        path = ROOT / place
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def parsed(*places: str) -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")))
        for path in python_files(*places)
    ]


def called_name(call: ast.Call) -> str:
    """`html` for `st.html(...)` and `components.v1.html(...)`, `load_model` for
    `keras.saving.load_model(...)`: the last part of what is called."""
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((item.value for item in call.keywords if item.arg == name), None)


def is_constant(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


# The server's configuration ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server_config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as file:
        return tomllib.load(file)["server"]


def launcher_texts() -> dict[str, str]:
    texts = {}
    for place in LAUNCHERS:
        path = ROOT / place
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                texts[str(file.relative_to(ROOT))] = file.read_text("utf-8", errors="replace")
    return texts


def test_the_upload_limit_is_set_for_this_app(server_config):
    # A minute of 1080p H.264 is about 50 MB; nothing the pages read needs more, and a
    # large upload is held in memory while a page reads it.
    limit = server_config["maxUploadSize"]
    assert isinstance(limit, int)
    assert 10 <= limit < STREAMLIT_DEFAULT_UPLOAD_MB
    overriding = [name for name, text in launcher_texts().items() if "maxUploadSize" in text]
    assert not overriding, f"the upload limit is overridden in {overriding}"


def test_xsrf_protection_is_left_on(server_config):
    assert server_config["enableXsrfProtection"] is True
    # Streamlit turns XSRF protection off when CORS is off.
    assert server_config.get("enableCORS", True) is True
    overriding = [
        name
        for name, text in launcher_texts().items()
        if "enableXsrfProtection" in text or "enableCORS" in text
    ]
    assert not overriding, f"XSRF or CORS settings are overridden in {overriding}"


# Images ----------------------------------------------------------------------------------


def assignments_to(trees: list[tuple[str, ast.Module]], attribute: str) -> list[str]:
    """Where code assigns `<anything>.attribute = ...`."""
    found = []
    for name, tree in trees:
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == attribute:
                    found.append(f"{name}:{node.lineno}")
    return found


def test_assignment_scanner_finds_a_changed_pillow_limit():
    tree = ast.parse("from PIL import Image\nImage.MAX_IMAGE_PIXELS = None\n")
    assert assignments_to([("example.py", tree)], "MAX_IMAGE_PIXELS") == ["example.py:2"]


def test_pillow_decompression_bomb_guard_is_on():
    trees = parsed(*APP_CODE, *PYTHON_LAUNCHERS)
    for guard in ("MAX_IMAGE_PIXELS", "LOAD_TRUNCATED_IMAGES"):
        assert not assignments_to(trees, guard), f"{guard} is changed"
    assert Image.MAX_IMAGE_PIXELS is not None
    assert 0 < Image.MAX_IMAGE_PIXELS <= PILLOW_DEFAULT_MAX_PIXELS
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (30_000, 30_000, "900 megapixels"),  # past Pillow's own guard
        (9_000, 5_000, "the limit is 40 megapixels"),  # past dlcore's lower limit
    ],
)
def test_an_image_claiming_too_many_pixels_is_refused_from_its_header(width, height, message):
    assert width * height > DEFAULT_MAX_PIXELS
    with pytest.raises(ImageDecodeError, match=message):
        decode_image(png_header(width, height))


# Videos ----------------------------------------------------------------------------------


def test_video_decoding_is_bounded_in_time():
    # 25 s at 8 frames per second.
    video = decode_video(mp4(frames(200, 32, 32), fps=8))

    assert video.times[-1] < 20.0
    assert video.duration == pytest.approx(25.0, abs=0.2)
    assert "Only the first 20 s of this 25 s clip were analysed." in video.notes


def test_video_decoding_is_bounded_in_frames():
    # 30 s at 10 frames per second, all analysed: 8 frames a second would be 241.
    video = decode_video(mp4(frames(300, 16, 16), fps=10), max_seconds=60)

    assert video.n_frames == media.MAX_FRAMES == 200
    assert video.times[-1] == pytest.approx(29.9)


def test_video_decoding_is_bounded_in_pixels():
    video = decode_video(mp4(frames(2, 1920, 1080), fps=8))

    assert video.frames.shape[1:] == (180, 320, 3)
    assert (video.width, video.height) == (1920, 1080)
    assert media.MAX_SOURCE_PIXELS <= 36_000_000


def test_a_video_claiming_too_many_pixels_is_refused_before_decoding(monkeypatch):
    # Encoding a real 8K clip takes long; a lower limit shows the header check instead.
    clip = mp4(frames(2, 64, 48))
    monkeypatch.setattr(media, "MAX_SOURCE_PIXELS", 64 * 48 - 1)
    progress = []

    with pytest.raises(VideoDecodeError, match="header claims frames of 64x48 pixels"):
        decode_video(clip, on_progress=progress.append)
    assert not progress, "frames were decoded before the size was checked"


# HTML ------------------------------------------------------------------------------------


def html_from_user_content(name: str, tree: ast.Module) -> list[str]:
    """Calls that render HTML (`st.html`, `components.html`, `unsafe_allow_html=True`)
    with anything but a string literal or a module-level constant holding one."""
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for call in calls(tree):
        unsafe = keyword(call, "unsafe_allow_html")
        if called_name(call) != "html" and (unsafe is None or is_constant(unsafe, False)):
            continue
        body = call.args[0] if call.args else keyword(call, "body")
        is_literal = isinstance(body, ast.Constant) and isinstance(body.value, str)
        if not (is_literal or (isinstance(body, ast.Name) and body.id in constants)):
            found.append(f"{name}:{call.lineno}")
    return found


def test_html_scanner_catches_user_content():
    example = ast.parse(
        "CSS = '<style></style>'\n"
        "st.html(CSS)\n"
        "st.markdown('<b>fixed</b>', unsafe_allow_html=True)\n"
        "st.markdown(f'<b>{uploaded.name}</b>', unsafe_allow_html=True)\n"
        "components.v1.html(text)\n"
        "st.write(name, unsafe_allow_html=flag)\n"
    )
    assert html_from_user_content("example.py", example) == [
        "example.py:4",
        "example.py:5",
        "example.py:6",
    ]


def test_no_user_content_is_rendered_as_html():
    found = [
        line for name, tree in parsed(*APP_CODE) for line in html_from_user_content(name, tree)
    ]
    assert not found, f"HTML built from something other than a constant at {found}"


# Keras files ---------------------------------------------------------------------------------


def model_loading(trees: list[tuple[str, ast.Module]]) -> tuple[dict[str, list[int]], list[str]]:
    """Where models are loaded (file -> lines), and the loads or switches that are unsafe:
    `load_model` without `safe_mode=True`, `enable_unsafe_deserialization`, pickles."""
    loads, unsafe = {}, []
    for name, tree in trees:
        for call in calls(tree):
            function = called_name(call)
            if function == "load_model":
                loads.setdefault(name, []).append(call.lineno)
                if not is_constant(keyword(call, "safe_mode"), True):
                    unsafe.append(f"{name}:{call.lineno} load_model without safe_mode=True")
            elif function == "enable_unsafe_deserialization":
                unsafe.append(f"{name}:{call.lineno} {function}")
            elif function in ("load", "loads") and isinstance(call.func, ast.Attribute):
                module = call.func.value
                if isinstance(module, ast.Name) and module.id in ("pickle", "joblib", "dill"):
                    unsafe.append(f"{name}:{call.lineno} {module.id}.{function}")
            if is_constant(keyword(call, "allow_pickle"), True):
                unsafe.append(f"{name}:{call.lineno} allow_pickle=True")
    return loads, unsafe


def test_model_loading_scanner_finds_unsafe_loads():
    example = ast.parse(
        "keras.saving.load_model(path, safe_mode=True)\n"
        "keras.models.load_model(path)\n"
        "keras.config.enable_unsafe_deserialization()\n"
        "pickle.loads(data)\n"
        "np.load(path, allow_pickle=True)\n"
    )
    loads, unsafe = model_loading([("example.py", example)])
    assert loads == {"example.py": [1, 2]}
    assert [line.split()[0] for line in unsafe] == [f"example.py:{n}" for n in (2, 3, 4, 5)]


def test_keras_files_load_only_from_the_project_or_the_session_in_safe_mode():
    loads, unsafe = model_loading(parsed(*APP_CODE, *PYTHON_LAUNCHERS))

    assert not unsafe
    # The bundled models (dlcore/pretrained/*.keras, by a fixed list of names) and the
    # session's own models (`model_from_bytes`): nowhere else reads a .keras file.
    # No page takes a model file as an upload: tests/pages/test_bad_input_corpus.py checks the
    # file types each page's uploaders accept.
    assert set(loads) == {"dlcore/pretrained/__init__.py", "dlcore/training/saving.py"}


def test_only_bundled_model_names_are_read():
    from dlcore.pretrained import load_pretrained

    with pytest.raises(ValueError, match="Unknown pre-trained model"):
        load_pretrained("../../tests/evil")


def test_a_keras_file_with_a_lambda_layer_is_refused_and_its_code_never_runs(tmp_path):
    import keras

    from dlcore.training.saving import model_from_bytes, model_to_bytes

    marker = tmp_path / "code ran"
    inputs = keras.Input((2,))
    # Code that a file could carry: it writes a file each time it runs. The path is part
    # of its code, as Keras saves a lambda's code but cannot load its default arguments.
    writes_marker = eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")
    outputs = keras.layers.Lambda(writes_marker)(inputs)
    data = model_to_bytes(keras.Model(inputs, outputs))
    assert marker.exists()  # it ran while the model was built
    marker.unlink()

    with pytest.raises(ValueError, match="lambda"):
        model_from_bytes(data)
    assert not marker.exists()

    # Without safe mode the same file runs its code: the check above is meaningful.
    path = tmp_path / "model.keras"
    path.write_bytes(data)
    keras.saving.load_model(path, safe_mode=False)
    assert marker.exists()


def test_plain_shows_a_file_name_as_typed_not_as_markdown():
    from ui.presenter import plain

    name = "[click me](http://example.com) **bold** `code` <b>.mp4"
    escaped = plain(name)
    # Every Markdown character is escaped, and removing the escapes gives the name back.
    assert escaped.startswith("\\[click me\\](http")
    assert escaped.replace("\\", "") == name.replace("\\", "")
    for character in "[]*`<>":
        assert f"\\{character}" in escaped
