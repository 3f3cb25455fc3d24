"""Call density without a threshold: the share of a deployment's windows that hold a sound, per
site, site x hour of day and site x day, from a reviewed validation sample stratified by site and
classifier score.

Thresholded counts are biased wherever scores are distributed differently (Navine et al., "All
thresholds barred", Front. Bird Sci. 3, 2024). The workflow's estimate has two parts:

- **The site's score model.** The reviewed sample (a stratified random sample of the site's
  windows, ``sampling.validation_sample``) gives, per score bin, how many of the site's windows
  hold the sound and how many do not. Each design cell's share of windows with the sound gets a
  Beta(k + a, n - k + a) posterior; its windows are spread over the current bins as its reviewed
  windows are (a Bayesian bootstrap when the sample was drawn under other scores). That gives the
  site's distribution of score bins for windows with (``p1``) and without (``p0``) the sound.
- **Each stratum's own scores.** A stratum's bin counts are a mixture ``pi p1 + (1 - pi) p0``;
  its density ``pi`` is the maximum-likelihood mixing weight (prior-shift quantification,
  Saerens, Latinne and Decaestecker, Neural Computation 14, 2002; the same fit as their EM). For
  the whole site this is the stratified estimate sum_b N_b r_b / N; for an hour or a day it
  follows that stratum's scores, so a dusk chorus shows as one.

Assumed: within a site the scores of windows with the sound, and of windows without it, are
distributed alike at every hour and day (``shift_check`` tests it where the sample allows);
reviewers are right. Intervals come from posterior draws of the score model, each refitted, and
the binomial spread of the stratum's own windows; their coverage is measured by simulation over
diel patterns, classifier strengths, densities, bins, sample sizes and reviewer errors
(``reefclr.deploy.simulate``, bench/density_coverage.py, docs/statistics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reefclr.deploy.sampling import CENSUS

DENSITY_COLUMNS = ["site", "kind", "hour", "day", "windows", "recorded_min", "density", "low", "high",
                   "reviewed", "model_reviewed", "model_positives", "model_auc", "reliable", "reason"]


@dataclass(frozen=True)
class Method:
    """How the estimate is made: the Beta prior of a cell's rate, the posterior draws behind an
    interval, the point estimate (``ml``: the fit at the reviewed rates; ``median``: of the
    draws), and whether intervals include the binomial spread of the stratum's windows."""

    model: str = "bins"
    prior: float = 0.1
    strength: float = 2.0
    draws: int = 2000
    point: str = "ml"
    predictive: bool = True
    grid: int = 64


METHOD = Method()


@dataclass(frozen=True)
class ScoreModel:
    """One site's score-bin distributions with (``p1``) and without (``p0``) the sound: row 0 at
    the reviewed rates, rows 1.. posterior draws; with what stands behind them."""

    p1: np.ndarray
    p0: np.ndarray
    share: np.ndarray
    reviewed: int
    positives: int
    auc: float


def score_model(reviewed: pd.DataFrame, n_bins: int, method: Method, rng) -> ScoreModel:
    """The score model of one site from its reviewed windows (``bin``: the window's bin under
    the current scores, ``y``, ``cell``, ``cell_windows``; census windows have cell ``CENSUS``)."""
    pos, neg = np.zeros((method.draws + 1, n_bins)), np.zeros((method.draws + 1, n_bins))
    census = reviewed[reviewed["cell"] == CENSUS]
    pos += np.bincount(census["bin"], weights=census["y"], minlength=n_bins)
    neg += np.bincount(census["bin"], weights=1 - census["y"], minlength=n_bins)
    for _, cell in reviewed[reviewed["cell"] != CENSUS].groupby("cell"):
        size, n, k = float(cell["cell_windows"].iloc[0]), len(cell), int(cell["y"].sum())
        rate = np.concatenate([[k / n], rng.beta(k + method.prior, n - k + method.prior, method.draws)])
        for mass, chosen, sign in ((size * rate, cell["y"] == 1, 1), (size * (1 - rate), cell["y"] == 0, 0)):
            where = cell[chosen] if chosen.any() else cell  # no window of this kind: where the cell's are
            spread = _bootstrap_spread(where["bin"].to_numpy(), n_bins, method.draws, rng)
            (pos if sign else neg)[:] += mass[:, None] * spread
    return ScoreModel(_normalise(pos), _normalise(neg), pos.sum(1) / (pos.sum(1) + neg.sum(1)), len(reviewed),
                      int(reviewed["y"].sum()), weighted_auc(reviewed))


