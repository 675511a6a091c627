"""The look that the line charts of every page share: fonts, legend, axis lines."""

import plotly.graph_objects as go

AXIS_LINE_COLOR = "#9a9a9a"


def apply_layout(figure: go.Figure, *, title: str, x_title: str, y_title: str) -> None:
    """Give a line chart its title, axis titles, readable font and a legend below it."""
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        font={"size": 15},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        margin={"t": 80},
    )
    # The chart theme draws the x = 0 and y = 0 lines faintly; make them visible.
    figure.update_xaxes(zeroline=True, zerolinecolor=AXIS_LINE_COLOR, zerolinewidth=1)
    figure.update_yaxes(zeroline=True, zerolinecolor=AXIS_LINE_COLOR, zerolinewidth=1)
