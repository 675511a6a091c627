"""Look at the app as a room would: every chart's text measured in Chromium, and the whole
page pictured.

Shared by the browser tests: the findings' figures drawn alone (test_figures_in_browser.py)
and every page of the running app, normal and in presenter mode (test_every_page_in_browser.py).
"""

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from harness import ROOT, wait_for_app

PICTURES = ROOT / "test-artifacts" / "pages"
"""Where the browser tests leave their pictures of whole pages, for a person to look at."""

# The boxes, in the page's pixels, of each drawn Plotly chart under `root` and of the text
# plotly.js wrote into it. A chart that is not shown (in a closed expander, a tab not
# chosen) has no box and is left out, as is text that plotly.js left empty.
_MEASURE_CHARTS = """(root) => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const shown = (element) => {
    const r = element.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const texts = (chart, selector) => Array.from(chart.querySelectorAll(selector))
    .filter((element) => shown(element) && element.textContent.trim() !== '')
    .map((element) => ({text: element.textContent.trim(), box: box(element)}));
  return Array.from(document.querySelectorAll(root))
    .map((root) => root.querySelector('.main-svg') ? root : null)
    .filter((chart) => chart && shown(chart.querySelector('.main-svg')))
    .map((chart) => ({
      figure: box(chart.querySelector('.main-svg')),
      place: box(chart.parentElement),
      title: texts(chart, '.gtitle'),
      annotations: texts(chart, '.annotation-text'),
      xtitles: texts(chart, '.xtitle, [class^="x"][class$="title"]'),
      ytitles: texts(chart, '.ytitle, [class^="y"][class$="title"]'),
      xticks: texts(chart, '.xtick text'),
      yticks: texts(chart, '.ytick text'),
      values: texts(chart, '.bartext, .textpoint text'),
      legend: Array.from(chart.querySelectorAll('.legend')).filter(shown)
        .map((legend) => ({text: legend.textContent.trim(), box: box(legend)})),
      colorbar_ticks: texts(chart, '.colorbar .cbaxis text'),
    }));
}"""

# What may not reach past the figure's own box: everything written in it.
_MUST_FIT = (
    "title",
    "annotations",
    "xtitles",
    "ytitles",
    "xticks",
    "yticks",
    "values",
    "legend",
)


def _inside(box: list[float], outer: list[float]) -> bool:
    # A pixel of slack: text boxes are measured in fractions of a pixel.
    return (
        box[0] >= outer[0] - 1
        and box[1] >= outer[1] - 1
        and box[2] <= outer[2] + 1
        and box[3] <= outer[3] + 1
    )


def _overlap(first: list[float], second: list[float]) -> bool:
    return (
        first[0] < second[2]
        and second[0] < first[2]
        and first[1] < second[3]
        and second[1] < first[3]
    )


# Every chart on the page drawn by plotly.js, and every picture loaded.
_ALL_DRAWN = """() =>
  Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    .every((chart) => chart.querySelector('.main-svg'))
  && Array.from(document.images).every((image) => image.complete)"""


def wait_until_drawn(page: Page, timeout: float = 120_000) -> None:
    """Wait until the app has run its script and the browser has drawn what it sent: no
    spinner or placeholder left, every chart drawn, every picture loaded."""
    wait_for_app(page, timeout=timeout)
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    page.wait_for_function(_ALL_DRAWN, timeout=timeout)


# Presenter mode's style sheet (`ui.presenter`) is on the page.
_PRESENTER_STYLE_SHOWN = """() => Array.from(document.querySelectorAll('style'))
  .some((style) => style.textContent.includes('stMetricValue'))"""


def turn_on_presenter_mode(page: Page) -> None:
    """Turn on presenter mode with the sidebar's switch, keeping the browser session (and
    what it trained), and wait until the page is drawn again in it."""
    # The switch's own input is hidden under its drawing: a person clicks its label.
    page.get_by_test_id("stSidebar").get_by_text("Presenter mode", exact=True).click()
    page.wait_for_function(_PRESENTER_STYLE_SHOWN)
    wait_until_drawn(page)


