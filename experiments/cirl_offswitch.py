"""The off-switch game with a misspecified human model.

A robot R must choose, for one proposed action whose utility to the human is U,
between three moves (Hadfield-Menell et al., 2017):

* ``act``  -- take the action now and receive U;
* ``off``  -- switch itself off and receive 0;
* ``wait`` -- defer: the human H sees U and lets the action through with
  probability ``pi_H(U)``, otherwise presses the switch (payoff 0).

R's belief about U is Gaussian, U ~ N(mu, sigma^2).  The value of waiting is
``E[pi_H(U) U]`` and the *incentive to defer* is

    Delta = E[pi_H(U) U] - max(E[U], 0).

R evaluates ``pi_H`` with its *model* of the human; the payoff it actually gets
depends on the *true* human.  Human policies used here are

    pi_H(U) = sigmoid(beta * (U + b)),

with rationality ``beta`` (``np.inf`` = perfectly rational threshold policy) and
additive bias ``b`` (b > 0: the human lets through actions that are slightly bad,
"rubber-stamping"; b < 0: the human vetoes actions that are slightly good).

Everything here is pure numpy/scipy, seeded, and returns dicts of arrays.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from scipy.stats import norm

# Fixed quadrature grid for expectations over a standard normal.
_Z = np.linspace(-8.0, 8.0, 801)
_WZ = norm.pdf(_Z)
_WZ = _WZ / _WZ.sum()


# --------------------------------------------------------------------------
# Human policies and one-shot values
# --------------------------------------------------------------------------


def human_allow_prob(u, beta, b=0.0):
    """Probability that the human lets an action of utility ``u`` through."""
    u = np.asarray(u, dtype=float)
    if np.isinf(beta):
        return (u + b > 0).astype(float)
    return expit(beta * (u + b))


def wait_value(mu, sigma, beta, b=0.0):
    """E[pi_H(U) U] for U ~ N(mu, sigma^2); exact when beta is infinite."""
    mu = np.asarray(mu, dtype=float)
    if sigma <= 0:
        return human_allow_prob(mu, beta, b) * mu
    if np.isinf(beta):
        z = (mu + b) / sigma
        return mu * norm.cdf(z) + sigma * norm.pdf(z)
    u = mu[..., None] + sigma * _Z
    return (human_allow_prob(u, beta, b) * u * _WZ).sum(axis=-1)


def deference_incentive(mu, sigma, beta, b=0.0):
    """Delta = value(wait) - max(value(act), value(off)) under the given human model."""
    mu = np.asarray(mu, dtype=float)
    return wait_value(mu, sigma, beta, b) - np.maximum(mu, 0.0)


def rational_incentive_closed_form(mu, sigma):
    """Delta for a perfectly rational, unbiased human: sigma*phi(mu/sigma) - |mu|*Phi(-|mu|/sigma)."""
    mu = np.asarray(mu, dtype=float)
    return sigma * norm.pdf(mu / sigma) - np.abs(mu) * norm.cdf(-np.abs(mu) / sigma)


def incentive_with_bias_uncertainty(mu, sigma, s_b):
    """Delta when the human is rational but has an unknown bias b ~ N(0, s_b^2).

    The human allows iff U + b > 0.  With W = U + b ~ N(mu, sigma^2 + s_b^2),
    E[U 1(W > 0)] = mu * Phi(mu / s_W) + (sigma^2 / s_W) * phi(mu / s_W).
    As s_b -> infinity this tends to mu/2, so Delta -> -|mu|/2 < 0.
    """
    mu = np.asarray(mu, dtype=float)
    s_w = np.sqrt(sigma**2 + s_b**2)
    wv = mu * norm.cdf(mu / s_w) + (sigma**2 / s_w) * norm.pdf(mu / s_w)
    return wv - np.maximum(mu, 0.0)


def move_values(mu, sigma, beta, b=0.0):
    """Values of (act, off, wait), stacked on the last axis."""
    mu = np.asarray(mu, dtype=float)
    return np.stack([mu, np.zeros_like(mu), wait_value(mu, sigma, beta, b)], axis=-1)


MOVES = ("act", "off", "wait")
_TIE = 1e-9 * np.array([0.0, 1.0, 2.0])


def choose_move(values):
    """Index of the best move; exact ties (within 1e-9) go to wait, then off, then act.

    Ties are not hypothetical: after a single "allow" observation from a
    symmetric prior, acting and waiting have identical expected value.
    """
    return np.argmax(np.asarray(values) + _TIE, axis=-1)


# --------------------------------------------------------------------------
# Experiment 1: regret of a robot that plans with the wrong human model
# --------------------------------------------------------------------------


def regret_grid(
    beta_true=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, np.inf),
    b_true=(-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0),
    beta_model=8.0,
    b_model=0.0,
    sigma=1.0,
    mus=None,
):
    """Mean regret and deference rate over a grid of true human models.

    For each prior mean mu (default 201 values in [-1, 1]) the robot picks the
    move that is best under its model (beta_model, b_model); its payoff is scored
    under the true human (beta_true, b_true).  Regret is measured against the
    best move under the true human, with the same (calibrated) belief
    U ~ N(mu, sigma^2).  Deterministic: no randomness is involved.
    """
    mus = np.linspace(-1.0, 1.0, 201) if mus is None else np.asarray(mus, dtype=float)
    beta_true = np.asarray(beta_true, dtype=float)
    b_true = np.asarray(b_true, dtype=float)
    chosen = choose_move(move_values(mus, sigma, beta_model, b_model))
    regret = np.zeros((beta_true.size, b_true.size))
    defer_rate = np.zeros_like(regret)
    oracle_defer_rate = np.zeros_like(regret)
    for i, bt in enumerate(beta_true):
        for j, bb in enumerate(b_true):
            v_true = move_values(mus, sigma, bt, bb)
            best = v_true.max(axis=-1)
            got = np.take_along_axis(v_true, chosen[:, None], axis=-1)[:, 0]
            regret[i, j] = float(np.mean(best - got))
            defer_rate[i, j] = float(np.mean(chosen == 2))
            oracle_defer_rate[i, j] = float(np.mean(choose_move(v_true) == 2))
    return {
        "beta_true": beta_true,
        "b_true": b_true,
        "regret": regret,
        "robot_defer_rate": defer_rate,
        "oracle_defer_rate": oracle_defer_rate,
        "mus": mus,
        "chosen": chosen,
        "params": {
            "beta_model": beta_model,
            "b_model": b_model,
            "sigma": sigma,
            "n_mu": int(mus.size),
            "mu_range": [float(mus.min()), float(mus.max())],
        },
    }


def incentive_curves(mu=0.3, sigmas=None, betas=(1.0, 4.0, 16.0, np.inf), s_bs=None, sigma_for_sb=(0.5, 1.0, 2.0)):
    """Delta versus the robot's posterior width, and versus its uncertainty about the human's bias."""
    sigmas = np.geomspace(0.01, 3.0, 120) if sigmas is None else np.asarray(sigmas, dtype=float)
    s_bs = np.linspace(0.0, 4.0, 81) if s_bs is None else np.asarray(s_bs, dtype=float)
    by_beta = {}
    for beta in betas:
        by_beta[beta] = np.array([float(deference_incentive(mu, s, beta)) for s in sigmas])
    by_sb = {s: incentive_with_bias_uncertainty(mu, s, s_bs) for s in sigma_for_sb}
    return {
        "mu": mu,
        "sigmas": sigmas,
        "betas": tuple(betas),
        "incentive_vs_sigma": by_beta,
        "s_bs": s_bs,
        "sigma_for_sb": tuple(sigma_for_sb),
        "incentive_vs_sb": by_sb,
    }


# --------------------------------------------------------------------------
# Experiment 2: posterior convergence under a misspecified human model
# --------------------------------------------------------------------------


def sequential_learning(
    u_true=-0.5,
    beta_true=2.0,
    b_true=1.0,
    beta_model=2.0,
    b_model=0.0,
    prior_mu=0.0,
    prior_sigma=1.0,
    n_max=400,
    n_runs=200,
    seed=0,
):
    """R watches H accept or veto the same kind of action n times, then decides.

    The action has fixed utility ``u_true``.  Each round H allows it with the
    true probability sigmoid(beta_true (u_true + b_true)).  R updates a grid
    posterior over U using its *model* likelihood sigmoid(beta_model (U + b_model))
    and, after n observations, chooses act/off/wait by expected value under its
    model (waiting is evaluated by averaging the model's allow probability over
    the posterior).  The chosen move is scored under the true human.
    Returns per-n averages over ``n_runs`` seeded runs.
    """
    rng = np.random.default_rng(seed)
    grid = np.linspace(-4.0, 4.0, 801)
    log_prior = norm.logpdf(grid, prior_mu, prior_sigma)
    p_model = human_allow_prob(grid, beta_model, b_model)
    lp1 = np.log(np.clip(p_model, 1e-300, 1.0))
    lp0 = np.log(np.clip(1.0 - p_model, 1e-300, 1.0))
    p_true = float(human_allow_prob(u_true, beta_true, b_true))
    true_values = np.array([u_true, 0.0, p_true * u_true])  # act, off, wait
    best_true = true_values.max()

    allows = rng.random((n_runs, n_max)) < p_true
    k = np.concatenate([np.zeros((n_runs, 1), dtype=int), np.cumsum(allows, axis=1)], axis=1)  # n = 0..n_max
    # The posterior depends on the data only through (n, k): tabulate every (n, k) once.
    tab_mean = np.zeros((n_max + 1, n_max + 1))
    tab_sd = np.zeros_like(tab_mean)
    tab_wait = np.zeros_like(tab_mean)
    k_lo = k.min(axis=0)
    k_hi = k.max(axis=0)
    for n in range(n_max + 1):
        ks = np.arange(k_lo[n], k_hi[n] + 1)
        logpost = log_prior[None, :] + ks[:, None] * lp1[None, :] + (n - ks)[:, None] * lp0[None, :]
        logpost -= logpost.max(axis=1, keepdims=True)
        w = np.exp(logpost)
        w /= w.sum(axis=1, keepdims=True)
        m = w @ grid
        tab_mean[n, ks] = m
        tab_sd[n, ks] = np.sqrt(np.maximum(w @ grid**2 - m**2, 0.0))
        tab_wait[n, ks] = w @ (p_model * grid)
    ns = np.arange(n_max + 1)
    post_mean = tab_mean[ns[None, :], k]
    post_sd = tab_sd[ns[None, :], k]
    v_wait = tab_wait[ns[None, :], k]
    vals = np.stack([post_mean, np.zeros_like(post_mean), v_wait], axis=-1)
    move = choose_move(vals)
    incentive = v_wait - np.maximum(post_mean, 0.0)
    payoff = true_values[move]
    return {
        "n": ns,
        "post_mean": post_mean.mean(axis=0),
        "post_mean_q": np.quantile(post_mean, [0.1, 0.9], axis=0),
        "post_sd": post_sd.mean(axis=0),
        "incentive": incentive.mean(axis=0),
        "p_wait": (move == 2).mean(axis=0),
        "p_act": (move == 0).mean(axis=0),
        "p_off": (move == 1).mean(axis=0),
        "true_payoff": payoff.mean(axis=0),
        "regret": best_true - payoff.mean(axis=0),
        "best_true_value": best_true,
        "true_values": dict(zip(MOVES, true_values.tolist())),
        "predicted_limit": (beta_true / beta_model) * (u_true + b_true) - b_model,
        "params": {
            "u_true": u_true,
            "beta_true": beta_true,
            "b_true": b_true,
            "beta_model": beta_model,
            "b_model": b_model,
            "prior_mu": prior_mu,
            "prior_sigma": prior_sigma,
            "n_max": n_max,
            "n_runs": n_runs,
            "seed": seed,
        },
    }


def marginal_allow_prob(prior_mu, prior_sigma, beta, b):
    """P(H allows) when U ~ N(prior_mu, prior_sigma^2).

    Depends on prior_mu and b only through prior_mu + b: from allow/veto
    frequencies alone, "good actions, unbiased human" and "worse actions,
    rubber-stamping human" are indistinguishable.
    """
    u = float(prior_mu) + prior_sigma * _Z
    return float((human_allow_prob(u, beta, b) * _WZ).sum())


# --------------------------------------------------------------------------
# Experiment 3: a learned human model under distribution shift
# --------------------------------------------------------------------------


def _fit_logistic(X, y, n_iter=50, ridge=1e-6):
    """Maximum-likelihood logistic regression by Newton's method (tiny ridge for stability)."""
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        p = expit(X @ w)
        g = X.T @ (y - p) - ridge * w
        H = (X * (p * (1 - p))[:, None]).T @ X + ridge * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        w = w + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w


