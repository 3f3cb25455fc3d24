"""A review page for one sample of a deployment: each window's spectrogram and sound; keys mark
it yes, no or unsure and move on; counts per site and score bin on screen; marks kept in the
browser's local storage (a closed tab loses nothing); "save" downloads the sample's own Raven
table with the Review column filled, under the name the workflow reads back. One file, no
server, no network; its size is bounded by the sample (media for its windows only).

Everything from the table (file names, sites, any cell) reaches the page as JSON data and is
shown with textContent, never as markup.
"""

from __future__ import annotations

import html
import json

import pandas as pd

SCRIPT = r"""
const data = JSON.parse(document.getElementById('review-data').textContent);
const key = 'reefclr-review:' + data.name + ':' + data.checksum;
const marks = JSON.parse(localStorage.getItem(key) || '{}');
const words = {y: data.marks[0], n: data.marks[1], u: data.marks[2]};
let at = 0;
const list = document.getElementById('windows');
const rows = data.rows.map((row, i) => {
  const item = document.createElement('li');
  item.tabIndex = 0;
  item.dataset.index = i;
  const img = document.createElement('img');
  img.src = data.media[i][0];
  img.alt = 'spectrogram';
  const audio = document.createElement('audio');
  audio.src = data.media[i][1];
  audio.preload = 'none';
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = row[data.columns.indexOf('Site')] + ' · bin ' + row[data.columns.indexOf('Bin')] +
    ' · ' + row[data.columns.indexOf('Begin File')] + ' @ ' + row[data.columns.indexOf('Begin Time (s)')] + ' s';
  const mark = document.createElement('span');
  mark.className = 'mark';
  item.append(img, label, mark, audio);
  item.addEventListener('focus', () => { at = i; audio.currentTime = 0; audio.play().catch(() => {}); });
  item.addEventListener('blur', () => audio.pause());
  item.addEventListener('click', () => item.focus());
  list.append(item);
  return {item, mark};
});
function show() {
  rows.forEach((r, i) => {
    r.mark.textContent = marks[i] ? words[marks[i]] : '';
    r.item.className = marks[i] ? 'marked-' + marks[i] : '';
  });
  const counts = {};
  data.rows.forEach((row, i) => {
    const cell = row[data.columns.indexOf('Site')] + ' · bin ' + row[data.columns.indexOf('Bin')];
    counts[cell] = counts[cell] || {done: 0, all: 0, y: 0};
    counts[cell].all += 1;
    if (marks[i]) counts[cell].done += 1;
    if (marks[i] === 'y') counts[cell].y += 1;
  });
  const table = document.getElementById('counts');
  table.replaceChildren();
  for (const [cell, c] of Object.entries(counts)) {
    const tr = document.createElement('tr');
    for (const text of [cell, c.done + ' / ' + c.all, c.y + ' yes']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    table.append(tr);
  }
  const done = Object.keys(marks).length;
  document.getElementById('progress').textContent = done + ' of ' + data.rows.length + ' marked';
}
document.addEventListener('keydown', (e) => {
  const k = e.key.toLowerCase();
  if (k in words) {
    marks[at] = k;
    localStorage.setItem(key, JSON.stringify(marks));
    show();
    if (at + 1 < rows.length) rows[at + 1].item.focus();
  } else if (k === 'arrowdown' || k === 'j') { rows[Math.min(at + 1, rows.length - 1)].item.focus(); e.preventDefault(); }
  else if (k === 'arrowup' || k === 'k') { rows[Math.max(at - 1, 0)].item.focus(); e.preventDefault(); }
});
function tsv() {
  const review = data.columns.indexOf('Review');
  const lines = [data.columns.join('\t')];
  data.rows.forEach((row, i) => {
    const out = row.slice();
    out[review] = marks[i] ? words[marks[i]] : '';
    lines.push(out.join('\t'));
  });
  return lines.join('\n') + '\n';
}
document.getElementById('save').addEventListener('click', () => {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([tsv()], {type: 'text/tab-separated-values'}));
  link.download = data.name;
  document.body.append(link);
  link.click();
  link.remove();
});
document.getElementById('clear').addEventListener('click', () => {
  if (confirm('Forget every mark of this sample?')) { localStorage.removeItem(key); location.reload(); }
});
show();
if (rows.length) rows[0].item.focus();
"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
#windows { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
  gap: 8px; }
#windows li { border: 2px solid #ddd; padding: 6px; border-radius: 4px; outline: none; }
#windows li:focus { border-color: #1f77b4; }
#windows img { width: 100%; height: 96px; image-rendering: pixelated; display: block; }
.label { font-size: 12px; display: block; word-break: break-all; }
.mark { font-weight: bold; }
.marked-y { background: #e6f4e6; } .marked-n { background: #f6e6e6; } .marked-u { background: #f3f3dc; }
#counts td { padding: 1px 8px; font-size: 13px; }
"""


def page(table: pd.DataFrame, media: pd.DataFrame, meta: dict) -> str:
    """The review page of a sample: ``table`` its Raven table (as read, all strings, a Review
    column), ``media`` one thumb and audio data URI per row, ``meta`` the saved file's ``name``,
    the sample's ``checksum``, the ``marks`` (yes, no, unsure) and a ``title``."""
    data = {"columns": list(table.columns), "rows": table.astype(str).to_numpy().tolist(),
            "media": media[["thumb", "audio"]].to_numpy().tolist(), "name": meta["name"],
            "checksum": meta["checksum"], "marks": list(meta["marks"])}
    payload = json.dumps(data).replace("<", "\\u003c")  # no markup can start inside the data
    yes, no, unsure = (html.escape(m) for m in meta["marks"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(meta["title"])}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(meta["title"])}</h1>
<p>Focus a window to hear it (Tab, the arrow keys, j/k or a click). Press <b>y</b> if it holds the sound,
<b>n</b> if not, <b>u</b> if unsure: the mark is kept in this browser and the next window comes.
<b>Save</b> downloads <code>{html.escape(meta["name"])}</code> with the marks ({yes} / {no} / {unsure});
put it in the folder <code>deploy.review.reviewed</code> names under your data root and rerun.</p>
<p><button id="save">Save</button> <button id="clear">Forget the marks</button> <span id="progress"></span></p>
<table id="counts"></table>
<ol id="windows"></ol>
<script type="application/json" id="review-data">{payload}</script>
<script>{SCRIPT}</script>
</body></html>
"""
