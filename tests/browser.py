"""Headless Chromium (Debian's chromium + chromium-driver) driven by Selenium, for the
explorer page: load time, points drawn, hover, click-to-play, colour switch."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

FIND_IMAGES = """
const found = [];
function walk(root) {
  for (const img of root.querySelectorAll('img')) {
    if (img.src.startsWith('data:image/') && img.offsetParent !== null) found.push(img.src.slice(0, 30));
  }
  for (const el of root.querySelectorAll('*')) { if (el.shadowRoot) walk(el.shadowRoot); }
}
walk(document);
return found;
"""


def why_not() -> str | None:
    for path in (CHROMIUM, DRIVER):
        if not Path(path).exists() and shutil.which(Path(path).name) is None:
            return f"{path} not installed (apt-get install chromium chromium-driver)"
    return None


def start(width: int = 1400, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required", f"--window-size={width},{height}"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium") or CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or DRIVER), options=opts)


def load(driver, page: Path, timeout_s: float = 60) -> float:
    """Open ``page``; seconds until Bokeh's document is idle (every plot drawn)."""
    start_s = time.perf_counter()
    driver.get(page.resolve().as_uri())
    while time.perf_counter() - start_s < timeout_s:
        if driver.execute_script("return !!(window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].is_idle)"):
            return time.perf_counter() - start_s
        time.sleep(0.02)
    raise TimeoutError(f"{page}: Bokeh not idle after {timeout_s} s")


def errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def model(driver, name: str) -> str:
    return f"Bokeh.documents[0].get_model_by_name({name!r})"


def point_count(driver, dataset: str) -> int:
    return driver.execute_script(f"return {model(driver, 'source_' + dataset)}.data.source.length")


def point_position(driver, plot: str, index: int) -> tuple[float, float]:
    """Where point ``index`` of ``plot`` is drawn, in viewport pixels."""
    return tuple(driver.execute_script(f"""
const plot = {model(driver, plot)};
const view = Bokeh.index.find_one(plot);
const glyph = plot.renderers[0].glyph;
const data = plot.renderers[0].data_source.data;
const r = view.canvas_view.el.getBoundingClientRect();
return [r.left + view.frame.x_scale.compute(data[glyph.x.field][{index}]),
        r.top + view.frame.y_scale.compute(data[glyph.y.field][{index}])];"""))


def pointer(driver, x: float, y: float, click: bool = False) -> None:
    """Move the mouse onto (x, y) (from 2 px to its left, so the page sees a move), maybe click."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(int(x) - 2, int(y))
    actions.pointer_action.move_to_location(int(x), int(y))
    if click:
        actions.pointer_action.click()
    actions.perform()


def hover(driver, plot: str, index: int, screenshot: Path) -> tuple[float, float]:
    """Hover point ``index`` of ``plot``, screenshot, and return its position."""
    x, y = point_position(driver, plot, index)
    pointer(driver, x, y)
    time.sleep(0.5)
    driver.save_screenshot(str(screenshot))
    return x, y
