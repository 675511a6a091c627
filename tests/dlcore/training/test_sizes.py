import pytest

from dlcore.training.sizes import parse_layer_sizes


@pytest.mark.parametrize(
    ("text", "sizes"),
    [("4, 2", (4, 2)), ("8;8; 8", (8, 8, 8)), ("", ()), (" , 3 ,", (3,)), ("0", (0,))],
)
def test_layer_sizes_are_read_from_commas_or_semicolons(text, sizes):
    assert parse_layer_sizes(text) == sizes


def test_a_part_that_is_no_whole_number_is_explained():
    with pytest.raises(ValueError, match="“4, x” is not a list of neuron counts"):
        parse_layer_sizes("4, x")
