"""Tests for dlcore.media.texts: a text box's lines, a CSV file's text column, and tables
written back to CSV that a spreadsheet reads safely."""

import csv
import io
import time

import pytest

from dlcore.media import texts as media_texts


def test_texts_from_lines_skips_blank_lines_and_caps_the_count():
    assert media_texts.texts_from_lines("play jazz\n\n  明天会下雨吗 \r\n") == (
        ["play jazz", "明天会下雨吗"],
        [],
    )
    texts, notes = media_texts.texts_from_lines("a\nb\nc", max_texts=2)
    assert texts == ["a", "b"] and "only the first 2 lines" in notes[0]
    with pytest.raises(ValueError, match="one request per line"):
        media_texts.texts_from_lines(" \n \n")


def test_rows_to_csv_writes_a_table_a_spreadsheet_reads_safely():
    rows = [
        {
            "text": "=HYPERLINK(1)",
            "intent": "news",
            "confidence": 0.91234567,
            "second_intent": "weather",
            "second_confidence": 0.05,
            "unknown_words": 1,
            "note": "",
        },
        {"text": "明天会下雨吗", "intent": "", "confidence": None, "unknown_words": 0},
    ]
    data = media_texts.rows_to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(table[0]) == media_texts.TABLE_COLUMNS
    assert table[0]["text"] == "'=HYPERLINK(1)" and table[0]["confidence"] == "0.9123"
    assert table[1]["text"] == "明天会下雨吗" and table[1]["confidence"] == ""


# ---------------------------------------------------------------- reading CSV files


def test_read_texts_csv_reads_the_text_column():
    data = "id,text,intent\n1,Play some jazz,play_music\n2,明天会下雨吗,weather\n".encode()
    assert media_texts.read_texts_csv(data) == (
        ["Play some jazz", "明天会下雨吗"],
        "text",
        [],
    )


@pytest.mark.parametrize(
    ("data", "column"),
    [
        (b"Sentence,label\nplay jazz,1\n", "Sentence"),
        (b"id;Utterances\n1;play jazz\n", "Utterances"),
        (b"id\tquery \n1\tplay jazz\n", "query"),
        ("编号,文本\n1,play jazz\n".encode(), "文本"),
        (b"\xef\xbb\xbfTEXT\r\nplay jazz\r\n", "TEXT"),
    ],
)
def test_read_texts_csv_knows_other_column_names_and_separators(data, column):
    texts, name, notes = media_texts.read_texts_csv(data)
    assert (texts, name, notes) == (["play jazz"], column, [])


def test_read_texts_csv_takes_the_only_column_of_words():
    data = b"id,words,score\n1,play some jazz,0.5\n2,what's the weather,0.7\n"
    texts, name, notes = media_texts.read_texts_csv(data)
    assert texts == ["play some jazz", "what's the weather"] and name == "words"
    assert "“words” is the only column of words" in notes[0]


def test_read_texts_csv_names_the_columns_when_none_holds_text():
    with pytest.raises(ValueError, match="No text column found: no column holds words") as error:
        media_texts.read_texts_csv(b"id,score,date\n1,0.5,2024-01-01\n2,0.7,2024-01-02\n")
    assert "Columns found: “id”, “score”, “date”" in str(error.value)
    assert "Name the column with the requests “text”" in str(error.value)


def test_read_texts_csv_refuses_to_guess_between_columns_of_words():
    with pytest.raises(ValueError, match="several columns hold words \\(phrase, intent\\)"):
        media_texts.read_texts_csv(b"id,phrase,intent\n1,play jazz,music\n")


@pytest.mark.parametrize("data", [b"", b"  \n\r\n ", b"\xef\xbb\xbf"])
def test_read_texts_csv_refuses_an_empty_file(data):
    with pytest.raises(ValueError, match="The file is empty"):
        media_texts.read_texts_csv(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"text\ncaf\xe9 au lait\n", "not a UTF-8 text file \\(byte 0xe9 at position 8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-16 or a binary file"),
        ("text\nplay jazz\n".encode("utf-16"), "UTF-16 or a binary file"),
    ],
)
def test_read_texts_csv_refuses_what_is_not_utf8_text(data, message):
    with pytest.raises(ValueError, match=message):
        media_texts.read_texts_csv(data)


def test_read_texts_csv_reads_one_column_whole_lines():
    data = b'text\nPlay jazz, please\n"Wake me up,\nat 7"\n\nhello\n'
    texts, name, notes = media_texts.read_texts_csv(data)
    assert texts == ["Play jazz, please", "Wake me up,\nat 7", "hello"] and name == "text"
    assert notes == ["1 rows with an empty “text” cell were skipped."]


def test_read_texts_csv_reads_a_headerless_column_of_sentences():
    texts, name, notes = media_texts.read_texts_csv(b"Play some jazz\nWhat's the weather\n")
    assert texts == ["Play some jazz", "What's the weather"] and name == "text"
    assert "reads like a sentence rather than a column name" in notes[0]


def test_read_texts_csv_refuses_a_header_without_rows():
    with pytest.raises(ValueError, match="The column “text” has no text in any row"):
        media_texts.read_texts_csv(b"text,intent\n")


def test_read_texts_csv_caps_a_huge_file_quickly():
    data = ("text,intent\n" + "play some jazz,play_music\n" * 100_000).encode()
    start = time.perf_counter()
    texts, _, notes = media_texts.read_texts_csv(data)
    seconds = time.perf_counter() - start
    assert len(texts) == media_texts.MAX_BATCH_TEXTS
    assert "There are 100,000 texts; only the first 5,000 rows were classified" in notes[0]
    assert seconds < 5, f"reading 100,000 rows took {seconds:.1f} s"


def test_read_texts_csv_cuts_very_long_cells():
    texts, _, notes = media_texts.read_texts_csv(b"text\n" + b"jazz " * 1000 + b"\n")
    assert len(texts[0]) == media_texts.MAX_CHARACTERS
    assert "1 texts were longer than 1,000 characters" in notes[0]


@pytest.mark.parametrize(
    "data",
    [
        b"text\n" + b"jazz " * 40_000 + b"\n",  # one cell of 200,000 characters
        b'text\n"play some jazz\n' + b"set a timer for 5 minutes\n" * 6_000,  # never closed
    ],
    ids=["long cell", "unclosed quote"],
)
def test_read_texts_csv_explains_a_cell_too_long_to_read(data):
    with pytest.raises(ValueError, match=r"a quote mark .* never closed.*one request per row"):
        media_texts.read_texts_csv(data)
