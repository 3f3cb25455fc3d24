"""results/explorer.html: every embedder's 2-D UMAP per test set, with spectrograms and audio."""

import pandas as pd
from reefclr import paths, settings
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.core.vectors import matrix
from reefclr.features.cachedset import CachedSet
from reefclr.pages import explorer, media

setup_logging(snakemake.log[0])
p = snakemake.params
s = settings.load(snakemake.config)
cfg = s.explorer
panels = []
for (dataset,) in each_dataset(p.datasets):
    manifest = pd.read_parquet(paths.MANIFEST.format(dataset=dataset))
    data = CachedSet.open(paths.shard_dirs(dataset, s.data.dataset(dataset).shards))
    meta = data.index[["clip_id", "source", "offset_s", "label", "site", "group"]].reset_index(drop=True)
    start = pd.to_datetime(manifest.set_index("clip_id")["start_time"].reindex(meta["clip_id"]).reset_index(drop=True))
    meta["hour"] = (start + pd.to_timedelta(meta["offset_s"], unit="s")).dt.hour
    per_embedder = {}
    for name in p.embedders:
        ids = dict(embedder=name, dataset=dataset)
        table = pd.read_parquet(paths.EMBEDDINGS.format(**ids))
        coords = pd.read_parquet(paths.UMAP2D.format(**ids))
        clusters = pd.read_parquet(paths.CLUSTERS.format(**ids))
        predicted = explorer.out_of_fold_predictions(matrix(table), table["label"].to_numpy(),
                                                     table["group"].to_numpy(), s.seed)
        frame = coords[["clip_id", "x", "y"]].merge(clusters, on="clip_id", how="left")
        frame = frame.merge(pd.DataFrame({"clip_id": table["clip_id"], "predicted": predicted}), on="clip_id")
        frame["cluster"] = frame["cluster"].astype("Int64").astype(str).replace("<NA>", None)
        per_embedder[name] = frame
    table, n_total = explorer.dataset_table(meta, per_embedder, cfg.max_points, s.seed)
    with_media = explorer.stratified_keep(table["label"], cfg.max_media, s.seed)
    positions = data.index.reset_index().set_index("clip_id").loc[table["clip_id"].iloc[with_media], "index"]
    mels, waves = data.mel(positions.to_numpy()), data.wave(positions.to_numpy())
    table.loc[with_media, "thumb"] = [media.thumbnail(m) for m in mels]
    table.loc[with_media, "audio"] = [media.audio_snippet(w, s.spectrogram.sample_rate) for w in waves]
    panels.append(explorer.panel(dataset, table, list(p.embedders), n_total, cfg.point_size))
reviews = {}
for part in p.review:  # each sound's rounds side by side and its last round's review pages
    reviews.setdefault(part["dataset"], []).append(explorer.Rounds(part["sound"], pd.read_csv(part["rounds"]),
                                                                   part["pages"]))
for dataset, path in zip(p.deployments, snakemake.input.deploy, strict=True):
    panels.append(explorer.deploy_panel(dataset, pd.read_parquet(path), cfg.point_size, reviews.get(dataset, [])))
notes = ("Each point is a clip; its position is the embedder's 2-D UMAP (evaluation.umap2d). "
         "Predicted labels are out-of-fold predictions of a logistic regression on the embedding with "
         "whole groups held out; clusters are the study's affinity-propagation clusters. A deployment's tab shows "
         "its search hits and detections at their time and score.")
explorer.write_page(panels, snakemake.output[0], explorer.TITLE, notes + (" " + p.notice if p.notice else ""))
