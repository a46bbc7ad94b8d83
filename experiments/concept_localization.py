"""Experiments for the paper "concept-localization".

Two linked models, both pure numpy and seeded with ``numpy.random.default_rng``.

Part A (electrode sampling). A population of neurons, each with a *sparsity*
``a`` (the probability that it responds to a randomly chosen concept), is
sampled the way a screening session samples the medial temporal lobe: a few
dozen to a hundred units are isolated, possibly with a detection bias towards
active cells and possibly merged into multi-units, and each is shown ``S``
stimuli. We return what an experimenter would observe (fraction of responsive
units, fraction of units that answer exactly one stimulus, the naive sparsity
estimate) next to the truth, plus closed forms for the same quantities.

Part B (network vs dictionary). A small ReLU autoencoder in the style of
Elhage et al. (2022) is trained on sparse synthetic "concepts"; the same
localisation measures are then applied to its hidden units and to the latents
of a sparse autoencoder (dictionary) trained on those hidden units.

Functions return dicts of numpy arrays / floats and never plot.
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------
# Part A: closed forms
# ----------------------------------------------------------------------------


def p_responsive(a, S):
    """Probability that a unit with sparsity ``a`` responds to >=1 of ``S`` random stimuli."""
    a = np.asarray(a, dtype=float)
    return 1.0 - (1.0 - a) ** S


def p_exactly_one(a, S):
    """Probability that a unit with sparsity ``a`` responds to exactly one of ``S`` stimuli."""
    a = np.asarray(a, dtype=float)
    return S * a * (1.0 - a) ** (S - 1)


def single_given_responsive(a, S):
    """P(exactly one | at least one): the apparent 'concept cell' rate among responsive units."""
    a = np.asarray(a, dtype=float)
    num = p_exactly_one(a, S)
    den = p_responsive(a, S)
    out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
    return out


def info_share_topk(k, M, rho):
    """Share of linear Fisher information about one concept carried by the best ``k`` of ``M``
    equally informative units whose noise has pairwise correlation ``rho`` (equicorrelated).

    Population information of m such units is m d^2 / (1 + (m - 1) rho); the share is the
    ratio for m = k and m = M.
    """
    k = np.asarray(k, dtype=float)
    M = np.asarray(M, dtype=float)
    return (k / (1.0 + (k - 1.0) * rho)) / (M / (1.0 + (M - 1.0) * rho))


# ----------------------------------------------------------------------------
# Part A: simulation of screening sessions
# ----------------------------------------------------------------------------


def make_population(kind, n_neurons, rng, a=1e-3, frac_active=0.07, a_active=0.026, a_quiet=0.001):
    """Per-neuron sparsities for a code family.

    kind: 'homogeneous' (all neurons share ``a``), 'two-pop' (a fraction ``frac_active`` with
    sparsity ``a_active``, the rest ``a_quiet``; defaults are the hippocampal fit of Magyar &
    Collins), or 'lognormal' (log10 a ~ N(log10 a, 0.5^2), clipped to [1e-7, 1]).
    """
    if kind == "homogeneous":
        return np.full(n_neurons, float(a))
    if kind == "two-pop":
        active = rng.random(n_neurons) < frac_active
        return np.where(active, a_active, a_quiet).astype(float)
    if kind == "lognormal":
        return np.clip(10.0 ** (np.log10(a) + 0.5 * rng.standard_normal(n_neurons)), 1e-7, 1.0)
    raise ValueError(kind)


def screen(sparsity, rng, n_units=100, S=100, n_sessions=20, beta=0.0, multi=1, p_false=0.0):
    """Simulate ``n_sessions`` screening sessions on a population with per-neuron ``sparsity``.

    Recording: each session isolates ``n_units`` units. A unit is ``multi`` neurons merged
    (a multi-unit responds when any member responds). Neurons are drawn with probability
    proportional to ``(a / mean a) ** beta`` (beta = 0: unbiased; beta > 0: active cells are
    easier to find and isolate). Each unit sees ``S`` distinct random concepts once and is
    scored responsive to a stimulus if any member truly responds, or by a false positive with
    probability ``p_false``.

    Returns observed and true summary statistics averaged over sessions.
    """
    sparsity = np.asarray(sparsity, dtype=float)
    w = (sparsity / sparsity.mean()) ** beta
    w = w / w.sum()
    stats = {
        k: []
        for k in ("frac_responsive", "frac_single", "n_single", "n_responsive", "mean_resp_per_responsive", "a_hat", "a_true_recorded")
    }
    for _ in range(n_sessions):
        idx = rng.choice(sparsity.size, size=(n_units, multi), p=w)
        a_members = sparsity[idx]  # (n_units, multi)
        # each member responds independently to each stimulus
        resp = rng.random((n_units, multi, S)) < a_members[:, :, None]
        unit_resp = resp.any(axis=1)
        if p_false > 0:
            unit_resp |= rng.random((n_units, S)) < p_false
        counts = unit_resp.sum(axis=1)
        responsive = counts > 0
        stats["frac_responsive"].append(responsive.mean())
        stats["frac_single"].append((counts == 1).mean())
        stats["n_single"].append((counts == 1).sum())
        stats["n_responsive"].append(responsive.sum())
        stats["mean_resp_per_responsive"].append(counts[responsive].mean() if responsive.any() else 0.0)
        stats["a_hat"].append(counts.sum() / (n_units * S))
        stats["a_true_recorded"].append(a_members.mean())
    n_resp_total = float(np.sum(stats.pop("n_responsive")))
    n_single_total = float(np.sum(stats.pop("n_single")))
    out = {k: float(np.mean(v)) for k, v in stats.items()}
    # pooled over sessions; NaN when no unit responded at all
    out["single_given_resp"] = n_single_total / n_resp_total if n_resp_total > 0 else float("nan")
    out["a_population"] = float(sparsity.mean())
    return out


def sweep_sparsity(a_grid, settings, seed=0, n_neurons=50_000, n_units=100, S=100, n_sessions=10):
    """Run :func:`screen` on lognormal populations centred on each ``a`` in ``a_grid``.

    ``settings`` maps a label to keyword arguments of :func:`screen` (beta, multi, p_false).
    Returns a dict label -> dict of arrays over ``a_grid``.
    """
    rng = np.random.default_rng(seed)
    res = {}
    for label, kw in settings.items():
        rows = []
        for a in a_grid:
            pop = make_population("lognormal", n_neurons, rng, a=a)
            rows.append(screen(pop, rng, n_units=n_units, S=S, n_sessions=n_sessions, **kw))
        res[label] = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return res


def info_share_sim(M, rho, k=1, d=1.0, n_trials=4000, seed=0):
    """Monte-Carlo check of :func:`info_share_topk` with an optimal linear (LDA) read-out.

    ``M`` units respond with mean shift ``d`` to the concept, Gaussian noise with unit variance
    and pairwise correlation ``rho``. Returns the empirical d'^2 of the best-k and all-M
    read-outs and their ratio.
    """
    rng = np.random.default_rng(seed)
    cov = (1 - rho) * np.eye(M) + rho * np.ones((M, M))
    L = np.linalg.cholesky(cov)
    x0 = rng.standard_normal((n_trials, M)) @ L.T
    x1 = rng.standard_normal((n_trials, M)) @ L.T + d

    def dprime2(cols):
        a0, a1 = x0[:, cols], x1[:, cols]
        diff = a1.mean(0) - a0.mean(0)
        S = 0.5 * (np.cov(a0, rowvar=False) + np.cov(a1, rowvar=False))
        S = np.atleast_2d(S)
        return float(diff @ np.linalg.solve(S, diff))

    top = dprime2(list(range(k)))
    full = dprime2(list(range(M)))
    return {"d2_top": top, "d2_all": full, "share": top / full}


# ----------------------------------------------------------------------------
# Part B: toy network and dictionary
# ----------------------------------------------------------------------------


class _Adam:
    def __init__(self, params, lr):
        self.lr, self.t = lr, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            mh = m / (1 - b1**self.t)
            vh = v / (1 - b2**self.t)
            p -= self.lr * mh / (np.sqrt(vh) + eps)


def sample_features(rng, batch, n_feat, p_active):
    """Sparse non-negative features: each active with prob ``p_active``, value ~ U(0, 1)."""
    return (rng.random((batch, n_feat)) < p_active) * rng.random((batch, n_feat))


def train_toy(n_feat=20, n_hidden=5, p_active=0.05, steps=1500, batch=256, lr=0.01, seed=0):
    """Train x -> h = ReLU(W1 x + b1) -> x_hat = ReLU(W2 h + b2) on sparse features (MSE).

    The ReLU on the hidden layer gives it a privileged basis, so 'neurons' are meaningful.
    Returns weights, the final loss, and a function-free dict.
    """
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n_hidden, n_feat)) * (1.0 / np.sqrt(n_feat))
    b1 = np.full(n_hidden, 0.05)
    W2 = rng.standard_normal((n_feat, n_hidden)) * (1.0 / np.sqrt(n_hidden))
    b2 = np.zeros(n_feat)
    params = [W1, b1, W2, b2]
    opt = _Adam(params, lr)
    for _ in range(steps):
        x = sample_features(rng, batch, n_feat, p_active)
        z1 = x @ W1.T + b1
        h = np.maximum(z1, 0)
        z2 = h @ W2.T + b2
        y = np.maximum(z2, 0)
        dy = 2.0 * (y - x) / batch
        dz2 = dy * (z2 > 0)
        dh = dz2 @ W2
        dz1 = dh * (z1 > 0)
        grads = [dz1.T @ x, dz1.sum(0), dz2.T @ h, dz2.sum(0)]
        opt.step(params, grads)
    x = sample_features(rng, 4096, n_feat, p_active)
    h = np.maximum(x @ W1.T + b1, 0)
    y = np.maximum(h @ W2.T + b2, 0)
    loss = float(((y - x) ** 2).sum(1).mean())
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "loss": loss}


def hidden(model, x):
    return np.maximum(x @ model["W1"].T + model["b1"], 0)


def train_sae(H, n_latent=40, l1=0.03, steps=1500, batch=256, lr=0.01, seed=0):
    """Sparse autoencoder z = ReLU(We h + be), h_hat = Wd z + bd with unit-norm decoder columns,
    loss = mean ||h_hat - h||^2 + l1 * mean ||z||_1, trained on rows of ``H`` (scaled to unit
    mean squared norm first). Returns encoder/decoder and the scale used.
    """
    rng = np.random.default_rng(seed)
    scale = np.sqrt((H**2).sum(1).mean()) + 1e-12
    Hs = H / scale
    m = H.shape[1]
    Wd = rng.standard_normal((m, n_latent))
    Wd /= np.linalg.norm(Wd, axis=0, keepdims=True)
    We = Wd.T.copy()
    be = np.zeros(n_latent)
    bd = Hs.mean(0).copy()
    params = [We, be, Wd, bd]
    opt = _Adam(params, lr)
    for _ in range(steps):
        h = Hs[rng.integers(0, Hs.shape[0], batch)]
        pre = (h - bd) @ We.T + be
        z = np.maximum(pre, 0)
        hh = z @ Wd.T + bd
        dhh = 2.0 * (hh - h) / batch
        dz = (dhh @ Wd + l1 / batch) * (pre > 0)
        gWd = dhh.T @ z
        gbd = dhh.sum(0) - (dz @ We).sum(0)
        grads = [dz.T @ (h - bd), dz.sum(0), gWd, gbd]
        opt.step(params, grads)
        Wd /= np.linalg.norm(Wd, axis=0, keepdims=True) + 1e-12
    return {"We": We, "be": be, "Wd": Wd, "bd": bd, "scale": scale}


def sae_latents(sae, H):
    return np.maximum((H / sae["scale"] - sae["bd"]) @ sae["We"].T + sae["be"], 0)


def unit_measures(U_probe, U_nat, X_nat, rel_thresh=0.5, abs_thresh=1e-3, stim_subset=None):
    """Localisation measures for a basis of units.

    U_probe: (n_feat, n_units) responses to one-hot probes (each concept alone at value 1).
    U_nat, X_nat: responses and true features on natural (sparse, co-occurring) data.
    stim_subset: indices of concepts 'shown' in a screening (default: all).

    Returns per-unit Treves-Rolls sparseness, the fraction of live units that respond to exactly
    one shown concept, and per-concept top-1 / top-3 shares of linearly decodable variance.
    """
    n_feat, n_units = U_probe.shape
    R = U_probe if stim_subset is None else U_probe[stim_subset]
    live = R.max(0) > abs_thresh
    thr = np.maximum(rel_thresh * U_probe.max(0), abs_thresh)  # relative to the unit's best concept overall
    responds = R > thr
    n_resp = responds.sum(0)
    r = np.clip(U_probe, 0, None)
    tr = (r.mean(0) ** 2) / np.maximum((r**2).mean(0), 1e-18)  # Treves-Rolls a in [1/n, 1]
    alive_all = U_probe.max(0) > abs_thresh
    # decodable variance
    Uc = U_nat - U_nat.mean(0)
    Xc = X_nat - X_nat.mean(0)
    A = np.c_[Uc, np.ones(len(Uc))]
    coef, *_ = np.linalg.lstsq(A, Xc, rcond=None)
    resid = Xc - A @ coef
    r2_all = 1 - (resid**2).sum(0) / np.maximum((Xc**2).sum(0), 1e-18)
    su = np.sqrt((Uc**2).sum(0)) + 1e-12
    sx = np.sqrt((Xc**2).sum(0)) + 1e-12
    corr2 = ((Uc.T @ Xc) / np.outer(su, sx)) ** 2  # (units, feat)
    order = np.sort(corr2, axis=0)[::-1]
    top1 = order[0]

    def r2_top(k):
        out = np.empty(n_feat)
        best = np.argsort(corr2, axis=0)[::-1][:k]
        for i in range(n_feat):
            Ak = np.c_[Uc[:, best[:, i]], np.ones(len(Uc))]
            c, *_ = np.linalg.lstsq(Ak, Xc[:, i], rcond=None)
            e = Xc[:, i] - Ak @ c
            out[i] = 1 - (e**2).sum() / max((Xc[:, i] ** 2).sum(), 1e-18)
        return out

    top3 = r2_top(min(3, n_units))
    represented = r2_all > 0.5
    share1 = np.where(represented, np.minimum(top1 / np.maximum(r2_all, 1e-12), 1.0), np.nan)
    share3 = np.where(represented, np.minimum(top3 / np.maximum(r2_all, 1e-12), 1.0), np.nan)
    return {
        "treves_rolls": tr[alive_all],
        "frac_single": float((n_resp[live] == 1).mean()) if live.any() else float("nan"),
        "n_live": int(live.sum()),
        "r2_all": r2_all,
        "share_top1": share1,
        "share_top3": share3,
        "n_represented": int(represented.sum()),
    }


def network_vs_dictionary(
    p_grid=(0.3, 0.1, 0.03), seeds=(0, 1), n_feat=20, n_hidden=5, n_latent=40, steps=1000, sae_steps=1000, l1=0.03, n_stim=6, n_nat=4000
):
    """Train the toy network at each feature probability and compare neurons vs SAE latents.

    For each (p, seed): hidden-unit and SAE-latent measures on all ``n_feat`` probes and on a
    random 'screening' subset of ``n_stim`` concepts. Returns arrays indexed [p, seed].
    """
    keys = [
        "n_represented",
        "nrn_frac_single_all",
        "nrn_frac_single_screen",
        "nrn_share1",
        "nrn_share3",
        "nrn_tr",
        "sae_frac_single_all",
        "sae_frac_single_screen",
        "sae_share1",
        "sae_share3",
        "sae_tr",
        "loss",
        "sae_n_live",
    ]
    out = {k: np.full((len(p_grid), len(seeds)), np.nan) for k in keys}
    eye = np.eye(n_feat)
    for i, p in enumerate(p_grid):
        for j, s in enumerate(seeds):
            rng = np.random.default_rng(1000 + 17 * s + i)
            model = train_toy(n_feat, n_hidden, p, steps=steps, seed=s)
            Xn = sample_features(rng, n_nat, n_feat, p)
            Hn = hidden(model, Xn)
            Hp = hidden(model, eye)
            sae = train_sae(Hn, n_latent=n_latent, l1=l1, steps=sae_steps, seed=s)
            Zn, Zp = sae_latents(sae, Hn), sae_latents(sae, Hp)
            subset = rng.choice(n_feat, n_stim, replace=False)
            mn_all = unit_measures(Hp, Hn, Xn)
            mn_scr = unit_measures(Hp, Hn, Xn, stim_subset=subset)
            ms_all = unit_measures(Zp, Zn, Xn)
            ms_scr = unit_measures(Zp, Zn, Xn, stim_subset=subset)
            out["n_represented"][i, j] = mn_all["n_represented"]
            out["loss"][i, j] = model["loss"]
            out["nrn_frac_single_all"][i, j] = mn_all["frac_single"]
            out["nrn_frac_single_screen"][i, j] = mn_scr["frac_single"]
            out["nrn_share1"][i, j] = np.nanmean(mn_all["share_top1"])
            out["nrn_share3"][i, j] = np.nanmean(mn_all["share_top3"])
            out["nrn_tr"][i, j] = np.mean(mn_all["treves_rolls"]) if mn_all["treves_rolls"].size else np.nan
            out["sae_frac_single_all"][i, j] = ms_all["frac_single"]
            out["sae_frac_single_screen"][i, j] = ms_scr["frac_single"]
            out["sae_share1"][i, j] = np.nanmean(ms_all["share_top1"])
            out["sae_share3"][i, j] = np.nanmean(ms_all["share_top3"])
            out["sae_tr"][i, j] = np.mean(ms_all["treves_rolls"]) if ms_all["treves_rolls"].size else np.nan
            out["sae_n_live"][i, j] = ms_all["n_live"]
    out["p_grid"] = np.array(p_grid)
    out["seeds"] = np.array(seeds)
    return out