def logit(scores) -> np.ndarray:
    s = np.clip(np.asarray(scores, float), 1e-6, 1 - 1e-6)
    return np.log(s / (1 - s))


def calibration_draws(x: np.ndarray, y: np.ndarray, draws: int, rng, prior_sd=(10.0, 2.5)):
    """Intercepts and slopes of logit P(sound | x) = a + b x: the maximum a posteriori fit under
    N(0, 10^2) and N(0, 2.5^2) priors on the standardised scale (row 0), then draws from its
    Laplace approximation."""
    mu, sd = x.mean(), x.std() or 1.0
    design = np.column_stack([np.ones_like(x), (x - mu) / sd])
    precision = np.diag(1 / np.square(prior_sd))
    w = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-design @ w))
        hessian = (design * (p * (1 - p))[:, None]).T @ design + precision
        step = np.linalg.solve(hessian, design.T @ (y - p) - precision @ w)
        w += step
        if np.abs(step).max() < 1e-10:
            break
    fits = np.vstack([w, rng.multivariate_normal(w, np.linalg.inv(hessian), draws)])
    return fits[:, 0] - fits[:, 1] * mu / sd, fits[:, 1] / sd


def calibration_model(reviewed: pd.DataFrame, centres: np.ndarray, counts: np.ndarray, method: Method,
                      rng) -> ScoreModel:
    """The score model of one site from a logistic curve of the sound's chance against the
    score's logit, fitted to its reviewed windows (the sample depends on the score only, so the
    curve needs no weights): ``counts`` of the site's windows in fine score bins with logit
    ``centres``."""
    y = reviewed["y"].to_numpy().astype(float)
    a, b = calibration_draws(logit(reviewed["score"]), y, method.draws, rng)
    chance = 1 / (1 + np.exp(-(a[:, None] + b[:, None] * centres[None])))
    pos = counts[None] * chance
    return ScoreModel(_normalise(pos), _normalise(counts[None] * (1 - chance)), pos.sum(1) / counts.sum(),
                      len(reviewed), int(y.sum()), weighted_auc(reviewed))


def _bootstrap_spread(bins: np.ndarray, n_bins: int, draws: int, rng) -> np.ndarray:
    """How a cell's windows of one kind spread over the bins: the reviewed windows' shares (row
    0), then Bayesian-bootstrap draws of them (Dirichlet(1, ..., 1) weights)."""
    one_hot = np.eye(n_bins)[bins]
    if len(np.unique(bins)) == 1:
        return np.repeat(one_hot[:1], draws + 1, axis=0)
    weights = np.vstack([np.full(len(bins), 1 / len(bins)), rng.dirichlet(np.ones(len(bins)), draws)])
    return weights @ one_hot


def _normalise(mass: np.ndarray) -> np.ndarray:
    total = mass.sum(axis=1, keepdims=True)
    return np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)


def weighted_auc(reviewed: pd.DataFrame) -> float:
    """ROC-AUC of the reviewed windows' scores, each weighted by the windows it stands for (the
    site's or deployment's AUC, not the sample's); NaN without both kinds."""
    if "score" not in reviewed or reviewed["y"].nunique() < 2:
        return float("nan")
    w = weights(reviewed)
    pos, neg = reviewed["y"].to_numpy() == 1, reviewed["y"].to_numpy() == 0
    s = reviewed["score"].to_numpy()
    above = (s[pos][:, None] > s[neg][None]) + 0.5 * (s[pos][:, None] == s[neg][None])
    return float((w[pos][:, None] * w[neg][None] * above).sum() / (w[pos].sum() * w[neg].sum()))


def weights(reviewed: pd.DataFrame) -> np.ndarray:
    """The windows each reviewed window stands for: its cell's windows over the cell's reviewed
    windows (1 for a census window)."""
    drawn = reviewed.groupby(["site", "cell"])["cell"].transform("size").to_numpy()
    return np.where(reviewed["cell"] == CENSUS, 1.0, reviewed["cell_windows"].to_numpy() / drawn)


GRID = np.unique(np.concatenate([[0.0], np.geomspace(1e-6, 0.02, 80), np.linspace(0, 1, 201)]))


