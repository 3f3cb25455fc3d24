"""reefclr.pages.reviewpage: one self-contained page per review sample; what the table holds
reaches the page as data, never as markup."""

import json
import re

import pandas as pd

from reefclr.pages import reviewpage


def _sample(n=3, name="a.wav"):
    return pd.DataFrame({"Selection": range(1, n + 1), "Begin Time (s)": [0.0, 1.92, 3.84][:n], "Begin File": name,
                         "Site": "reef01", "Bin": [1, 2, 5][:n], "Review": ""}).astype(str)


def _media(n=3):
    return pd.DataFrame({"thumb": ["data:image/jpeg;base64,AAAA"] * n, "audio": ["data:audio/ogg;base64,BBBB"] * n})


META = {"name": "deploy_reef.fish.round-0.validation.txt", "checksum": "c0ffee", "marks": ["y", "n", "u"],
        "title": "fish in deploy_reef, round 0: validation sample"}


def test_the_page_holds_the_sample_its_media_and_where_to_save():
    text = reviewpage.page(_sample(), _media(), META)
    data = json.loads(re.search(r'<script type="application/json" id="review-data">(.*?)</script>', text, re.S)
                      .group(1))
    assert data["columns"] == list(_sample().columns) and len(data["rows"]) == 3 and len(data["media"]) == 3
    assert data["name"] == META["name"] and "deploy_reef.fish.round-0.validation.txt" in text
    assert "http://" not in text and "https://" not in text  # no network


def test_a_hostile_file_name_stays_text():
    hostile = '</script><script>alert(1)</script>.wav'
    text = reviewpage.page(_sample(name=hostile), _media(), META | {"title": "<b>x</b>"})
    assert "<script>alert(1)" not in text and "<b>x</b>" not in text
    assert text.count("<script") == 2  # the data block and the page's own code
