"""The review page in headless Chromium: keys mark windows and move on, marks survive a closed
tab, counts per site and bin follow, and save downloads the sample's table with the marks."""

import time
from pathlib import Path

import pandas as pd
import pytest

import browser
from reefclr.pages import reviewpage

pytestmark = pytest.mark.skipif(browser.why_not() is not None, reason=str(browser.why_not()))


def _sample(n=4):
    return pd.DataFrame({"Selection": range(1, n + 1), "View": "Spectrogram 1", "Begin Time (s)": [0.0, 1.92, 3.84, 5.76],
                         "End Time (s)": [1.92, 3.84, 5.76, 7.68], "Begin File": "a <b>.wav", "Source": "deploy/x/a <b>.wav",
                         "Site": ["reef01", "reef01", "reef02", "reef02"], "Bin": [1, 5, 1, 5], "Review": ""}).astype(str)


def _media(n=4):
    return pd.DataFrame({"thumb": ["data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="] * n,
                         "audio": ["data:audio/ogg;base64,T2dnUw=="] * n})


@pytest.fixture
def review_driver(tmp_path):
    from selenium import webdriver

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser.start()
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver, downloads
    driver.quit()


def _wait_for(path: Path, timeout_s=10.0) -> Path:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if path.exists() and path.stat().st_size:
            return path
        time.sleep(0.1)
    raise TimeoutError(f"{path} never appeared")


def mark_and_save(driver, page: Path, keys: str, downloads: Path, name: str) -> pd.DataFrame:
    """Open the review page, press ``keys`` one window after another, save; the saved table."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.get(page.resolve().as_uri())
    for key in keys:
        ActionChains(driver).send_keys(key).perform()
    driver.find_element("id", "save").click()
    return pd.read_csv(_wait_for(downloads / name), sep="\t", dtype=str, keep_default_na=False)


def test_keys_mark_windows_that_survive_a_closed_tab_and_save_the_sample(review_driver, tmp_path):
    driver, downloads = review_driver
    meta = {"name": "deploy_reef.fish.round-0.validation.txt", "checksum": "c0ffee", "marks": ["yes", "no", "?"],
            "title": "fish: validation sample"}
    page = tmp_path / "review.html"
    page.write_text(reviewpage.page(_sample(), _media(), meta))
    saved = mark_and_save(driver, page, "ynu", downloads, meta["name"])
    assert list(saved.columns) == list(_sample().columns)  # the layout the workflow reads back
    assert saved["Review"].tolist() == ["yes", "no", "?", ""] and saved["Begin File"].iloc[0] == "a <b>.wav"
    assert browser.errors(driver) == []
    driver.get("about:blank")  # the tab closes; the marks stay
    driver.get(page.resolve().as_uri())
    assert driver.find_element("id", "progress").text == "3 of 4 marked"
    counts = [r.text for r in driver.find_elements("css selector", "#counts tr")]
    assert counts == ["reef01 · bin 1 1 / 1 1 yes", "reef01 · bin 5 1 / 1 0 yes", "reef02 · bin 1 1 / 1 0 yes",
                      "reef02 · bin 5 0 / 1 0 yes"]
    labels = driver.find_elements("css selector", ".label")
    assert labels[0].text.startswith("reef01 · bin 1 · a <b>.wav")  # shown as text
