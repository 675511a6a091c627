"""Plotly figures and pictures of what the layers below compute; the pages render them."""
