"""bench/report.py: how a figure says whether it met its goal."""

from bench.report import Figure


def test_a_lower_bound_is_met_at_or_above_its_target():
    assert Figure.at_least("redraws", 8.0, "1/s", target=8.0).passed
    assert not Figure.at_least("redraws", 7.9, "1/s", target=8.0).passed
    assert Figure.at_least("redraws", 9.0, "1/s", target=8.0).goal == ">= 8.0"


def test_an_upper_bound_is_met_at_or_below_its_target():
    assert Figure("render", 3.0, "s", target=3.0).passed
    assert not Figure("render", 3.1, "s", target=3.0).passed
    assert Figure("render", 1.0, "s", target=3.0).goal == "<= 3.0"
