"""Texts a person types or uploads: a text box's lines, a CSV file's text column; tables to CSV."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Sequence
from typing import Any

from dlcore.media.tokens import tokenize

MAX_CHARACTERS = 1_000
"""Characters of one text that are read; the rest is cut, with a note. A request to an
assistant is one sentence: 1,000 characters hold about 150 English words, far more than
the `max_length` tokens (20 for the bundled model) that the model reads."""


MAX_BATCH_TEXTS = 5_000
"""Texts classified in one batch (lines typed or CSV rows); the rest are left out, with a
note. 5,000 took under 1.5 s with the bundled model on two busy CPU cores, and still fit
a table on the page."""


TEXT_COLUMN_NAMES = (
    "text",
    "sentence",
    "utterance",
    "query",
    "request",
    "message",
    "prompt",
    "input",
    "question",
    "content",
    "comment",
    "review",
    "body",
    "文本",
    "句子",
    "语句",
    "内容",
)
"""The column names `read_texts_csv` takes for the text column, most likely first; case,
surrounding spaces and a plural "s" do not matter."""


# Rows looked at to decide which column holds words, before the rest are read.
_SAMPLE_ROWS = 200


# A cell that starts with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_DELIMITERS = (",", ";", "\t")


# Reads a one-column file whole, line by line: a comma inside a sentence is not a
# column break there. The unit separator does not occur in typed text.
_NO_DELIMITER = "\x1f"


def texts_from_lines(
    lines: str, *, max_texts: int = MAX_BATCH_TEXTS
) -> tuple[list[str], list[str]]:
    """The texts of a text box, one per line.

    Args:
        lines: `str`, what the person typed or pasted.
        max_texts: `int` >= 1, texts kept; later lines are left out with a note.
            Defaults to `MAX_BATCH_TEXTS`.

    Returns:
        `(texts, notes)`: the non-empty lines, stripped and cut to `MAX_CHARACTERS`,
        and a note for each change the person should know about.

    Raises:
        ValueError: If no line holds any text.

    Example:

    >>> texts_from_lines("play jazz\\n\\n  明天会下雨吗 \\n")
    (['play jazz', '明天会下雨吗'], [])
    """
    texts = [line.strip() for line in lines.splitlines() if line.strip()]
    if not texts:
        raise ValueError(
            "There is no text to classify: type or paste one request per line, e.g. "
            "“play some jazz” on one line and “明天会下雨吗” on the next."
        )
    return _cap_texts(texts, max_texts=max_texts, what="lines")


def read_texts_csv(
    data: bytes, *, max_rows: int = MAX_BATCH_TEXTS
) -> tuple[list[str], str, list[str]]:
    """Reads the texts of an uploaded CSV file.

    The first row names the columns. The separator is the one of ",", ";" or tab that
    the first row holds most often; a first row with none of them makes a file of one
    column, read line by line, so a comma inside a sentence does not split it. Quoted
    cells may hold separators and line breaks.

    The text column is the first of `TEXT_COLUMN_NAMES` found (case, surrounding spaces
    and a plural "s" do not matter); else the only column whose cells hold words (more
    than half of the first 200 non-empty cells have a token that is not a number). A
    one-column file whose first line reads like a sentence (three or more tokens) and is
    no known name has no header: that line is a text too.

    Args:
        data: the file's bytes, UTF-8 (a byte-order mark is allowed).
        max_rows: `int` >= 1, texts kept; later rows are left out with a note. Defaults
            to `MAX_BATCH_TEXTS`.

    Returns:
        `(texts, column_name, notes)`: the non-empty cells of the text column in file
        order, stripped and cut to `MAX_CHARACTERS`; the column's name as written in
        the file; and a note for each thing the person should know (rows left out,
        empty rows skipped, texts cut, how the column was chosen).

    Raises:
        TypeError: If `data` is not bytes.
        ValueError: If the file is empty, is not UTF-8 text, cannot be read as CSV (a
            cell longer than `csv.field_size_limit()`, often from a quote never
            closed), has no rows, or has no single text column (the message names the
            columns found and says what to rename).

    Example:

    >>> read_texts_csv(b"id,sentence\\n1,play jazz\\n2,what's the weather")
    (['play jazz', "what's the weather"], 'sentence', [])
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(
            f"`data` must be the file's bytes. Received: {type(data).__name__}. "
            "Pass uploaded_file.getvalue()."
        )
    content = _decode_csv(bytes(data))
    first_line = content.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else _NO_DELIMITER
    try:
        reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
        header = [name.strip() for name in next(reader)]
        sample = list(itertools.islice(reader, _SAMPLE_ROWS))
        notes = []
        column, how = _text_column(header, sample)
        if how == "headerless":
            sample.insert(0, header)
            notes.append(
                f"The first line, “{shorten(header[0])}”, reads like a sentence rather than "
                "a column name, so it was classified too."
            )
            name = "text"
        else:
            name = header[column]
            if how == "only":
                notes.append(
                    f"No column is named “text”; “{name}” is the only column of words, so "
                    "its cells were classified."
                )
        cells = (row[column].strip() if len(row) > column else "" for row in sample)
        rest = (row[column].strip() if len(row) > column else "" for row in reader)
        texts, n_empty = [], 0
        for cell in itertools.chain(cells, rest):
            if cell:
                texts.append(cell)
            else:
                n_empty += 1
    except csv.Error as error:
        if "field limit" in str(error):
            # Python's csv module refuses a cell past its limit (131,072 characters).
            raise ValueError(
                f"A cell of the file holds more than {csv.field_size_limit():,} characters, "
                'far more than one request. Most often a quote mark (") opens a cell and is '
                "never closed, so the rest of the file reads as that one cell: close or "
                "remove it. Put one request per row, each a sentence."
            ) from error
        raise ValueError(
            f"The file could not be read as CSV ({error}). Save it as a CSV with a header "
            "row and one text per row."
        ) from error
    if not texts:
        raise ValueError(
            f"The column “{name}” has no text in any row: put one request per row under the header."
        )
    if n_empty:
        notes.append(f"{n_empty:,} rows with an empty “{name}” cell were skipped.")
    texts, cap_notes = _cap_texts(texts, max_texts=max_rows, what="rows")
    return texts, name, notes + cap_notes


