"""The README's Python examples run as written, from a folder outside the checkout.

Every ```python block of README.md runs on its own (each imports what it uses) with the
venv's Python, in a temporary folder and without PYTHONPATH, so `import dlcore` must come
from the installed package (`make run` and `make test` install it in editable mode). The
blocks are read from the README each time: rename a module there and this test follows.
The results written as comments (`# (512, 512, 3) float32`) are for the reader and are
not checked; a block passes when it exits with code 0.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# Each block imports TensorFlow (through dlcore) and some train a small model.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK_TIMEOUT_S = 120

_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
# A file the reader is expected to have, opened by name in an example: open("photo.jpg", "rb").
_OPENED_FILE = re.compile(r"""\bopen\(\s*["']([^"'/\\]+)["']""")


def _python_blocks() -> list[tuple[int, str]]:
    """Each ```python block of README.md with the line number of its opening fence."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in _PYTHON_BLOCK.finditer(text)
    ]


def _write_photo(path: Path) -> None:
    """A 64×48 colour gradient, as a reader's own photo."""
    rows, columns = np.mgrid[0:48, 0:64]
    pixels = np.stack([rows * 5, columns * 4, (rows + columns) * 2], axis=-1).astype(np.uint8)
    Image.fromarray(pixels).save(path)


def _write_clip(path: Path) -> None:
    """One second of a square moving right, as a reader's own clip (H.264 through PyAV)."""
    import av  # a runtime requirement; only needed when an example opens a clip

    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=16)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(16):
            pixels = np.zeros((64, 64, 3), np.uint8)
            pixels[24:40, 2 * index : 2 * index + 16] = 255
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


# The files an example may open as the reader's own, by extension.
_READER_FILES = {
    ".jpg": _write_photo,
    ".jpeg": _write_photo,
    ".png": _write_photo,
    ".mp4": _write_clip,
}


def _provide_reader_files(code: str, folder: Path) -> None:
    """Write the files that `code` opens by name (the reader's photo, say) into `folder`."""
    for name in _OPENED_FILE.findall(code):
        writer = _READER_FILES.get(Path(name).suffix.lower())
        if writer is None:
            pytest.fail(
                f"A README example opens {name!r}, a file this test cannot make. Add a writer "
                f"for {Path(name).suffix!r} files to _READER_FILES in {Path(__file__).name}."
            )
        writer(folder / name)


def test_readme_has_python_examples():
    assert _python_blocks(), f"no ```python block found in {README}"


@pytest.mark.parametrize(
    ("line", "code"),
    [pytest.param(line, code, id=f"README.md-line-{line}") for line, code in _python_blocks()],
)
def test_readme_example_runs_from_another_folder(line: int, code: str, tmp_path: Path):
    assert not tmp_path.is_relative_to(ROOT), f"{tmp_path} is inside the checkout"
    _provide_reader_files(code, tmp_path)
    script = tmp_path / f"readme_line_{line}.py"
    script.write_text(code, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["TF_CPP_MIN_LOG_LEVEL"] = "2"

    finished = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
        check=False,
    )

    hint = ""
    if "No module named 'dlcore'" in finished.stderr:
        hint = (
            "\ndlcore is not installed in this venv: run `make .venv/.runtime` "
            "(pip install --no-build-isolation --no-deps -e .)."
        )
    assert finished.returncode == 0, (
        f"The README's Python block at line {line} failed with exit code "
        f"{finished.returncode} when run with {sys.executable} in {tmp_path}.{hint}\n"
        f"--- stderr ---\n{finished.stderr}\n--- code ---\n{code}"
    )