def look_at_both_modes(page: Page, name: str) -> list[str]:
    """Read the page as it stands (after a training, say) at 1400x900, normal and then in
    presenter mode: each view pictured whole as PICTURES/<name>-<mode>-1400x900.png.

    Returns:
        `chart_text_problems` of both views, each line naming its mode.
    """
    page.set_viewport_size({"width": 1400, "height": 900})
    problems = []
    for mode in ("normal", "presenter"):
        if mode == "presenter":
            turn_on_presenter_mode(page)
        wait_until_drawn(page)
        problems += [f"{mode}: {problem}" for problem in chart_text_problems(page)]
        picture_whole_page(page, PICTURES / f"{name}-{mode}-1400x900.png")
    return problems


def chart_text_problems(page: Page, root: str = ".js-plotly-plot") -> list[str]:
    """What a room could not read on the Plotly charts drawn on this page: a title, caption,
    axis title, tick label, value written on a bar or point, or legend cut by its figure's
    own box, a figure wider than its
    place on the page, a legend over a title, a caption or the x axis, captions or tick
    labels that run into each other.

    Args:
        root: the CSS selector of the charts' elements (plotly.js's own class by default).

    Returns:
        One line per problem, naming the chart by its title (or its place on the page) and
        the text, e.g. "chart 'Loss over steps': x axis title 'step' cut by the figure".
    """
    problems = []
    for number, chart in enumerate(page.evaluate(_MEASURE_CHARTS, root), start=1):
        titles = [title["text"] for title in chart["title"]]
        name = f"chart '{titles[0]}'" if titles else f"chart {number}"
        if not _inside(chart["figure"], chart["place"]):
            problems.append(f"{name}: the figure is wider than its place on the page")
        for kind in _MUST_FIT:
            problems += [
                f"{name}: {kind} '{text['text'][:60]}' cut by the figure"
                for text in chart[kind]
                if not _inside(text["box"], chart["figure"])
            ]
        for legend in chart["legend"]:
            for kind in ("title", "annotations", "xtitles", "xticks"):
                problems += [
                    f"{name}: the legend covers {kind} '{text['text'][:60]}'"
                    for text in chart[kind]
                    if _overlap(legend["box"], text["box"])
                ]
        for kind in ("annotations", "colorbar_ticks", "xticks", "yticks"):
            found = chart[kind]
            problems += [
                f"{name}: {kind} '{text['text'][:30]}' and '{other['text'][:30]}' run together"
                for index, text in enumerate(found)
                for other in found[index + 1 :]
                if _overlap(text["box"], other["box"])
            ]
    return problems


_SCROLL_TO = "(main, offset) => { main.scrollTo(0, offset); return main.scrollTop; }"


def picture_whole_page(page: Page, path: Path) -> None:
    """Save the whole page as one PNG at `path`, as a person scrolling it would see it.

    Streamlit scrolls its main container, not the document, so a full-page screenshot
    shows only the first screen: this scrolls the container a screen at a time and joins
    the screens, each below the header that Streamlit keeps on top.
    """
    main = page.get_by_test_id("stMain")
    content_height, screen_height = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    main_box = main.bounding_box()
    header = page.get_by_test_id("stHeader").bounding_box()
    covered = int(header["y"] + header["height"]) if header else 0
    left, top = int(main_box["x"]), int(main_box["y"])
    viewport = page.viewport_size
    whole = Image.new("RGB", (viewport["width"], top + content_height), "white")
    offset = 0
    while True:
        scrolled = main.evaluate(_SCROLL_TO, offset)
        screen = Image.open(io.BytesIO(page.screenshot()))
        if offset == 0:
            whole.paste(screen, (0, 0))
        else:
            strip = screen.crop((left, covered, viewport["width"], viewport["height"]))
            whole.paste(strip, (left, scrolled + covered))
        if scrolled + screen_height >= content_height or (offset and scrolled < offset):
            break
        offset = scrolled + screen_height - covered + top
    main.evaluate("m => m.scrollTo(0, 0)")
    # Below the first screen, the sidebar (fixed in place) is drawn once: its colour.
    sidebar = whole.getpixel((2, viewport["height"] // 2))
    whole.paste(sidebar, (0, viewport["height"], left, whole.height))
    path.parent.mkdir(parents=True, exist_ok=True)
    whole.save(path)
