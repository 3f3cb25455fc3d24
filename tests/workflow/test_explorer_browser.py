"""The explorer written by the ci run, opened in headless Chromium (Debian's chromium and
chromium-driver, driven by Selenium): no console errors, every point drawn, a hover shows the
clip's spectrogram, a click plays its audio, the colour switch recolours the points.
Screenshots go to the test's temporary folder."""

import time

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import browser

DATASET = "test_kenya"


@pytest.fixture(scope="module")
def page(finished):
    reason = browser.why_not()
    if reason:
        pytest.skip(reason)
    driver = browser.start()
    load_s = browser.load(driver, finished / "results/explorer.html")
    yield driver, load_s
    driver.quit()


def test_loads_without_console_errors_and_draws_every_clip(page, finished):
    driver, load_s = page
    assert load_s < 30 and browser.errors(driver) == []
    clips = len(pd.read_parquet(finished / f"results/manifests/{DATASET}.parquet"))
    assert browser.point_count(driver, DATASET) == clips
    rendered = driver.execute_script(f"""const view = Bokeh.index.find_one({browser.model(driver, 'left_' + DATASET)});
        return view.renderer_views.get(view.model.renderers[0]).glyph.sx.length""")
    assert rendered == clips


def test_hover_shows_the_spectrogram_and_a_click_plays_the_clip(page, tmp_path):
    driver, _ = page
    x, y = browser.hover(driver, "left_" + DATASET, 2, tmp_path / "hover.png")
    assert any(src.startswith("data:image/jpeg") for src in driver.execute_script(browser.FIND_IMAGES))
    browser.pointer(driver, x, y, click=True)
    time.sleep(1.0)
    played = driver.execute_script("const p = document.getElementById('reefclr-player');"
                                   "return p ? [p.currentTime, p.paused, p.error ? p.error.code : null] : null")
    assert played is not None and played[2] is None and played[0] > 0.1, played
    assert driver.execute_script(f"return {browser.model(driver, 'source_' + DATASET)}.selected.indices") == [2]


def test_colour_switch_recolours_both_plots(page, tmp_path):
    driver, _ = page
    before = tmp_path / "by_label.png"
    driver.save_screenshot(str(before))
    driver.execute_script(f"{browser.model(driver, 'colour_' + DATASET)}.value = 'recording'")
    time.sleep(0.5)
    after = tmp_path / "by_recording.png"
    driver.save_screenshot(str(after))
    for side in ("left", "right"):
        glyph = driver.execute_script(f"return {browser.model(driver, side + '_' + DATASET)}.renderers[0].glyph.fill_color")
        assert glyph == {"field": "c_recording"}
    changed = np.abs(np.asarray(Image.open(before), float) - np.asarray(Image.open(after), float)).sum(axis=2) > 30
    assert changed.sum() > 500  # the points (and the legend) were redrawn in other colours
    assert "kenya_rec01" in driver.execute_script(f"return {browser.model(driver, 'legend_' + DATASET)}.text")


def test_deployment_tab_plays_hits_and_detections(page, finished, tmp_path):
    driver, _ = page
    media = pd.read_parquet(finished / "results/deploy/deploy_reef/media.parquet")
    assert set(media["kind"]) == {"search: query01_grunt", "search: query02_knock", "detection: fish"}
    assert browser.point_count(driver, "deploy_reef") == len(media)
    driver.execute_script("const tabs = Bokeh.documents[0].roots()[0].children.find(c => c.tabs);"
                          "tabs.active = tabs.tabs.length - 1;")
    time.sleep(0.5)
    x, y = browser.hover(driver, "plot_deploy_reef", 0, tmp_path / "deployment.png")
    assert any(src.startswith("data:image/jpeg") for src in driver.execute_script(browser.FIND_IMAGES))
    browser.pointer(driver, x, y, click=True)
    time.sleep(1.0)
    assert driver.execute_script("return document.getElementById('reefclr-player').currentTime") > 0.1
    assert browser.errors(driver) == []
