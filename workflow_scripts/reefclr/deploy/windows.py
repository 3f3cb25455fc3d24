"""Using one embedder on whole deployments: every window of a shard embedded straight from
the source recordings (memory bounded by a batch, never by a recording's length), and the
query sounds of a search by example embedded the same way (``reefclr.search`` searches)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.data.audio import audio_info
from reefclr.data.ingest import list_audio
from reefclr.data.raven import read_raven_table
from reefclr.core.vectors import normalise
from reefclr.settings import Audio, Spectrogram

log = logging.getLogger(__name__)


def _vectors(embedder, index: pd.DataFrame, audio: Audio, spectrogram: Spectrogram, batch_size: int) -> np.ndarray:
    """(len(index), dim) embeddings of the clips of ``index`` read from their recordings."""
    import torch
    from tqdm import tqdm

    from reefclr.embedders.base import waveform_batches
    from reefclr.features.spectrogram import MelSpectrogram

    sr = spectrogram.sample_rate if embedder.input == "mel" else embedder.sample_rate
    melspec = MelSpectrogram.from_settings(spectrogram) if embedder.input == "mel" else None
    out = np.zeros((len(index), embedder.dim), dtype=np.float32)
    bar = tqdm(total=len(index), desc=f"embed {embedder.name}", mininterval=10)
    for pos, waves in waveform_batches(index, audio, sr, batch_size):
        if melspec is not None:
            with torch.inference_mode():
                out[pos] = embedder.embed(melspec(torch.from_numpy(waves)))
        else:
            out[pos] = embedder.embed(waves)
        bar.update(len(pos))
    bar.close()
    if not np.isfinite(out).all():
        raise ValueError(f"{embedder.name}: non-finite embeddings ({int((~np.isfinite(out)).sum())} values)")
    return out


def embed_windows(embedder, manifest: pd.DataFrame, audio: Audio, spectrogram: Spectrogram,
                  batch_size: int) -> pd.DataFrame:
    """One row per window of ``manifest`` (one deployment shard): file, start and end in the
    file, site, absolute time (from the file name's timestamp, when it has one), vector."""
    index = manifest.reset_index(drop=True)
    vectors = _vectors(embedder, index, audio, spectrogram, batch_size)
    start = pd.to_datetime(index["start_time"], errors="coerce")
    meta = pd.DataFrame({"clip_id": index["clip_id"], "source": index["source"], "offset_s": index["offset_s"],
                         "end_s": index["offset_s"] + audio.clip_s, "site": index["site"],
                         "time": start + pd.to_timedelta(index["offset_s"], unit="s")})
    return pd.concat([meta, pd.DataFrame(vectors, columns=[f"e{i:04d}" for i in range(embedder.dim)])], axis=1)


# --- queries ---------------------------------------------------------------------------
def _under(path, root: Path) -> str:
    """``path`` relative to the data root when it lies below it, else absolute."""
    path = Path(path)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path.resolve())

def query_spans(folder: Path, extensions: list[str], label_column: str = "Annotation") -> pd.DataFrame:
    """The query sounds of ``folder``: each audio file is one query (its whole length), or,
    when a Raven table ``<stem>.*.txt`` sits beside it, each selection of that table is one."""
    rows = []
    files = list_audio(folder, extensions)
    if not files:
        raise ValueError(f"{folder}: no query audio files ({', '.join(extensions)})")
    for path in files:
        info = audio_info(path)
        tables = sorted(path.parent.glob(f"{path.stem}.*.txt"))
        if tables:
            for table in tables:
                for i, sel in enumerate(read_raven_table(table, label_column).itertuples()):
                    rows.append(dict(query=f"{path.stem}#{i + 1}", file=path, begin_s=sel.begin_s,
                                     end_s=min(sel.end_s, info.duration_s), where=f"{table}: selection {i + 1}"))
        else:
            rows.append(dict(query=path.stem, file=path, begin_s=0.0, end_s=info.duration_s, where=str(path)))
    return pd.DataFrame(rows)


def query_windows(spans: pd.DataFrame, root: Path, clip_s: float, hop_s: float) -> pd.DataFrame:
    """The windows of each query span (an index for ``waveform_batches``): as many whole
    windows as fit, at least one; a span shorter than a window is an error naming it."""
    rows = []
    for q in spans.itertuples():
        length = q.end_s - q.begin_s
        if length + 1e-6 < clip_s:
            raise ValueError(f"{q.where}: the query is {length:.2f} s long, shorter than the {clip_s} s window "
                             "(segment.clip_s): give at least one whole window of the sound")
        n = 1 + int(np.floor((length - clip_s) / hop_s + 1e-9))
        for k in range(n):
            rows.append(dict(query=q.query, source=_under(q.file, root), offset_s=q.begin_s + k * hop_s))
    return pd.DataFrame(rows)


def query_vectors(embedder, spans: pd.DataFrame, audio: Audio, spectrogram: Spectrogram, hop_s: float,
                  batch_size: int) -> pd.DataFrame:
    """One unit vector per query: the mean of its windows' unit vectors (file names relative to
    ``audio.data_root`` where they lie below it)."""
    root = Path(audio.data_root)
    windows = query_windows(spans, root, audio.clip_s, hop_s)
    try:
        vectors = normalise(_vectors(embedder, windows, audio, spectrogram, batch_size))
    except (RuntimeError, ValueError) as exc:
        raise ValueError(f"queries: {exc}") from exc
    meta, means = [], []
    for query, pos in windows.groupby("query", sort=False).indices.items():
        span = spans[spans["query"] == query].iloc[0]
        meta.append({"query": query, "file": _under(span["file"], root), "begin_s": span["begin_s"],
                     "end_s": span["end_s"], "windows": len(pos)})
        means.append(vectors[pos].mean(axis=0))
    columns = [f"e{i:04d}" for i in range(vectors.shape[1])]
    return pd.concat([pd.DataFrame(meta), pd.DataFrame(normalise(np.array(means)), columns=columns)], axis=1)


def review_media(picks: pd.DataFrame, audio: Audio, spectrogram: Spectrogram, batch_size: int) -> pd.DataFrame:
    """Spectrogram thumbnails and audio snippets of the windows in ``picks`` (source, offset_s),
    read from the recordings, for the explorer's deployment tab."""
    import torch

    from reefclr.embedders.base import waveform_batches
    from reefclr.pages.media import audio_snippet, thumbnail
    from reefclr.features.spectrogram import MelSpectrogram

    picks = picks.reset_index(drop=True)
    melspec = MelSpectrogram.from_settings(spectrogram)
    thumbs, sounds = [""] * len(picks), [""] * len(picks)
    for pos, waves in waveform_batches(picks, audio, spectrogram.sample_rate, batch_size):
        with torch.inference_mode():
            mels = melspec(torch.from_numpy(waves)).numpy()
        for k, p in enumerate(pos):
            thumbs[p], sounds[p] = thumbnail(mels[k]), audio_snippet(waves[k], spectrogram.sample_rate)
    return picks.assign(thumb=thumbs, audio=sounds)