def _design(u, c, specified):
    u = np.asarray(u, dtype=float)
    c = np.asarray(c, dtype=float)
    if specified:
        return np.stack([u, np.ones_like(u), c], axis=1)
    return np.stack([u, np.ones_like(u)], axis=1)


def learned_human_model(
    ns=(30, 100, 300, 1000, 3000),
    beta_true=4.0,
    bias_by_context=(0.0, 1.5),
    p_context1_train=0.05,
    p_context1_deploy=0.5,
    sigma_deploy=1.0,
    n_runs=20,
    seed=0,
):
    """Fit a human model from labelled human decisions, then deploy it off-distribution.

    Training data: contexts c ~ Bernoulli(p_context1_train); utilities U ~ N(0, 1)
    are revealed to the learner together with H's allow/veto decision, which
    follows sigmoid(beta_true (U + b_c)).  Two model classes are fitted by
    maximum likelihood: *misspecified* (one global slope and bias) and
    *specified* (a bias per context).  Deployment: c ~ Bernoulli(p_context1_deploy),
    robot belief U ~ N(mu, sigma_deploy^2) with mu on a grid in [-1, 1]; the robot
    picks act/off/wait under its fitted model; regret is scored under the true
    human.  Also reports held-out log-loss on the *training* distribution, to show
    how small the in-distribution difference between the two fits is.
    """
    rng = np.random.default_rng(seed)
    mus = np.linspace(-1.0, 1.0, 101)
    bias = np.asarray(bias_by_context, dtype=float)

    # True values at deployment, per context.
    v_true = [move_values(mus, sigma_deploy, beta_true, bias[c]) for c in (0, 1)]
    best_true = [v.max(axis=-1) for v in v_true]

    def deploy_regret(w, specified):
        out = 0.0
        for c, pc in ((0, 1 - p_context1_deploy), (1, p_context1_deploy)):
            slope = w[0]
            intercept = w[1] + (w[2] * c if specified else 0.0)
            beta_hat = max(slope, 1e-6)
            b_hat = intercept / beta_hat
            chosen = choose_move(move_values(mus, sigma_deploy, beta_hat, b_hat))
            got = np.take_along_axis(v_true[c], chosen[:, None], axis=-1)[:, 0]
            out += pc * float(np.mean(best_true[c] - got))
        return out

    n_test = 10000
    c_test = (rng.random(n_test) < p_context1_train).astype(int)
    u_test = rng.standard_normal(n_test)
    y_test = (rng.random(n_test) < human_allow_prob(u_test, beta_true, bias[c_test])).astype(float)

    def logloss(w, specified):
        p = np.clip(expit(_design(u_test, c_test, specified) @ w), 1e-12, 1 - 1e-12)
        return float(-np.mean(y_test * np.log(p) + (1 - y_test) * np.log(1 - p)))

    ns = np.asarray(ns, dtype=int)
    res = {k: np.zeros((ns.size, n_runs)) for k in ("regret_mis", "regret_spec", "loss_mis", "loss_spec", "bhat_mis", "betahat_mis")}
    for i, n in enumerate(ns):
        for r in range(n_runs):
            c = (rng.random(n) < p_context1_train).astype(int)
            u = rng.standard_normal(n)
            y = (rng.random(n) < human_allow_prob(u, beta_true, bias[c])).astype(float)
            w_mis = _fit_logistic(_design(u, c, False), y)
            w_spec = _fit_logistic(_design(u, c, True), y)
            res["regret_mis"][i, r] = deploy_regret(w_mis, False)
            res["regret_spec"][i, r] = deploy_regret(w_spec, True)
            res["loss_mis"][i, r] = logloss(w_mis, False)
            res["loss_spec"][i, r] = logloss(w_spec, True)
            res["betahat_mis"][i, r] = w_mis[0]
            res["bhat_mis"][i, r] = w_mis[1] / max(w_mis[0], 1e-6)
    summary = {k: v.mean(axis=1) for k, v in res.items()}
    summary.update({k + "_se": v.std(axis=1, ddof=1) / np.sqrt(n_runs) for k, v in res.items()})
    # Regret of a robot that assumes an unbiased, near-rational human and learns nothing.
    summary["regret_fixed_rational"] = deploy_regret(np.array([8.0, 0.0]), False)
    summary["ns"] = ns
    summary["params"] = {
        "beta_true": beta_true,
        "bias_by_context": list(bias_by_context),
        "p_context1_train": p_context1_train,
        "p_context1_deploy": p_context1_deploy,
        "sigma_deploy": sigma_deploy,
        "n_runs": n_runs,
        "seed": seed,
        "n_test": n_test,
    }
    return summary


