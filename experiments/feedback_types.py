"""Reward recovery per unit of rater time across four kinds of human feedback.

A true reward is linear in d trajectory features, r(x) = theta . x, with
||theta|| = 1 and x ~ N(0, I_d), so r(x) ~ N(0, 1) over random items.
Feature 0 is a "hidden side effect" with fixed weight ``theta0`` (< 0 by
default); the remaining weights are a random direction scaled so that
||theta|| = 1.

A simulated rater perceives utility u = theta_p . x + eps with
eps ~ Gumbel(0, 1/beta), where theta_p is what the rater *can* and *does*
weigh (equal to theta unless a condition says otherwise), and answers one of
four query types, each with a time cost in seconds:

* ``rating``      -- a 1..7 Likert score of one item (OLS fit with intercept);
* ``comparison``  -- which of two items is better (Bradley-Terry / logistic fit);
* ``correction``  -- shown one item and ``n_corr`` local edits of it
                     (x + 0.5 z), keep it or pick an edit (conditional logit);
* ``demonstration`` -- choose the best of ``k_demo`` fresh options
                     (Boltzmann choice, conditional logit).

The fitted models are the standard, well-specified-looking ones (linear
Gaussian for ratings, Boltzmann-rational for the choice types), so every
condition below is a *misspecification* of the learner's rater model:

* ``benign``        -- i.i.d. Gumbel noise only;
* ``drift_anchor``  -- per-rater scale s_r ~ logU(0.5, 2) and offset
                       a_r ~ N(0, 0.5), random-walk offset drift (sd 0.05 per
                       item) and anchoring (rating pulled 40% toward the
                       rater's previous rating); the scale also rescales beta
                       for the choice types;
* ``partial_obs``   -- raters cannot see feature 0 (theta_p[0] = 0);
* ``assisted``      -- as partial_obs, but an AI assistant reveals feature 0
                       on a fraction ``p_reveal`` of queries at +5 s each;
* ``salient_bias``  -- raters overweight feature 1 by +``bias`` (theta_p =
                       theta + bias e_1), e.g. confidence or length.

Metrics: reward-recovery error 1 - cos(theta_hat, theta), and normalised
decision regret on held-out decision problems of ``k_eval`` options:
E[max r - r(argmax theta_hat . x)] / E[max r - mean r].

Pure numpy, seeded with numpy.random.default_rng(seed); returns dicts/arrays.
"""

from __future__ import annotations

import numpy as np

TYPES = ("rating", "comparison", "correction", "demonstration")
CONDITIONS = ("benign", "drift_anchor", "partial_obs", "assisted", "salient_bias")
COST_S = {"rating": 10.0, "comparison": 15.0, "correction": 30.0, "demonstration": 60.0}
ASSIST_COST_S = 5.0

DEFAULTS = dict(
    d=8,
    beta=2.0,
    theta0=-0.5,
    n_raters=5,
    k_demo=10,
    n_corr=4,
    corr_step=0.5,
    p_reveal=0.8,
    bias=0.5,
    k_eval=20,
    n_eval=400,
    ridge=1e-2,
    drift_sd=0.05,
    anchor=0.4,
)


def true_theta(rng, d=8, theta0=-0.5):
    """Unit-norm reward weights with a fixed weight theta0 on hidden feature 0."""
    rest = rng.standard_normal(d - 1)
    rest *= np.sqrt(1.0 - theta0**2) / np.linalg.norm(rest)
    return np.concatenate([[theta0], rest])


def _rater_params(rng, condition, n_raters, drift_sd=0.05, anchor=0.4):
    if condition == "drift_anchor":
        scale = np.exp(rng.uniform(np.log(0.5), np.log(2.0), n_raters))
        offset = rng.normal(0.0, 0.5, n_raters)
        return scale, offset, drift_sd, anchor
    return np.ones(n_raters), np.zeros(n_raters), 0.0, 0.0


def _perceived(theta, condition, n, rng, p):
    """Per-query perceived weight vectors (n, d)."""
    tp = np.tile(theta, (n, 1))
    if condition in ("partial_obs", "assisted"):
        hidden = np.ones(n, bool)
        if condition == "assisted":
            hidden = rng.random(n) >= p["p_reveal"]
        tp[hidden, 0] = 0.0
    elif condition == "salient_bias":
        tp[:, 1] += p["bias"]
    return tp


