"""Plotly figures that the pages render."""