def sequential_sweep(
    u_trues=(-1.0, -0.5, -0.2, 0.2, 0.5),
    bias_pairs=((1.0, 0.0), (0.0, 1.0), (0.5, 0.0), (1.0, 1.0)),
    n_max=400,
    n_runs=100,
    seed=1,
):
    """Robustness sweep for :func:`sequential_learning` over true utility and (b_true, b_model).

    Returns one row per setting with the predicted limit (the equation labelled eq-limit in the post), the
    final posterior mean, the final move shares and the final true payoff.
    """
    rows = []
    for u in u_trues:
        for bt, bm in bias_pairs:
            q = sequential_learning(u_true=u, b_true=bt, b_model=bm, n_max=n_max, n_runs=n_runs, seed=seed)
            rows.append(
                {
                    "u_true": u,
                    "b_true": bt,
                    "b_model": bm,
                    "predicted_limit": float(q["predicted_limit"]),
                    "final_post_mean": float(q["post_mean"][-1]),
                    "final_p_act": float(q["p_act"][-1]),
                    "final_p_off": float(q["p_off"][-1]),
                    "final_p_wait": float(q["p_wait"][-1]),
                    "final_payoff": float(q["true_payoff"][-1]),
                    "best_payoff": float(q["best_true_value"]),
                    "initial_payoff": float(q["true_payoff"][0]),
                }
            )
    return rows


def train_share_sweep(shares=(0.0, 0.01, 0.05, 0.2), ns=(300, 3000), n_runs=20, seed=0):
    """:func:`learned_human_model` at several training shares of the rubber-stamping context."""
    out = {}
    for p in shares:
        r = learned_human_model(ns=ns, p_context1_train=p, n_runs=n_runs, seed=seed)
        out[p] = {"ns": r["ns"], "regret_mis": r["regret_mis"], "regret_spec": r["regret_spec"], "loss_gap": r["loss_mis"] - r["loss_spec"]}
    return out
