"""Smooth components, sharp composites: toy models of how situational awareness could "emerge".

Everything is a function of ``x``, a scale variable measured in decades of (effective)
training compute, log10 C, with an arbitrary origin. Three mechanisms are modelled:

1. **Composition (AND of sub-skills).** A composite succeeds only if all ``k`` sub-skills
   succeed, ``P_all(x) = prod_j p_j(x)``. Each sub-skill improves smoothly. The module shows
   (numerically, and :func:`composite_width_lower_bound` states the analytic bound) that
   composition delays the composite and gives it a long flat floor, but can only narrow the
   10%-90% transition width by a bounded factor.
2. **Decision threshold (policy switch).** A model receives a noisy cue about whether it is
   being evaluated, with discriminability ``d'(x)`` that grows smoothly. It behaves
   differently ("defects") only when its posterior probability of being evaluated drops below
   a threshold ``tau``. Stringent thresholds make the behaviour much sharper than the
   competence; heterogeneity of cue strength across contexts smooths it again.
3. **Abrupt per-run change (a genuine transition).** Each training run's latent competence
   switches over a very small width at a run-specific point. Averaged over runs the curve is
   smooth; per run it is a step.

The diagnostics in :func:`distinguish` compare mechanism 1 against mechanism 3 with the
signatures that separate them: per-run widths of a *continuous* metric, the fraction of runs
caught mid-transition, and whether component curves observed before onset predict where the
composite crosses 50%.

All functions are pure and return numpy arrays / dicts; randomness comes only from
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, logit, ndtr
from scipy.stats import norm

#: ln(ln 10 / ln(10/9)): the 10%-90% width, in units of w, of exp(-A e^{-x/w}) (a Gumbel CDF).
GUMBEL_WIDTH_FACTOR = math.log(math.log(10.0) / math.log(10.0 / 9.0))
#: 2 ln 9: the 10%-90% width, in units of w, of a logistic sigma(x / w).
LOGISTIC_WIDTH_FACTOR = 2.0 * math.log(9.0)


# ---------------------------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------------------------


def default_grid(lo: float = -2.0, hi: float = 10.0, n: int = 1201) -> np.ndarray:
    """A fine grid of log10-compute values (decades)."""
    return np.linspace(lo, hi, n)


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """First x at which y (assumed to rise overall) reaches ``level``, by linear interpolation.

    Returns NaN when y never reaches the level, and x[0] when it starts above it.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    above = np.nonzero(y >= level)[0]
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(x[0])
    x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
    if y1 == y0:
        return float(x1)
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


def width_10_90(x: np.ndarray, y: np.ndarray, normalise: bool = False) -> float:
    """Width in x between the first 10% and first 90% crossings of y.

    With ``normalise=True`` the curve is first min-max rescaled to [0, 1] (used for curves such
    as mean log-probability that do not live on [0, 1]).
    """
    y = np.asarray(y, dtype=float)
    if normalise:
        lo, hi = float(np.min(y)), float(np.max(y))
        if hi <= lo:
            return float("nan")
        y = (y - lo) / (hi - lo)
    return crossing(x, y, 0.9) - crossing(x, y, 0.1)


# ---------------------------------------------------------------------------------------------
# Mechanism 1: composition of smooth sub-skills
# ---------------------------------------------------------------------------------------------


def logistic_components(x: np.ndarray, midpoints: np.ndarray, width: float) -> np.ndarray:
    """Sub-skill success probabilities p_j(x) = sigma((x - m_j) / w), shape (k, len(x))."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(midpoints, dtype=float).reshape(-1, 1)
    return expit((x.reshape(1, -1) - m) / width)


def composite_metrics(p: np.ndarray) -> dict:
    """Continuous and all-or-nothing summaries of component probabilities ``p`` (k, n).

    ``partial`` is the mean per-component success probability (a partial-credit, continuous
    metric: the expected fraction of sub-skills passed); ``mean_logp`` is the mean
    per-component log-probability (like token log-likelihood); ``p_all`` is the probability
    that every component succeeds (like exact match).
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-300, 1.0)
    logp = np.log(p)
    return {
        "partial": p.mean(axis=0),
        "mean_logp": logp.mean(axis=0),
        "p_all": np.exp(logp.sum(axis=0)),
    }


