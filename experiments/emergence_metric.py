"""How much of "emergence" is the metric? A toy scale ladder with three kinds of competence.

Scale is ``x``: decades of (effective) training compute, log10 C, with an arbitrary origin.
A task answer is ``k`` tokens long. Every model assigns each answer token a probability
``p`` of being correct; tokens are scored independently (the simplest assumption, and the
one behind the "mirage" argument of Schaeffer et al. 2023).

Three scenarios for how ``p`` depends on scale:

``"smooth"``
    ``logit p(x) = a + b x`` for every item. Nothing discontinuous happens anywhere.
``"jump"``
    ``logit p(x) = a + b_weak x + J * sigmoid((x - x_c) / w_j)`` with a tiny width ``w_j``:
    a weak smooth trend plus a genuinely abrupt mechanism (for example a circuit that
    switches on) at ``x_c``. All items share the same switch point.
``"items"``
    As ``"jump"``, but each item ``i`` switches at its own ``x_c,i ~ Normal(x_c, sd_c)``:
    every item is a step function, the average over items is not.

The parameters are chosen so that the three scenarios agree at the top of the ladder
(same ``logit p`` at ``x = 6``) and differ only in how they get there.

Metrics reported per scale:

* per-token accuracy (continuous, linear in p),
* mean log-probability of the correct token (continuous, the "loss" view),
* exact match over ``k`` tokens (``p**k`` in expectation: nonlinear),
* measured versions of accuracy and exact match from ``n_items`` sampled items
  (finite resolution: an exact-match rate below about ``1 / n_items`` reads as 0).

:func:`forecast` fits a straight line to logit(per-token accuracy) on the smallest
ladder points and extrapolates exact match to larger scales; :func:`overdispersion`
computes the between-item variance of per-item accuracy relative to the binomial
expectation, the disaggregated signature that separates "every item improves a bit"
from "some items switched on".

All functions are pure and return numpy arrays or dicts; randomness comes only from
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

#: default parameters of the three scenarios (logit units and decades of compute)
DEFAULTS = {
    "a": -3.0,  # logit p at x = 0
    "b": 1.2,  # smooth slope, logit units per decade
    "b_weak": 0.3,  # slope of the weak trend under the jump
    "jump": 5.4,  # size of the abrupt component, logit units (a + 6 b_weak + jump = a + 6 b)
    "x_c": 4.0,  # switch point, decades
    "w_j": 0.05,  # width of the switch, decades (effectively a step on the ladder)
    "sd_c": 0.6,  # spread of item switch points in the "items" scenario, decades
}

SCENARIOS = ("smooth", "jump", "items")


def ladder(lo: float = 0.0, hi: float = 6.0, n: int = 9) -> np.ndarray:
    """The model ladder: ``n`` evenly spaced scales (decades of compute)."""
    return np.linspace(lo, hi, n)


def item_thresholds(n_items: int, seed: int, x_c: float = DEFAULTS["x_c"], sd_c: float = DEFAULTS["sd_c"]) -> np.ndarray:
    """Per-item switch points for the ``"items"`` scenario."""
    rng = np.random.default_rng(seed)
    return x_c + sd_c * rng.standard_normal(n_items)


def token_logits(x, scenario: str, params: dict | None = None, thresholds=None) -> np.ndarray:
    """logit of per-token correctness, shape ``(len(x), n_items)`` (``n_items = 1`` unless ``"items"``)."""
    p = dict(DEFAULTS, **(params or {}))
    x = np.atleast_1d(np.asarray(x, dtype=float))[:, None]
    if scenario == "smooth":
        return p["a"] + p["b"] * x
    if scenario == "jump":
        return p["a"] + p["b_weak"] * x + p["jump"] * expit((x - p["x_c"]) / p["w_j"])
    if scenario == "items":
        if thresholds is None:
            raise ValueError("scenario 'items' needs per-item thresholds")
        xc = np.asarray(thresholds, dtype=float)[None, :]
        return p["a"] + p["b_weak"] * x + p["jump"] * expit((x - xc) / p["w_j"])
    raise ValueError(f"unknown scenario {scenario!r}; use one of {SCENARIOS}")


def expected_metrics(x, scenario: str, ks=(1, 5, 20), params: dict | None = None, thresholds=None) -> dict:
    """Population (infinite-sample) metrics at scales ``x``.

    Returns per-token accuracy ``acc``, mean log-probability of the correct token ``logprob``
    (natural log, per token) and ``em[k]``, the expected exact-match rate over ``k`` tokens,
    each averaged over items.
    """
    z = token_logits(x, scenario, params, thresholds)
    p = expit(z)
    out = {"x": np.atleast_1d(np.asarray(x, dtype=float)), "acc": p.mean(axis=1), "logprob": (-np.logaddexp(0.0, -z)).mean(axis=1)}
    out["em"] = {k: (p**k).mean(axis=1) for k in ks}
    return out


def measured_metrics(x, scenario: str, k: int, n_items: int, seed: int, params: dict | None = None, thresholds=None) -> dict:
    """Metrics measured on ``n_items`` sampled items of ``k`` tokens at each scale in ``x``.

    Returns ``acc`` (fraction of tokens correct), ``em`` (fraction of items with all ``k``
    correct) and ``item_acc`` (per-item token accuracy, shape ``(len(x), n_items)``).
    """
    rng = np.random.default_rng(seed)
    z = token_logits(x, scenario, params, thresholds)
    p = np.broadcast_to(expit(z), (z.shape[0], n_items))
    correct = rng.random((z.shape[0], n_items, k)) < p[:, :, None]
    item_acc = correct.mean(axis=2)
    return {
        "x": np.atleast_1d(np.asarray(x, dtype=float)),
        "acc": item_acc.mean(axis=1),
        "em": correct.all(axis=2).mean(axis=1),
        "item_acc": item_acc,
    }


def fit_logit_line(x, acc, eps: float = 1e-4) -> tuple[float, float]:
    """Least-squares line ``logit(acc) = c0 + c1 x`` (accuracies clipped to ``[eps, 1 - eps]``)."""
    y = logit(np.clip(np.asarray(acc, dtype=float), eps, 1 - eps))
    c1, c0 = np.polyfit(np.asarray(x, dtype=float), y, 1)
    return float(c0), float(c1)


def forecast(
    scenario: str,
    k: int = 20,
    n_items: int = 200,
    n_fit: int = 5,
    seed: int = 0,
    x=None,
    params: dict | None = None,
) -> dict:
    """Fit logit(measured per-token accuracy) on the ``n_fit`` smallest ladder points, extrapolate.

    The forecast of exact match at scale ``x`` is ``expit(c0 + c1 x) ** k`` (the independence
    model). ``surprise`` is ``log10(observed / predicted)`` of exact match, using the
    population exact-match rate as "observed" (so it is not clipped at zero by sampling) and
    the forecast from the sampled fit; ``surprise_measured`` uses the sampled exact match and
    is NaN where that reads 0.
    """
    x = ladder() if x is None else np.asarray(x, dtype=float)
    thresholds = item_thresholds(n_items, seed + 10_000, **_thr_kwargs(params)) if scenario == "items" else None
    meas = measured_metrics(x, scenario, k, n_items, seed, params, thresholds)
    pop = expected_metrics(x, scenario, (k,), params, thresholds)
    c0, c1 = fit_logit_line(x[:n_fit], meas["acc"][:n_fit])
    p_hat = expit(c0 + c1 * x)
    em_hat = p_hat**k
    with np.errstate(divide="ignore", invalid="ignore"):
        surprise = np.log10(pop["em"][k] / em_hat)
        sm = np.where(meas["em"] > 0, np.log10(meas["em"] / em_hat), np.nan)
    return {
        "x": x,
        "n_fit": n_fit,
        "coef": (c0, c1),
        "acc_measured": meas["acc"],
        "acc_hat": p_hat,
        "em_measured": meas["em"],
        "em_population": pop["em"][k],
        "em_hat": em_hat,
        "surprise": surprise,
        "surprise_measured": sm,
        "item_acc": meas["item_acc"],
    }


def _thr_kwargs(params: dict | None) -> dict:
    p = dict(DEFAULTS, **(params or {}))
    return {"x_c": p["x_c"], "sd_c": p["sd_c"]}


def overdispersion(item_acc, k: int) -> np.ndarray:
    """Between-item variance of per-item accuracy divided by its binomial expectation.

    ``item_acc`` has shape ``(n_scales, n_items)``. If all items share one token
    probability ``p``, per-item accuracy is Binomial(k, p) / k and the ratio is about 1.
    Items that have switched on while others have not make it much larger. NaN where the
    mean accuracy is 0 or 1.
    """
    item_acc = np.asarray(item_acc, dtype=float)
    m = item_acc.mean(axis=1)
    v = item_acc.var(axis=1, ddof=1)
    expected = m * (1 - m) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, v / expected, np.nan)


def largest_step(x, values) -> tuple[float, float]:
    """Largest increase between adjacent ladder points and the midpoint where it happens."""
    x = np.asarray(x, dtype=float)
    d = np.diff(np.asarray(values, dtype=float))
    i = int(np.argmax(d))
    return float(d[i]), float(0.5 * (x[i] + x[i + 1]))


def seed_sweep(scenario: str, seeds, k: int = 20, n_items: int = 200, n_fit: int = 5, params: dict | None = None) -> dict:
    """:func:`forecast` over several seeds; returns stacked ``surprise``, ``overdispersion`` and fits."""
    runs = [forecast(scenario, k, n_items, n_fit, int(s), params=params) for s in seeds]
    return {
        "x": runs[0]["x"],
        "surprise": np.stack([r["surprise"] for r in runs]),
        "overdispersion": np.stack([overdispersion(r["item_acc"], k) for r in runs]),
        "slope": np.array([r["coef"][1] for r in runs]),
        "em_measured": np.stack([r["em_measured"] for r in runs]),
    }