def stratum_shares(counts: np.ndarray, model: ScoreModel, strength: float, rng) -> np.ndarray:
    """Each stratum's density (strata x (draws + 1)) from its bin ``counts``: a mixture pi p1 +
    (1 - pi) p0 of the site's score model. Per row of the model, pi's posterior on a grid under
    a Beta prior centred on the site's density with ``strength`` pseudo-windows (0: uniform),
    each grid point carrying the prior's mass between its neighbours' midpoints: row 0 its mean
    at the point model, then one draw per posterior draw of the model. A classifier that cannot
    tell the kinds apart leaves the prior: a wide interval about the site's density, never a
    jump to 0 or 1."""
    from scipy.special import betainc

    p1, p0 = np.maximum(model.p1, 1e-300), np.maximum(model.p0, 1e-300)
    mix = np.log(GRID[None, :, None] * p1[:, None] + (1 - GRID[None, :, None]) * p0[:, None])  # rows x grid x bins
    site = np.clip(model.share, 1e-9, 1 - 1e-9)[:, None]
    a, b = (strength * site, strength * (1 - site)) if strength else (np.ones_like(site), np.ones_like(site))
    cuts = np.concatenate([[0.0], (GRID[1:] + GRID[:-1]) / 2, [1.0]])
    prior = np.log(np.maximum(np.diff(betainc(a, b, cuts[None]), axis=1), 1e-300))
    out, flat = np.empty((len(counts), len(p1))), mix.reshape(-1, mix.shape[-1]).T
    for chunk in np.array_split(np.arange(len(counts)), max(1, len(counts) // 32)):
        post = (counts[chunk].astype(float) @ flat).reshape(len(chunk), *mix.shape[:2]) + prior[None]
        post = np.exp(post - post.max(-1, keepdims=True))
        post /= post.sum(-1, keepdims=True)
        out[chunk, 0] = post[:, 0] @ GRID
        cdf = np.cumsum(post[:, 1:], -1)
        u = rng.random(cdf.shape[:2])[..., None]
        out[chunk, 1:] = GRID[np.minimum((cdf < u).sum(-1), len(GRID) - 1)]
    return out


def realised(counts: np.ndarray, pi: np.ndarray, model: ScoreModel, rng) -> np.ndarray:
    """Draws of each stratum's realised share of windows with the sound: every window of bin b
    holds it with the posterior chance pi p1_b / (pi p1_b + (1 - pi) p0_b) (row 0 kept as is)."""
    p1, p0 = model.p1[None], model.p0[None]
    mix = pi[..., None] * p1 + (1 - pi[..., None]) * p0
    chance = np.divide(pi[..., None] * p1, mix, out=np.zeros_like(mix), where=mix > 0)
    n = np.broadcast_to(counts[:, None, :], chance.shape)
    found = rng.binomial(n, np.clip(chance, 0, 1)).sum(-1) / np.maximum(counts.sum(-1, keepdims=True), 1)
    return np.concatenate([pi[:, :1], found[:, 1:]], axis=1)


def strata(windows: pd.DataFrame):
    """(site, kind, hour, day, rows) of every stratum of a site: whole, per hour of day and per
    day (windows with a time)."""
    time = pd.to_datetime(windows["time"])
    stamped = windows.assign(_hour=time.dt.hour, _day=time.dt.strftime("%Y-%m-%d")).dropna(subset=["time"])
    for site, part in windows.groupby("site", sort=True):
        yield site, "site", pd.NA, pd.NA, part
        mine = stamped[stamped["site"] == site]
        for hour, sub in mine.groupby("_hour", sort=True):
            yield site, "hour", int(hour), pd.NA, sub
        for day, sub in mine.groupby("_day", sort=True):
            yield site, "day", pd.NA, day, sub


@dataclass(frozen=True)
class Design:
    """What the density table is made with: score bin edges, the interval's level, the window
    step, the seed and the method."""

    edges: np.ndarray
    level: float
    hop_s: float
    seed: int
    method: Method = METHOD


def density_table(scores: pd.DataFrame, reviewed: pd.DataFrame, design: Design, reliability=None) -> pd.DataFrame:
    """Density with its interval for the deployment, per site, site x hour of day and site x
    day (``DENSITY_COLUMNS``). ``reviewed`` holds the reviewed windows (site, clip_id, score, y,
    cell, cell_windows); ``reliability(row) -> reason or ""`` marks rows like those that
    simulation found under-covered. A site whose reviewed cells do not stand for all its windows
    gets no estimate, nor do its strata or the deployment."""
    method, rng = design.method, np.random.default_rng(design.seed)
    edges = design.edges if method.model == "bins" else fine_edges(scores["score"], method.grid)
    n_bins = len(edges) + 1
    windows = scores.assign(bin=np.searchsorted(edges, scores["score"].to_numpy(), side="right"),
                            _reviewed=scores["clip_id"].isin(reviewed["clip_id"]).to_numpy())
    reviewed = reviewed.assign(bin=np.searchsorted(edges, reviewed["score"].to_numpy(), side="right"))
    centres = windows.groupby("bin")["score"].apply(lambda v: logit(v).mean()).reindex(range(n_bins)).fillna(0)
    lo, hi = (1 - design.level) / 2, (1 + design.level) / 2
    groups, rows, whole, missing = {}, [], np.zeros(method.draws + 1), []
    for site, kind, hour, day, part in strata(windows):
        groups.setdefault(site, []).append((kind, hour, day, part))
    for site, site_strata in groups.items():
        mine = reviewed[reviewed["site"] == site]
        auc = weighted_auc(mine)
        counts = np.stack([np.bincount(p["bin"], minlength=n_bins) for _, _, _, p in site_strata])
        why, shares = unsupported(mine, len(site_strata[0][3])), None
        if not why:
            model = (score_model(mine, n_bins, method, rng) if method.model == "bins" else
                     calibration_model(mine, centres.to_numpy(), counts[0], method, rng))
            shares = np.vstack([model.share[None], stratum_shares(counts[1:], model, method.strength, rng)])
            shares = realised(counts, shares, model, rng) if method.predictive else shares
            whole += shares[0] * len(site_strata[0][3])
        else:
            missing.append(site)
        for k, (kind, hour, day, part) in enumerate(site_strata):
            row = dict(site=site, kind=kind, hour=hour, day=day, windows=len(part),
                       recorded_min=len(part) * design.hop_s / 60,
                       reviewed=int(part["_reviewed"].sum()), model_reviewed=len(mine),
                       model_positives=int(mine["y"].sum()), model_auc=auc)
            rows.append(row | _estimate(None if shares is None else shares[k], method, lo, hi, why))
    deployment = dict(site="all", kind="deployment", hour=pd.NA, day=pd.NA, windows=len(windows),
                      recorded_min=len(windows) * design.hop_s / 60, reviewed=len(reviewed),
                      model_reviewed=len(reviewed), model_positives=int(reviewed["y"].sum()),
                      model_auc=weighted_auc(reviewed))
    why = f"no estimate at site(s) {', '.join(map(str, missing))}" if missing else ""
    rows.insert(0, deployment | _estimate(None if missing else whole / len(windows), method, lo, hi, why))
    table = pd.DataFrame(rows, columns=DENSITY_COLUMNS)
    if reliability is not None:
        reasons = [r["reason"] or reliability(r) for _, r in table.iterrows()]
        table["reason"] = reasons
        table["reliable"] = [bool(np.isfinite(d)) and not r for d, r in zip(table["density"], reasons)]
    return table.astype({"hour": "Int64"})


def fine_edges(scores: pd.Series, grid: int) -> np.ndarray:
    """Inner edges of ``grid`` quantile bins of the scores: the calibration model's score grid."""
    return np.unique(np.quantile(scores.to_numpy(), np.linspace(0, 1, grid + 1)[1:-1]))


def _estimate(draws, method: Method, lo: float, hi: float, why: str) -> dict:
    if draws is None:
        return dict(density=np.nan, low=np.nan, high=np.nan, reliable=False, reason=why)
    point = draws[0] if method.point == "ml" else float(np.median(draws[1:]))
    draws = np.where(draws < 1e-9, 0.0, draws)
    return dict(density=float(point if point >= 1e-9 else 0.0), low=float(np.quantile(draws[1:], lo)), high=float(np.quantile(draws[1:], hi)),
                reliable=True, reason="")


def unsupported(reviewed: pd.DataFrame, windows: int) -> str:
    """Why a site's reviewed windows cannot carry an estimate ("" when they can): none at all,
    or cells that stand for fewer windows than the site has (a score bin nobody reviewed, or
    windows left out of the sample and not given)."""
    if reviewed.empty:
        return "no reviewed windows at this site"
    cells = reviewed[reviewed["cell"] != CENSUS].groupby("cell")["cell_windows"].first()
    covered = int(cells.sum()) + int((reviewed["cell"] == CENSUS).sum())
    if covered < windows:
        return (f"the reviewed cells stand for {covered} of the site's {windows} windows (a score bin without "
                "reviewed windows, or windows left out of the sample)")
    return ""


def shift_check(scores: pd.DataFrame, reviewed: pd.DataFrame, design: Design, level: float = 0.01) -> list[str]:
    """Warnings where the data contradict the score model's assumption. If scores given presence
    are alike at every hour of a site, a reviewed window of hour h and bin b holds the sound with
    the chance the hour's fit gives (pi_h p1_b over the mixture); per site and quarter of the day,
    observed minus expected positives over their standard error is about N(0, 1). A chi-square
    test over the quarters per site, at ``level`` after Holm's correction over sites."""
    from scipy.stats import chi2

    n_bins, point = len(design.edges) + 1, Method(prior=design.method.prior, draws=0)
    rng, tests = np.random.default_rng(design.seed), []
    windows = scores.assign(bin=np.searchsorted(design.edges, scores["score"].to_numpy(), side="right"),
                            _hour=pd.to_datetime(scores["time"]).dt.hour)
    for site, part in windows.dropna(subset=["_hour"]).groupby("site", sort=True):
        mine = reviewed[reviewed["site"] == site].drop(columns=["bin", "_hour"], errors="ignore").merge(
            part[["clip_id", "bin", "_hour"]], on="clip_id")
        if unsupported(reviewed[reviewed["site"] == site], int((windows["site"] == site).sum())) or len(mine) < 20:
            continue
        model = score_model(mine, n_bins, point, rng)
        hours = sorted(part["_hour"].unique())
        counts = np.stack([np.bincount(part.loc[part["_hour"] == h, "bin"], minlength=n_bins) for h in hours])
        pi = dict(zip(hours, stratum_shares(counts, model, design.method.strength, rng)[:, 0]))
        p = np.array([pi[h] for h in mine["_hour"]])
        mix = p * model.p1[0, mine["bin"]] + (1 - p) * model.p0[0, mine["bin"]]
        chance = np.divide(p * model.p1[0, mine["bin"]], mix, out=np.zeros_like(mix), where=mix > 0)
        quarter = mine["_hour"].to_numpy() // 6
        stat, dof = 0.0, 0
        for q in np.unique(quarter):
            sd = np.sqrt((chance[quarter == q] * (1 - chance[quarter == q])).sum())
            if sd > 0:
                stat, dof = stat + ((mine["y"].to_numpy()[quarter == q] - chance[quarter == q]).sum() / sd) ** 2, dof + 1
        if dof:
            tests.append((site, float(chi2.sf(stat, dof))))
    found = []
    for rank, (site, p) in enumerate(sorted(tests, key=lambda t: t[1])):
        if p * (len(tests) - rank) > level:
            break
        found.append(f"site {site}: the reviewed windows disagree with the score model across the day (chi-square "
                     f"p = {p:.2g}): scores given presence may differ between hours, and its hourly densities with them")
    return found


def stratum_means(scores: pd.DataFrame, values: pd.Series) -> list[float]:
    """The mean of ``values`` over each row of ``density_table``, in its order."""
    v = scores.assign(_v=values.to_numpy())
    return [float(v["_v"].mean())] + [float(part["_v"].mean()) for *_, part in strata(v)]


ESTIMATOR = ("per site: a score model from the reviewed sample ({model}; Beta(k + {prior}, n - k + {prior}) per design "
             "cell); site rows: the stratified estimate; hour and day rows: the stratum's own scores as a mixture of the "
             "site's score distributions with and without the sound (prior-shift maximum likelihood), under a Beta "
             "prior centred on the site's density with {strength} pseudo-windows; equal-tailed intervals from {draws} "
             "posterior draws and the binomial spread of the stratum's windows")


def summary(table: pd.DataFrame, sample, design: Design) -> dict:
    """The density table's headline: the deployment's and each site's estimate and interval (and
    truth, where known), how many rows are reliable, and how the estimate was made."""
    m = design.method

    def row(r):
        out = dict(site=r["site"], density=r["density"], low=r["low"], high=r["high"], reviewed=int(r["reviewed"]),
                   positives=int(r["model_positives"]), model_auc=r["model_auc"], reliable=bool(r["reliable"]),
                   reason=r["reason"])
        if "true_density" in r:
            out |= dict(true=r["true_density"], covered=bool(r["low"] <= r["true_density"] <= r["high"]))
        return out

    whole = [row(r) for _, r in table[table["kind"].isin(["deployment", "site"])].iterrows()]
    return dict(level=design.level, bins=len(design.edges) + 1, sample=sample.note, deployment=whole[0],
                sites=whole[1:], rows=len(table), reliable_rows=int(table["reliable"].sum()),
                estimator=ESTIMATOR.format(model=m.model, prior=m.prior, strength=m.strength, draws=m.draws))