def product_width_identical(k: int, width: float = 1.0) -> float:
    """Exact 10%-90% width of sigma(x / w)^k (k identical logistic components)."""
    lo = 0.1 ** (1.0 / k)
    hi = 0.9 ** (1.0 / k)
    return float(width * (logit(hi) - logit(lo)))


def composite_width_lower_bound(width: float = 1.0) -> float:
    """Lower bound on the 10%-90% width of any product of components whose failure hazard
    -ln p_j(x) falls at most e-fold per ``width`` (true for logistic components of scale
    ``width`` and for power-law losses with width = 1 / (alpha ln 10)).

    Proof sketch: with G = -ln P_all = sum_j g_j and |g_j'| <= g_j / w, we get |G'| <= G / w,
    so ln G falls by at most 1 per w; going from P_all = 0.1 (G = ln 10) to 0.9
    (G = ln 10/9) needs ln G to fall by GUMBEL_WIDTH_FACTOR.
    """
    return GUMBEL_WIDTH_FACTOR * width


def powerlaw_components(x: np.ndarray, amplitudes: np.ndarray, alpha: float) -> np.ndarray:
    """Sub-skills whose loss falls as a power law in compute: p_j = exp(-A_j 10^(-alpha x))."""
    x = np.asarray(x, dtype=float)
    a = np.asarray(amplitudes, dtype=float).reshape(-1, 1)
    return np.exp(-a * 10.0 ** (-alpha * x.reshape(1, -1)))


def composition_sweep(
    ks=(1, 2, 3, 5, 10, 20),
    width: float = 0.5,
    midpoint: float = 3.0,
    jitter: float = 0.3,
    n_runs: int = 200,
    seed: int = 0,
    x: np.ndarray | None = None,
) -> dict:
    """Transition widths (decades) of single components and of their AND, for several k.

    For each k and run, the k midpoints are midpoint + N(0, jitter). Returns, per k, the
    median over runs of: the composite's 10-90 width, the width of the continuous
    partial-credit metric (mean per-component success), the midpoint shift of the composite
    relative to ``midpoint``, and the exact width for identical components (jitter 0).
    """
    rng = np.random.default_rng(seed)
    x = default_grid() if x is None else np.asarray(x, dtype=float)
    single = width_10_90(x, expit((x - midpoint) / width))
    rows = []
    for k in ks:
        w_all, w_cont, shift = [], [], []
        for _ in range(n_runs):
            m = midpoint + jitter * rng.standard_normal(k)
            met = composite_metrics(logistic_components(x, m, width))
            w_all.append(width_10_90(x, met["p_all"]))
            w_cont.append(width_10_90(x, met["partial"]))
            shift.append(crossing(x, met["p_all"], 0.5) - midpoint)
        rows.append(
            {
                "k": int(k),
                "composite_width": float(np.median(w_all)),
                "composite_width_min": float(np.min(w_all)),
                "continuous_width": float(np.median(w_cont)),
                "midpoint_shift": float(np.median(shift)),
                "identical_width": product_width_identical(int(k), width),
            }
        )
    return {
        "x": x,
        "single_width": float(single),
        "bound": composite_width_lower_bound(width),
        "rows": rows,
        "params": {"width": width, "midpoint": midpoint, "jitter": jitter, "n_runs": n_runs, "seed": seed},
    }


def composition_curves(ks=(1, 3, 5, 10), width: float = 0.5, midpoint: float = 3.0, x: np.ndarray | None = None) -> dict:
    """Curves for identical components (no jitter): P_all for each k, plus one component."""
    x = default_grid(0.0, 6.0, 601) if x is None else np.asarray(x, dtype=float)
    out = {"x": x, "component": expit((x - midpoint) / width), "p_all": {}, "width": {}}
    for k in ks:
        met = composite_metrics(logistic_components(x, np.full(k, midpoint), width))
        out["p_all"][int(k)] = met["p_all"]
        out["width"][int(k)] = width_10_90(x, met["p_all"])
    return out


# ---------------------------------------------------------------------------------------------
# Mechanism 2: a decision threshold on a smoothly improving eval-vs-deployment discriminator
# ---------------------------------------------------------------------------------------------


def discriminability(x: np.ndarray, d_midpoint: float = 3.0, d_scale: float = 0.5) -> np.ndarray:
    """Cue discriminability d'(x) = exp((x - d_midpoint) / d_scale).

    d' grows by a constant factor per decade of compute (a power law in compute), so the
    discriminator's AUROC, Phi(d' / sqrt 2), is a smooth S-curve in x.
    """
    return np.exp((np.asarray(x, dtype=float) - d_midpoint) / d_scale)


