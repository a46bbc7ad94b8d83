"""Toy model: capability-alignment correlation before and after situational awareness.

A population of synthetic "models" is trained by a feedback process that only sees
behaviour. Each model ``i`` has

* a final capability ``C_i ~ U(0, 1)``; during training its capability grows
  linearly, ``c_i(t) = C_i * (t + 1) / T`` for steps ``t = 0 .. T-1``;
* a scalar disposition ``v_i`` (1 = the intended goal, 0 = indifferent, < 0 = a
  goal that prefers some other behaviour when unobserved), drawn at initialisation
  from ``N(mu0, sigma0)``;
* a situational-awareness (SA) threshold ``kappa_i = c_star + Logistic(0, sa_width)``:
  the model can tell training/evaluation from deployment once ``c_i(t) > kappa_i``.
  Across the population, P(SA | c) is therefore ``sigmoid((c - c_star) / sa_width)``.

Training step (the only place alignment is shaped). The overseer sees the
alignment-relevant part of behaviour, ``o``, and pushes it toward the target 1:

* an honest model (no SA, or ``v >= 0``) shows ``o = v`` and receives the update
  ``v += eta * c * (1 - v)``. The factor ``c`` is the "understanding" channel:
  a more capable model extracts more about the overseer's intent from the same
  feedback, so before SA capability and alignment become positively correlated;
* a *gaming* model (SA and ``v < 0``) shows ``o = 1`` in training. Its behaviour
  already matches the target, so the update on ``v`` is only the fraction
  ``leak`` of what it would have been: ``v += leak * eta * c * (1 - v)``.
  ``leak = 0`` is perfect goal-guarding; ``leak = 1`` means training changes
  the goal as if the model were honest.

After training we score every model twice:

* true alignment (unmonitored deployment behaviour)
  ``A = v * (1 + alpha * C) + sigma_a * eps``: capability amplifies whatever the
  goal is (``alpha`` > 0);
* measured alignment (a black-box evaluation)
  ``M = o_eval * (1 + alpha * C) + sigma_m * eps'`` where ``o_eval = 1`` for a
  gaming model that recognises the evaluation (probability ``eval_recognition``)
  and ``o_eval = v`` otherwise.

Everything is seeded with ``numpy.random.default_rng(seed)`` and returns plain
dicts of numpy arrays / floats. No plotting here.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

DEFAULTS: dict = {
    "n_models": 5000,
    "n_steps": 50,
    "c_star": 0.5,
    "sa_width": 0.05,
    "alpha": 1.0,
    "eta": 0.1,
    "leak": 0.0,
    "eval_recognition": 1.0,
    "mu0": 0.0,
    "sigma0": 1.0,
    "sigma_m": 0.3,
    "sigma_a": 0.3,
}


def _params(**overrides) -> dict:
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown parameter(s): {sorted(unknown)}")
    p = dict(DEFAULTS)
    p.update(overrides)
    return p


def simulate(seed: int = 0, **overrides) -> dict:
    """Train one synthetic population and score it.

    Returns a dict with per-model arrays ``C`` (final capability), ``v``
    (final disposition), ``v0`` (initial disposition), ``sa`` (bool: SA at the end
    of training), ``gaming`` (bool: SA and v < 0 at the end), ``ever_gamed``,
    ``A`` (true alignment), ``M`` (measured alignment), plus ``params``.
    """
    p = _params(**overrides)
    rng = np.random.default_rng(seed)
    n, T = int(p["n_models"]), int(p["n_steps"])

    C = rng.uniform(0.0, 1.0, n)
    v0 = rng.normal(p["mu0"], p["sigma0"], n)
    if np.isfinite(p["c_star"]):
        kappa = p["c_star"] + rng.logistic(0.0, p["sa_width"], n)
    else:  # control: no model ever becomes situationally aware
        kappa = np.full(n, np.inf)
    v = v0.copy()
    ever_gamed = np.zeros(n, dtype=bool)
    for t in range(T):
        c = C * (t + 1) / T
        sa = c > kappa
        gaming = sa & (v < 0)
        ever_gamed |= gaming
        step = p["eta"] * c * (1.0 - v)
        v = v + np.where(gaming, p["leak"] * step, step)

    sa_final = C > kappa
    gaming_final = sa_final & (v < 0)
    amp = 1.0 + p["alpha"] * C
    A = v * amp + p["sigma_a"] * rng.standard_normal(n)
    recognises = rng.uniform(size=n) < p["eval_recognition"]
    o_eval = np.where(gaming_final & recognises, 1.0, v)
    M = o_eval * amp + p["sigma_m"] * rng.standard_normal(n)
    return {
        "C": C,
        "v0": v0,
        "v": v,
        "sa": sa_final,
        "gaming": gaming_final,
        "ever_gamed": ever_gamed,
        "A": A,
        "M": M,
        "params": p,
    }


def _rho(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(spearmanr(x, y).statistic)


def bin_stats(sim: dict, n_bins: int = 10) -> dict:
    """Per-capability-bin summaries (equal-width bins of C on [0, 1]).

    ``validity`` is Spearman(M, A) within the bin; ``recall`` is the fraction of
    the bin's misaligned models (final ``v < 0``) that the evaluation flags
    (``M < 0``), NaN when the bin holds fewer than 5 misaligned models.
    """
    C, A, M = sim["C"], sim["A"], sim["M"]
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(C, edges) - 1, 0, n_bins - 1)
    out = {
        k: np.full(n_bins, np.nan)
        for k in ("centre", "mean_A", "mean_M", "gap", "validity", "recall", "frac_sa", "frac_gaming", "frac_misaligned")
    }
    out["centre"] = 0.5 * (edges[:-1] + edges[1:])
    for b in range(n_bins):
        m = idx == b
        if m.sum() < 3:
            continue
        out["mean_A"][b] = A[m].mean()
        out["mean_M"][b] = M[m].mean()
        out["gap"][b] = (M[m] - A[m]).mean()
        out["validity"][b] = _rho(M[m], A[m])
        bad = m & (sim["v"] < 0)
        if bad.sum() >= 5:
            out["recall"][b] = (M[bad] < 0).mean()
        out["frac_sa"][b] = sim["sa"][m].mean()
        out["frac_gaming"][b] = sim["gaming"][m].mean()
        out["frac_misaligned"][b] = (sim["v"][m] < 0).mean()
    return out


def regime_stats(sim: dict, split: float | None = None) -> dict:
    """Pooled correlations below and above a capability split (default c_star).

    ``rho_CA``: Spearman(C, true alignment); ``rho_CM``: Spearman(C, measured
    alignment), the Safetywashing-style statistic; ``validity``: Spearman(M, A);
    regimes are ``below`` / ``above`` the split, ``top`` (C >= 0.8) and ``all``;
    ``gap``: mean(M - A), the monitored-minus-unmonitored gap.
    """
    C, A, M = sim["C"], sim["A"], sim["M"]
    if split is None:
        split = sim["params"]["c_star"]
        if not np.isfinite(split):
            split = 0.5
    res = {"split": float(split)}
    regimes = (("below", C < split), ("above", C >= split), ("top", C >= 0.8), ("all", np.ones_like(C, bool)))
    for name, m in regimes:
        res[name] = {
            "n": int(m.sum()),
            "rho_CA": _rho(C[m], A[m]),
            "rho_CM": _rho(C[m], M[m]),
            "validity": _rho(M[m], A[m]),
            "gap": float((M[m] - A[m]).mean()),
            "frac_gaming": float(sim["gaming"][m].mean()),
            "frac_misaligned": float((sim["v"][m] < 0).mean()),
        }
    return res


def sweep(param: str, values, seeds=(0, 1, 2, 3, 4), **overrides) -> dict:
    """Regime statistics for each value of one parameter, over several seeds.

    Returns ``{"param", "values", "seeds", "below"/"above"/"all": {stat: array
    of shape (len(values), len(seeds))}}``. The split is the default c_star
    (0.5) unless overridden, so sweeps over c_star keep a fixed split.
    """
    stats = ("rho_CA", "rho_CM", "validity", "gap", "frac_gaming", "frac_misaligned")
    out = {"param": param, "values": np.asarray(values, dtype=float), "seeds": list(seeds)}
    regs = ("below", "above", "top", "all")
    for reg in regs:
        out[reg] = {s: np.zeros((len(values), len(seeds))) for s in stats}
    split = overrides.pop("split", DEFAULTS["c_star"])
    for i, val in enumerate(values):
        for j, seed in enumerate(seeds):
            kw = dict(overrides)
            kw[param] = val
            r = regime_stats(simulate(seed=seed, **kw), split=split)
            for reg in regs:
                for s in stats:
                    out[reg][s][i, j] = r[reg][s]
    return out


def bin_stats_seeds(seeds=(0, 1, 2, 3, 4), n_bins: int = 10, **overrides) -> dict:
    """``bin_stats`` averaged over seeds: ``{stat: {"mean": array, "sd": array}}``."""
    per = [bin_stats(simulate(seed=s, **overrides), n_bins=n_bins) for s in seeds]
    out = {}
    for k in per[0]:
        arr = np.vstack([d[k] for d in per])
        out[k] = {"mean": np.nanmean(arr, axis=0), "sd": np.nanstd(arr, axis=0)}
    return out
