"""results/explorer.html: every embedder's 2-D UMAP per test set, with spectrograms and audio."""

import pandas as pd
from reefclr.pages import explorer, media
from reefclr.features.cachedset import CachedSet
from reefclr.core.logs import each_test_set, setup_logging
from reefclr.core.vectors import matrix

setup_logging(snakemake.log[0])
p = snakemake.params
cfg = p.explorer
panels = []
for (dataset,) in each_test_set(p.datasets):
    manifest = pd.read_parquet(p.paths["manifest"].format(dataset=dataset))
    data = CachedSet.open([p.paths["shard"].format(dataset=dataset, shard=k) for k in range(p.shards[dataset])])
    meta = data.index[["clip_id", "source", "offset_s", "label", "site", "group"]].reset_index(drop=True)
    start = pd.to_datetime(manifest.set_index("clip_id")["start_time"].reindex(meta["clip_id"]).reset_index(drop=True))
    meta["hour"] = (start + pd.to_timedelta(meta["offset_s"], unit="s")).dt.hour
    per_embedder = {}
    for name in p.embedders:
        table = pd.read_parquet(p.paths["embeddings"].format(embedder=name, dataset=dataset))
        coords = pd.read_parquet(p.paths["coords"].format(embedder=name, dataset=dataset))
        clusters = pd.read_parquet(p.paths["clusters"].format(embedder=name, dataset=dataset))
        predicted = explorer.out_of_fold_predictions(matrix(table), table["label"].to_numpy(),
                                                     table["group"].to_numpy(), p.seed)
        frame = coords[["clip_id", "x", "y"]].merge(clusters, on="clip_id", how="left")
        frame = frame.merge(pd.DataFrame({"clip_id": table["clip_id"], "predicted": predicted}), on="clip_id")
        frame["cluster"] = frame["cluster"].astype("Int64").astype(str).replace("<NA>", None)
        per_embedder[name] = frame
    table, n_total = explorer.dataset_table(meta, per_embedder, cfg["max_points"], p.seed)
    with_media = explorer.stratified_keep(table["label"], cfg["max_media"], p.seed)
    positions = data.index.reset_index().set_index("clip_id").loc[table["clip_id"].iloc[with_media], "index"]
    mels, waves = data.mel(positions.to_numpy()), data.wave(positions.to_numpy())
    table.loc[with_media, "thumb"] = [media.thumbnail(m) for m in mels]
    table.loc[with_media, "audio"] = [media.audio_snippet(w, p.sample_rate) for w in waves]
    panels.append(explorer.panel(dataset, table, list(p.embedders), n_total, cfg["point_size"]))
for dataset, path in zip(p.deployments, snakemake.input.deploy, strict=True):
    panels.append(explorer.deploy_panel(dataset, pd.read_parquet(path), cfg["point_size"]))
notes = ("Each point is a clip; its position is the embedder's 2-D UMAP (evaluation.umap2d). "
         "Predicted labels are out-of-fold predictions of a logistic regression on the embedding with "
         "whole groups held out; clusters are the study's affinity-propagation clusters. A deployment's tab shows "
         "its search hits and detections at their time and score.")
explorer.write_page(panels, snakemake.output[0], p.title, notes + (" " + p.demo_note if p.demo_note else ""))