def _gumbel(rng, shape, beta):
    return rng.gumbel(0.0, 1.0, shape) / beta


def simulate(qtype, condition, n, theta, rng, **kw):
    """Simulate n queries of one type; returns the data the learner sees."""
    p = {**DEFAULTS, **kw}
    d = theta.size
    scale, offset, drift_sd, anchor = _rater_params(rng, condition, p["n_raters"], p["drift_sd"], p["anchor"])
    rater = np.arange(n) % p["n_raters"]
    s = scale[rater]
    tp = _perceived(theta, condition, n, rng, p)
    beta = p["beta"]
    if qtype == "rating":
        x = rng.standard_normal((n, d))
        u = np.einsum("nd,nd->n", tp, x) + _gumbel(rng, n, beta)
        if anchor == 0.0:
            steps = drift_sd * rng.standard_normal(n) if drift_sd else np.zeros(n)
            off = offset[rater].copy()
            for r in range(p["n_raters"]):  # random-walk drift within each rater
                m = rater == r
                off[m] += np.cumsum(steps[m])
            y = np.clip(np.rint(4.0 + 1.5 * (s * u + off)), 1, 7)
            return {"x": x, "y": y}
        y = np.empty(n)
        off = offset.copy()
        prev = np.full(p["n_raters"], 4.0)
        for i in range(n):
            r = rater[i]
            off[r] += drift_sd * rng.standard_normal() if drift_sd else 0.0
            latent = 4.0 + 1.5 * (s[i] * u[i] + off[r])
            latent = (1 - anchor) * latent + anchor * prev[r]
            y[i] = np.clip(np.rint(latent), 1, 7)
            prev[r] = y[i]
        return {"x": x, "y": y}
    if qtype == "comparison":
        k, opts = 2, rng.standard_normal((n, 2, d))
    elif qtype == "demonstration":
        k, opts = p["k_demo"], rng.standard_normal((n, p["k_demo"], d))
    elif qtype == "correction":
        k = p["n_corr"] + 1
        x0 = rng.standard_normal((n, 1, d))
        edits = x0 + p["corr_step"] * rng.standard_normal((n, p["n_corr"], d))
        opts = np.concatenate([x0, edits], axis=1)
    else:
        raise ValueError(qtype)
    u = np.einsum("nd,nkd->nk", tp, opts) * s[:, None] + _gumbel(rng, (n, k), beta)
    return {"opts": opts, "choice": np.argmax(u, axis=1)}


def fit(qtype, data, beta=2.0, ridge=1e-2, iters=25):
    """Fit theta_hat with the learner's standard model for this feedback type."""
    if qtype == "rating":
        x, y = data["x"], data["y"]
        X = np.column_stack([np.ones(len(y)), x])
        A = X.T @ X + ridge * np.eye(X.shape[1])
        return np.linalg.solve(A, X.T @ y)[1:]
    opts, c = data["opts"], data["choice"]
    n, k, d = opts.shape
    w = np.zeros(d)
    chosen = opts[np.arange(n), c]
    for _ in range(iters):  # Newton on the conditional-logit log likelihood
        z = beta * np.einsum("nkd,d->nk", opts, w)
        z -= z.max(axis=1, keepdims=True)
        pr = np.exp(z)
        pr /= pr.sum(axis=1, keepdims=True)
        mean = np.einsum("nk,nkd->nd", pr, opts)
        g = beta * (chosen - mean).sum(0) - ridge * w
        cov = np.einsum("nk,nkd,nke->de", pr, opts, opts) - mean.T @ mean
        H = beta**2 * cov + ridge * np.eye(d)
        step = np.linalg.solve(H, g)
        w = w + step
        if np.abs(step).max() < 1e-8:
            break
    return w


def evaluate(theta_hat, theta, rng, k_eval=20, n_eval=400):
    """Reward-recovery error and normalised decision regret."""
    nh = np.linalg.norm(theta_hat)
    cos = float(theta_hat @ theta / nh) if nh > 0 else 0.0
    x = rng.standard_normal((n_eval, k_eval, theta.size))
    r = x @ theta
    pick = np.argmax(x @ theta_hat, axis=1)
    best = r.max(axis=1)
    regret = (best - r[np.arange(n_eval), pick]).mean() / (best - r.mean(axis=1)).mean()
    return {"err": 1.0 - cos, "regret": float(regret)}


