"""Drive the Playground page in Chromium: train, and record each decision boundary drawn.

Shared by the browser test (the boundary changes as it trains) and bench/ (how many
times a second it is redrawn). The boundary sits in the page's box keyed "play.boundary":
a picture (`img`) while the model trains, a Plotly chart (whose background is an SVG
`image`) at rest. Each redraw shows new pixels, so the distinct pictures the browser
shows, with the time each appeared, are the redraws a person sees.
"""

from playwright.sync_api import Page

BOUNDARY = ".st-key-play-boundary"
"""The CSS selector of the box that holds the boundary (Streamlit's class for the key)."""

# Records every new boundary picture (an `img`'s `src` while training, or the `href` of the
# Plotly chart's image at rest, a PNG data URL) in `window.boundaryRedraws`: the time it
# appeared, and whether it is a picture drawn while training.
_RECORD_REDRAWS = f"""
() => {{
  window.boundaryRedraws = [];
  const seen = new Set();
  const record = () => {{
    for (const image of document.querySelectorAll('{BOUNDARY} img, {BOUNDARY} image')) {{
      const picture = image.getAttribute('src') || image.getAttribute('href');
      if (picture && !seen.has(picture)) {{
        seen.add(picture);
        window.boundaryRedraws.push({{time: performance.now(), live: image.tagName === 'IMG'}});
      }}
    }}
  }};
  new MutationObserver(record).observe(document.body, {{
    subtree: true, childList: true, attributes: true, attributeFilter: ['src', 'href'],
  }});
}}
"""


def shown_boundary(page: Page) -> str | None:
    """The Plotly chart's boundary picture as the browser shows it at rest (a data URL)."""
    return page.locator(f"{BOUNDARY} .stPlotlyChart image").first.get_attribute("href")


def record_boundary_redraws(page: Page) -> None:
    """Start recording the boundary pictures drawn from now on."""
    page.evaluate(_RECORD_REDRAWS)


def boundary_redraw_times(page: Page, *, live_only: bool = False) -> list[float]:
    """When each new boundary picture appeared since recording began, in seconds; with
    `live_only`, only the pictures drawn while training (not the chart at rest)."""
    redraws = page.evaluate("window.boundaryRedraws")
    return [redraw["time"] / 1000 for redraw in redraws if redraw["live"] or not live_only]


def click_app_button(page: Page, key: str) -> None:
    """Click the app's own button with this widget key (not the Stop in Streamlit's header)."""
    # While a script runs, Streamlit may still hold the previous run's copy of the button.
    page.locator(f".st-key-{key.replace('.', '-')} button").first.click()