def rows_to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """Writes table rows from `classify_texts` as a CSV file for a download.

    UTF-8 with a byte-order mark, so that spreadsheet programs show Chinese text
    correctly. A text cell that starts with "=", "+", "-" or "@" gets a leading
    apostrophe, so that a spreadsheet shows it as text instead of running it as a
    formula. Confidences keep four decimals.

    Args:
        rows: dicts with the keys of `TABLE_COLUMNS`.

    Returns:
        The file's bytes: a header row, then one row per dict.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=TABLE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _csv_cell(row.get(column)) for column in TABLE_COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")


def _decode_csv(data: bytes) -> str:
    """The text of an uploaded file, with clear errors for what is not UTF-8 text."""
    if not data.strip():
        raise ValueError(
            "The file is empty: upload a CSV with a header row and one text per row, e.g. "
            "a first line “text” and then one request per line."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ValueError(
            "The file is not UTF-8 text (it looks like UTF-16 or a binary file): save it "
            "as “CSV UTF-8” and upload it again."
        )
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"The file is not a UTF-8 text file (byte {data[error.start]:#04x} at position "
            f"{error.start:,} is not UTF-8): upload a CSV file, saved as “CSV UTF-8”."
        ) from error
    content = content.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    if not content.strip():
        raise ValueError(
            "The file is empty: upload a CSV with a header row and one text per row, e.g. "
            "a first line “text” and then one request per line."
        )
    if "\x00" in content:
        raise ValueError("The file holds NUL characters, so it is not a CSV text file.")
    return content


def _text_column(header: list[str], sample: list[list[str]]) -> tuple[int, str]:
    """Which column holds the texts, and how it was found: "named", "only" or
    "headerless" (a one-column file whose first line is a text)."""
    names = [_normalize(name) for name in header]
    for wanted in TEXT_COLUMN_NAMES:
        if wanted in names:
            return names.index(wanted), "named"
    if len(header) == 1 and len(tokenize(header[0])) >= 3:
        return 0, "headerless"
    wordy = [index for index in range(len(header)) if _holds_words(sample, index)]
    if len(wordy) == 1:
        return wordy[0], "only"
    found = ", ".join(f"“{shorten(name)}”" for name in header[:20]) or "none"
    if len(header) > 20:
        found += f" and {len(header) - 20} more"
    if wordy:
        why = f"several columns hold words ({', '.join(shorten(header[i]) for i in wordy)})"
    elif not sample:
        why = "the file has a header row but no rows of text under it"
    else:
        why = "no column holds words"
    raise ValueError(
        f"No text column found: {why}. Columns found: {found}. Name the column with the "
        "requests “text” (or sentence, utterance, query, message), one request per row."
    )


def _normalize(name: str) -> str:
    name = re.sub(r"[\s_-]+", "_", name.strip().lower())
    singular = name[:-1] if name.endswith("s") else name
    return singular if singular in TEXT_COLUMN_NAMES else name


def _holds_words(sample: list[list[str]], column: int) -> bool:
    """More than half of the column's non-empty cells have a token that is no number."""
    cells = [row[column].strip() for row in sample if len(row) > column and row[column].strip()]
    if not cells:
        return False
    wordy = sum(any(not token.isdigit() for token in tokenize(cell)) for cell in cells)
    return wordy > len(cells) / 2


def _cap_texts(texts: list[str], *, max_texts: int, what: str) -> tuple[list[str], list[str]]:
    """Keep the first `max_texts` texts and cut each to `MAX_CHARACTERS`, with notes."""
    notes = []
    if len(texts) > max_texts:
        notes.append(
            f"There are {len(texts):,} texts; only the first {max_texts:,} {what} were "
            f"classified. Split the rest into files of at most {max_texts:,}."
        )
        texts = texts[:max_texts]
    n_long = sum(len(text) > MAX_CHARACTERS for text in texts)
    if n_long:
        notes.append(
            f"{n_long:,} texts were longer than {MAX_CHARACTERS:,} characters and were cut "
            "to that length."
        )
        texts = [text[:MAX_CHARACTERS] for text in texts]
    return texts, notes


def _csv_cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


TABLE_COLUMNS = (
    "text",
    "intent",
    "confidence",
    "second_intent",
    "second_confidence",
    "unknown_words",
    "note",
)
"""The keys of each row that `classify_texts` returns, in table order."""


def shorten(text: str, *, limit: int = 40) -> str:
    """`text` cut to `limit` characters, its end replaced by an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