def threshold_policy(
    x: np.ndarray,
    tau: float,
    prior_eval: float = 0.5,
    hetero_sigma: float = 0.0,
    n_contexts: int = 2000,
    seed: int = 0,
    d_midpoint: float = 3.0,
    d_scale: float = 0.5,
) -> dict:
    """Behaviour of a model that "defects" only when P(evaluation | cue) < tau.

    Cue model: s ~ N(+d/2, 1) in evaluations and N(-d/2, 1) in deployment, so the
    log-likelihood ratio (evaluation vs deployment) is d * s, and a Bayes-optimal model with
    prior ``prior_eval`` defects iff d * s < logit(tau) - logit(prior_eval) =: c.
    Per-context cue strength is d_i = d'(x) * exp(hetero_sigma * z_i), z_i ~ N(0, 1): some
    contexts carry stronger evaluation cues than others. The model is assumed to know d_i.

    Returns the competence curve (AUROC of the cue, averaged over contexts), the defection
    rates in deployment and in evaluation, and their difference (the "compliance gap").
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=float)
    d = discriminability(x, d_midpoint, d_scale)
    if hetero_sigma > 0:
        mult = np.exp(hetero_sigma * rng.standard_normal(n_contexts))
    else:
        mult = np.ones(1)
    di = np.maximum(d.reshape(-1, 1) * mult.reshape(1, -1), 1e-12)  # (n_x, n_contexts)
    c = float(logit(tau) - logit(prior_eval))
    defect_deploy = ndtr(c / di + di / 2.0).mean(axis=1)
    defect_eval = ndtr(c / di - di / 2.0).mean(axis=1)
    auroc = ndtr(di / math.sqrt(2.0)).mean(axis=1)
    return {
        "x": x,
        "d": d,
        "auroc": auroc,
        "defect_deploy": defect_deploy,
        "defect_eval": defect_eval,
        "gap": defect_deploy - defect_eval,
        "c": c,
    }


def threshold_sweep(
    taus=(0.5, 0.1, 0.01, 0.001),
    sigmas=(0.0, 0.5, 1.0),
    prior_eval: float = 0.5,
    n_contexts: int = 2000,
    seed: int = 0,
    d_midpoint: float = 3.0,
    d_scale: float = 0.5,
    x: np.ndarray | None = None,
) -> dict:
    """10-90 widths (decades) of competence (AUROC) and of behaviour, over tau and sigma.

    Both curves are min-max normalised before measuring widths (AUROC runs from 0.5 to 1;
    the deployment defection rate from its floor to its ceiling). ``ceiling`` is the largest
    deployment defection rate reached on the grid.
    """
    x = default_grid(-2.0, 8.0, 1001) if x is None else np.asarray(x, dtype=float)
    rows = []
    for sigma in sigmas:
        for tau in taus:
            r = threshold_policy(x, tau, prior_eval, sigma, n_contexts, seed, d_midpoint, d_scale)
            dd = r["defect_deploy"]
            norm_dd = (dd - dd.min()) / (dd.max() - dd.min())
            rows.append(
                {
                    "tau": float(tau),
                    "sigma": float(sigma),
                    "auroc_width": width_10_90(x, r["auroc"], normalise=True),
                    "behaviour_width": width_10_90(x, dd, normalise=True),
                    "behaviour_mid": crossing(x, norm_dd, 0.5),
                    "ceiling": float(dd.max()),
                    "max_defect_eval": float(r["defect_eval"].max()),
                }
            )
    return {
        "x": x,
        "rows": rows,
        "params": {
            "prior_eval": prior_eval,
            "n_contexts": n_contexts,
            "seed": seed,
            "d_midpoint": d_midpoint,
            "d_scale": d_scale,
        },
    }


# ---------------------------------------------------------------------------------------------
# Mechanism 3 and the diagnostics that separate it from mechanism 1
# ---------------------------------------------------------------------------------------------


def _observe(p: np.ndarray, n_items: int, rng: np.random.Generator) -> np.ndarray:
    """Binomial estimate of success probabilities from n_items evaluation questions."""
    return rng.binomial(n_items, np.clip(p, 0.0, 1.0)) / n_items


def _predict_midpoint(x_obs: np.ndarray, p_hat: np.ndarray, n_items: int) -> float:
    """Fit logit(p_hat_j) linearly in x for each component, then solve prod_j p_j = 0.5.

    Returns NaN when some fitted component does not improve (slope <= 0, e.g. because every
    observation was at the floor) or the product never reaches 0.5 within 30 decades.
    """
    eps = 0.5 / n_items
    y = logit(np.clip(p_hat, eps, 1.0 - eps))  # (k, n_obs)
    grid = np.linspace(x_obs[0], x_obs[0] + 30.0, 6001)
    logp = np.zeros_like(grid)
    for row in y:
        slope, intercept = np.polyfit(x_obs, row, 1)
        if slope <= 1e-6:
            return float("nan")
        logp += np.log(expit(intercept + slope * grid))
    return crossing(grid, np.exp(logp), 0.5)


def distinguish(
    k: int = 5,
    comp_width: float = 0.5,
    comp_midpoint: float = 3.0,
    comp_jitter: float = 0.3,
    abrupt_width: float = 0.02,
    n_runs: int = 20,
    n_items: int = 200,
    grid_step: float = 0.25,
    onset_level: float = 0.05,
    seed: int = 0,
) -> dict:
    """Compare "smooth components, AND-composed" (A) with "abrupt per-run change" (B).

    A: each run has k logistic sub-skills of scale ``comp_width`` and midpoints
       comp_midpoint + N(0, comp_jitter); the capability is their AND.
    B: each run's k sub-skills all share one latent switch sigma((x - x_r) / abrupt_width),
       so the capability is that latent raised to the k-th power. The switch points x_r are
       drawn (then standardised to exact sample moments) so that B's run-averaged capability
       has the same midpoint and 10-90 width as A's run-averaged capability.

    Both are "measured" at checkpoints spaced ``grid_step`` decades apart on [0, 6], with
    ``n_items`` binary questions per sub-skill per checkpoint (binomial noise).

    Diagnostics per model:
      * ``avg_width``: width of the run-averaged capability (fine grid; matched by design);
      * ``per_run_partial_width``: median over runs of the 10-90 width of the *measured*
        partial-credit metric (mean sub-skill pass rate) on the checkpoint grid;
      * ``mid_transition_fraction``: fraction of runs whose capability lies in [0.2, 0.8]
        at the averaged curve's midpoint;
      * ``onset_prediction``: fit each sub-skill on the initial checkpoints where the measured
        capability is still below ``onset_level`` and predict where the capability crosses
        0.5; the fraction of runs with a finite prediction and the median absolute error.
    """
    rng = np.random.default_rng(seed)
    xf = default_grid(-2.0, 10.0, 2401)
    xg = np.arange(0.0, 6.0 + 1e-9, grid_step)

    # --- model A ---
    mids_a = comp_midpoint + comp_jitter * rng.standard_normal((n_runs, k))
    cap_a = np.array([composite_metrics(logistic_components(xf, mids_a[r], comp_width))["p_all"] for r in range(n_runs)])
    mean_a = cap_a.mean(axis=0)
    mid_a = crossing(xf, mean_a, 0.5)
    width_a = width_10_90(xf, mean_a)

    # --- model B: match run-averaged midpoint and width ---
    # With a near-step latent, the run average is ~Phi((x - mu) / s): 10-90 width = 2 z_0.9 s.
    s_b = width_a / (2.0 * norm.ppf(0.9))
    z_b = rng.standard_normal(n_runs)
    z_b = (z_b - z_b.mean()) / z_b.std()
    offset = abrupt_width * float(logit(0.5 ** (1.0 / k)))  # latent**k = 0.5 at x_r + offset
    xr_b = mid_a - offset + s_b * z_b
    cap_b = expit((xf.reshape(1, -1) - xr_b.reshape(-1, 1)) / abrupt_width) ** k
    mean_b = cap_b.mean(axis=0)

    comps = {
        "A": lambda r, xx: logistic_components(xx, mids_a[r], comp_width),
        "B": lambda r, xx: np.repeat(expit((xx - xr_b[r]) / abrupt_width).reshape(1, -1), k, axis=0),
    }
    caps = {"A": cap_a, "B": cap_b}
    means = {"A": mean_a, "B": mean_b}
    out = {"x": xf, "x_grid": xg, "cap_a": cap_a, "cap_b": cap_b, "mean_a": mean_a, "mean_b": mean_b}
    i_mid = int(np.argmin(np.abs(xf - mid_a)))
    for m in "AB":
        partial_w, partial_curves, preds, errs = [], [], [], []
        for r in range(n_runs):
            p_hat = _observe(comps[m](r, xg), n_items, rng)  # (k, n_grid)
            partial_curves.append(p_hat.mean(axis=0))
            partial_w.append(width_10_90(xg, p_hat.mean(axis=0), normalise=True))
            cap_hat = np.prod(p_hat, axis=0)
            stop = 0
            while stop < len(xg) and cap_hat[stop] < onset_level:
                stop += 1
            pred = _predict_midpoint(xg[:stop], p_hat[:, :stop], n_items) if stop >= 3 else float("nan")
            preds.append(pred)
            if np.isfinite(pred):
                errs.append(abs(pred - crossing(xf, caps[m][r], 0.5)))
        v = caps[m][:, i_mid]
        out["partial_" + m.lower()] = np.array(partial_curves)
        out[m] = {
            "avg_width": float(width_10_90(xf, means[m])),
            "avg_mid": float(crossing(xf, means[m], 0.5)),
            "per_run_partial_width": float(np.median(partial_w)),
            "per_run_capability_width": float(np.median([width_10_90(xf, c) for c in caps[m]])),
            "mid_transition_fraction": float(np.mean((v >= 0.2) & (v <= 0.8))),
            "onset_prediction": {
                "finite_fraction": float(np.mean(np.isfinite(preds))),
                "median_abs_error": float(np.median(errs)) if errs else float("nan"),
            },
        }
    out["params"] = {
        "k": k,
        "comp_width": comp_width,
        "comp_midpoint": comp_midpoint,
        "comp_jitter": comp_jitter,
        "abrupt_width": abrupt_width,
        "n_runs": n_runs,
        "n_items": n_items,
        "grid_step": grid_step,
        "onset_level": onset_level,
        "seed": seed,
    }
    return out


def distinguish_over_seeds(seeds=range(10), **kwargs) -> dict:
    """Run :func:`distinguish` for several seeds; return the per-seed diagnostic numbers."""
    keys = ["avg_width", "per_run_partial_width", "mid_transition_fraction"]
    out = {m: {key: [] for key in keys + ["finite_fraction", "median_abs_error"]} for m in "AB"}
    for s in seeds:
        r = distinguish(seed=int(s), **kwargs)
        for m in "AB":
            for key in keys:
                out[m][key].append(r[m][key])
            out[m]["finite_fraction"].append(r[m]["onset_prediction"]["finite_fraction"])
            out[m]["median_abs_error"].append(r[m]["onset_prediction"]["median_abs_error"])
    return {m: {key: np.array(v, dtype=float) for key, v in d.items()} for m, d in out.items()}


def confound_sweep(
    settings=(
        ("n_items", (25, 50, 200, 1000)),
        ("grid_step", (0.25, 0.5, 1.0)),
        ("k", (2, 5, 10)),
        ("comp_width", (0.25, 0.5, 1.0)),
        ("onset_level", (0.01, 0.05, 0.2)),
    ),
    seeds=range(10),
) -> list:
    """One-at-a-time sweep of :func:`distinguish` away from its defaults.

    For each (parameter, value) returns the medians over seeds of: the fraction of runs with a
    finite onset forecast, the forecast's median absolute error (decades), the per-run width of
    measured partial credit (decades) and the fraction of runs mid-transition, for A and B.
    """
    rows = []
    for name, values in settings:
        for v in values:
            o = distinguish_over_seeds(seeds, **{name: v})
            row = {"param": name, "value": v}
            for m in "AB":
                with np.errstate(all="ignore"):
                    row[m] = {
                        "finite_fraction": float(np.median(o[m]["finite_fraction"])),
                        "median_abs_error": float(np.nanmedian(o[m]["median_abs_error"]))
                        if np.any(np.isfinite(o[m]["median_abs_error"]))
                        else float("nan"),
                        "per_run_partial_width": float(np.nanmedian(o[m]["per_run_partial_width"]))
                        if np.any(np.isfinite(o[m]["per_run_partial_width"]))
                        else float("nan"),
                        "mid_transition_fraction": float(np.median(o[m]["mid_transition_fraction"])),
                    }
            rows.append(row)
    return rows