def n_queries(qtype, condition, minutes):
    cost = COST_S[qtype] + (ASSIST_COST_S if condition == "assisted" else 0.0)
    return max(int(minutes * 60 // cost), 1)


def run(
    types=TYPES,
    conditions=CONDITIONS,
    budgets_min=(10, 30, 60, 120),
    seeds=20,
    base_seed=0,
    **kw,
):
    """Grid over type x condition x budget; mean and standard error over seeds.

    Returns dict with arrays err, regret, err_se, regret_se of shape
    (len(types), len(conditions), len(budgets_min)), plus n_queries and labels.
    """
    p = {**DEFAULTS, **kw}
    T, C, B = len(types), len(conditions), len(budgets_min)
    err = np.zeros((T, C, B, seeds))
    reg = np.zeros((T, C, B, seeds))
    nq = np.zeros((T, C, B), int)
    for si in range(seeds):
        rng_theta = np.random.default_rng([base_seed, si])
        theta = true_theta(rng_theta, p["d"], p["theta0"])
        for ti, qt in enumerate(types):
            for ci, cond in enumerate(conditions):
                for bi, m in enumerate(budgets_min):
                    rng = np.random.default_rng([base_seed, si, ti, ci, bi])
                    n = n_queries(qt, cond, m)
                    nq[ti, ci, bi] = n
                    data = simulate(qt, cond, n, theta, rng, **kw)
                    th = fit(qt, data, beta=p["beta"], ridge=p["ridge"])
                    ev = evaluate(th, theta, rng, p["k_eval"], p["n_eval"])
                    err[ti, ci, bi, si] = ev["err"]
                    reg[ti, ci, bi, si] = ev["regret"]
    se = lambda a: a.std(axis=-1, ddof=1) / np.sqrt(seeds)  # noqa: E731
    return {
        "types": list(types),
        "conditions": list(conditions),
        "budgets_min": list(budgets_min),
        "n_queries": nq,
        "err": err.mean(-1),
        "err_se": se(err),
        "regret": reg.mean(-1),
        "regret_se": se(reg),
        "seeds": seeds,
        "params": p,
    }


def drift_sweep(anchors=(0.0, 0.4, 0.8), drifts=(0.0, 0.05, 0.2), minutes=60, seeds=20, base_seed=1):
    """Ratings vs comparisons under drift_anchor, sweeping anchoring and drift strength."""
    out = np.zeros((2, len(anchors), len(drifts)))
    for ai, a in enumerate(anchors):
        for di, dr in enumerate(drifts):
            r = run(
                types=("rating", "comparison"),
                conditions=("drift_anchor",),
                budgets_min=(minutes,),
                seeds=seeds,
                base_seed=base_seed,
                anchor=a,
                drift_sd=dr,
            )
            out[:, ai, di] = r["regret"][:, 0, 0]
    return {"anchors": list(anchors), "drifts": list(drifts), "minutes": minutes, "regret": out}


def hidden_weight_ratio(qtype="rating", n=20000, draws=10, base_seed=5, **kw):
    """Under ``assisted``, the fitted weight on hidden feature 0 relative to its true weight.

    The fit's overall scale is removed by regressing the visible weights on the true ones.
    Returns the per-draw ratios; with reveal probability p they should be close to p.
    """
    p = {**DEFAULTS, **kw}
    out = np.zeros(draws)
    for s in range(draws):
        theta = true_theta(np.random.default_rng([base_seed, s]), p["d"], p["theta0"])
        rng = np.random.default_rng([base_seed, s, 1])
        est = fit(qtype, simulate(qtype, "assisted", n, theta, rng, **kw), beta=p["beta"], ridge=p["ridge"])
        k = est[1:] @ theta[1:] / (theta[1:] @ theta[1:])
        out[s] = est[0] / k / theta[0]
    return out


def anchoring_budgets(budgets_min=(60, 240, 960), anchor=0.8, seeds=10, base_seed=1):
    """Ratings vs comparisons under drift_anchor with strong anchoring and no drift, at growing budgets."""
    out = np.zeros((2, len(budgets_min)))
    for bi, m in enumerate(budgets_min):
        r = run(
            types=("rating", "comparison"),
            conditions=("drift_anchor",),
            budgets_min=(m,),
            seeds=seeds,
            base_seed=base_seed,
            anchor=anchor,
            drift_sd=0.0,
        )
        out[:, bi] = r["regret"][:, 0, 0]
    return {"budgets_min": list(budgets_min), "anchor": anchor, "regret": out}
