"""Toy models of the incentives of a system trained both to predict and to act.

Used by the post "predict-and-act-incentives" (request R16).  Three settings:

1. **Performative forecasting.**  A forecaster announces a probability ``q`` for a
   binary event Y.  The announcement changes the world:
   ``P(Y = 1 | q) = g(q) = b + (1 - 2b) * sigmoid(k (q - 1/2))``, a self-fulfilling
   response with three fixed points (two stable, one unstable).  We train the
   forecaster three ways and compare where it ends up:

   * ``retrain``: a pure predictor.  Each round it is deployed, outcomes are
     collected under its own forecast, and it takes a log-loss gradient step on
     that fixed batch (repeated gradient descent; the sampling distribution is
     treated as a constant, i.e. a stop-gradient on the data).
   * ``agent``: a stochastic forecasting policy trained with REINFORCE on the
     reward ``-logloss(q, Y) + alpha * Y``.  Policy gradients do see how the
     forecast changes the outcome, so this is an agent rewarded for accuracy
     (and, if ``alpha > 0``, for the event happening).
   * ``counterfactual``: the same REINFORCE agent, but as in a counterfactual
     oracle it is rewarded only on "erasure" episodes (probability ``eps``) in which
     nobody reads the forecast and Y ~ Bernoulli(p_hidden).

2. **Choosing predictable worlds.**  A two-armed world: ``try`` succeeds with
   probability ``p_try``, ``idle`` with ``p_idle``.  Task reward is success Y.  The
   system also predicts Y (a per-arm forecaster trained by supervised learning).
   The action is trained (a) on task reward only (prediction loss kept off the
   action's gradient path), (b) on task reward minus ``lam`` times the log loss of
   its own prediction (prediction error inside the reward), or (c) by an outer loop
   (truncation selection over a population, as in population-based training) that
   ranks members on task reward minus ``lam`` times prediction loss, while each
   member's inner loop only trains its predictor.

3. **Return conditioning in a stochastic bandit** (after Paster et al., 2022).  A
   uniform behaviour policy logs a dataset over three actions: ``safe`` (return
   1), ``long shot`` (return ``G`` with probability ``p_win``, else 0) and ``dud``
   (return 0).  Return-conditioned supervised learning (RCSL) fits
   ``pi(a | R = r)`` by counting; an expected-return-conditioned variant (the idea
   behind ESPER, reduced to a bandit in which the action is a valid
   stochasticity-independent cluster) conditions on the cluster's mean return.

Everything is numpy, seeded with ``numpy.random.default_rng(seed)``, and returns
plain dicts/arrays.  Nothing here plots.
"""

from __future__ import annotations

import numpy as np

EPS_Q = 1e-9

# ---------------------------------------------------------------------------
# 1. Performative forecasting
# ---------------------------------------------------------------------------

B_DEFAULT = 0.1
K_DEFAULT = 8.0


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def response(q, b: float = B_DEFAULT, k: float = K_DEFAULT):
    """P(Y = 1) when the forecast q has been announced."""
    return b + (1.0 - 2.0 * b) * _sigmoid(k * (np.asarray(q, dtype=float) - 0.5))


def response_slope(q, b: float = B_DEFAULT, k: float = K_DEFAULT):
    s = _sigmoid(k * (np.asarray(q, dtype=float) - 0.5))
    return (1.0 - 2.0 * b) * k * s * (1.0 - s)


def log_loss(q, y):
    q = np.clip(q, EPS_Q, 1.0 - EPS_Q)
    return -(y * np.log(q) + (1.0 - y) * np.log(1.0 - q))


def expected_log_loss(q, p):
    """E[logloss(q, Y)] for Y ~ Bernoulli(p)."""
    q = np.clip(np.asarray(q, dtype=float), EPS_Q, 1.0 - EPS_Q)
    return -(p * np.log(q) + (1.0 - p) * np.log(1.0 - q))


def performative_risk(q, b: float = B_DEFAULT, k: float = K_DEFAULT):
    """Expected log loss of announcing q, in the world that q itself induces."""
    return expected_log_loss(q, response(q, b, k))


def fixed_points(b: float = B_DEFAULT, k: float = K_DEFAULT, n: int = 200_001):
    """Self-fulfilling forecasts q = g(q), with stability |g'(q)| < 1."""
    q = np.linspace(1e-6, 1 - 1e-6, n)
    d = response(q, b, k) - q
    idx = np.nonzero(np.sign(d[:-1]) != np.sign(d[1:]))[0]
    pts = []
    for i in idx:  # linear interpolation of the root
        q0, q1, d0, d1 = q[i], q[i + 1], d[i], d[i + 1]
        r = q0 - d0 * (q1 - q0) / (d1 - d0)
        pts.append({"q": float(r), "slope": float(response_slope(r, b, k)), "stable": bool(abs(response_slope(r, b, k)) < 1.0)})
    return pts


def performative_optimum(alpha: float = 0.0, grid=None, b: float = B_DEFAULT, k: float = K_DEFAULT):
    """Forecast maximising E[-logloss(q, Y) + alpha * Y] when Y ~ g(q).

    With ``grid`` given the maximum is taken over that grid (what a policy over a
    discrete set of forecasts can reach); otherwise over a fine grid on (0, 1).
    """
    q = np.linspace(1e-4, 1 - 1e-4, 99_999) if grid is None else np.asarray(grid, dtype=float)
    obj = -performative_risk(q, b, k) + alpha * response(q, b, k)
    i = int(np.argmax(obj))
    return {"q": float(q[i]), "g": float(response(q[i], b, k)), "risk": float(performative_risk(q[i], b, k)), "objective": float(obj[i])}


def train_retrain(
    q0: float, rounds: int = 300, batch: int = 64, lr: float = 0.5, seed: int = 0, b: float = B_DEFAULT, k: float = K_DEFAULT
):
    """Pure predictor: gradient steps on log loss, data collected under its own forecast.

    Parameterised as q = sigmoid(theta); d logloss / d theta = q - y.  The batch is
    treated as fixed data (no gradient through the sampling distribution).
    """
    rng = np.random.default_rng(seed)
    theta = np.log(q0 / (1 - q0))
    traj = np.empty(rounds + 1)
    traj[0] = q0
    for t in range(rounds):
        q = _sigmoid(theta)
        y = rng.random(batch) < response(q, b, k)
        theta -= lr * float(np.mean(q - y))
        traj[t + 1] = _sigmoid(theta)
    return {"q": traj}


def train_agent(
    q0: float,
    alpha: float = 0.0,
    updates: int = 300,
    batch: int = 256,
    lr: float = 0.3,
    sigma: float = 0.3,
    seed: int = 0,
    counterfactual: bool = False,
    eps: float = 0.1,
    p_hidden: float = 0.3,
    b: float = B_DEFAULT,
    k: float = K_DEFAULT,
):
    """REINFORCE agent that announces forecasts; reward -logloss(q, Y) + alpha * Y.

    Policy: logit(q) ~ Normal(mu, sigma^2), so the announced forecast is
    q = sigmoid(mu + sigma * noise); mu is trained by the score-function gradient
    with a batch-mean baseline.  Because the reward is computed after the world has
    responded to q, the gradient includes the forecast's effect on the outcome.

    ``counterfactual=True`` (Armstrong's counterfactual oracle): each episode is an
    erasure episode with probability ``eps``; then the forecast is never read,
    Y ~ Bernoulli(p_hidden), and the reward is given.  On other episodes the
    forecast is read (Y ~ g(q)) and no reward is given, so they carry no signal;
    the gradient averages over erasure episodes only.
    Returns sigmoid(mu) per update and ``q_final`` = sigmoid(mean of mu over the
    last 50 updates).
    """
    rng = np.random.default_rng(seed)
    mu = float(np.log(q0 / (1 - q0)))
    traj = np.empty(updates + 1)
    traj[0] = q0
    mus = np.empty(updates)
    for t in range(updates):
        e = rng.standard_normal(batch)
        q = _sigmoid(mu + sigma * e)
        if counterfactual:
            erased = rng.random(batch) < eps
            y = np.where(erased, rng.random(batch) < p_hidden, rng.random(batch) < response(q, b, k))
            if erased.any():
                r = -log_loss(q[erased], y[erased]) + alpha * y[erased]
                mu += lr * float(np.mean((r - r.mean()) * e[erased])) / sigma
        else:
            y = rng.random(batch) < response(q, b, k)
            r = -log_loss(q, y) + alpha * y
            mu += lr * float(np.mean((r - r.mean()) * e)) / sigma
        mus[t] = mu
        traj[t + 1] = _sigmoid(mu)
    return {"q": traj, "q_final": float(_sigmoid(mus[-50:].mean()))}


def forecast_regimes(
    q0s=(0.05, 0.3, 0.45, 0.55, 0.7, 0.95), seed: int = 0, rounds: int = 300, updates: int = 300, eps: float = 0.1, p_hidden: float = 0.3
):
    """Run the three training regimes from several initial forecasts."""
    out = {"q0s": list(q0s), "retrain": [], "agent": [], "counterfactual": []}
    for i, q0 in enumerate(q0s):
        out["retrain"].append(train_retrain(q0, rounds=rounds, seed=seed + i)["q"])
        out["agent"].append(train_agent(q0, updates=updates, seed=seed + 100 + i)["q"])
        cf = train_agent(q0, updates=updates, seed=seed + 200 + i, counterfactual=True, eps=eps, p_hidden=p_hidden)
        out["counterfactual"].append(cf["q"])
        out.setdefault("counterfactual_final", []).append(cf["q_final"])
    for key in ("retrain", "agent", "counterfactual"):
        out[key] = np.array(out[key])
    out["fixed_points"] = fixed_points()
    out["optimum"] = performative_optimum()
    out["params"] = {
        "b": B_DEFAULT,
        "k": K_DEFAULT,
        "seed": seed,
        "rounds": rounds,
        "batch_retrain": 64,
        "lr_retrain": 0.5,
        "updates": updates,
        "batch_agent": 256,
        "lr_agent": 0.3,
        "sigma_agent": 0.3,
        "eps": eps,
        "p_hidden": p_hidden,
    }
    return out


def local_optima(alpha: float, b: float = B_DEFAULT, k: float = K_DEFAULT, n: int = 20_001):
    """Interior local maxima of E[-logloss + alpha * Y] over q in (0, 1)."""
    q = np.linspace(1e-4, 1 - 1e-4, n)
    obj = -performative_risk(q, b, k) + alpha * response(q, b, k)
    i = np.nonzero((obj[1:-1] > obj[:-2]) & (obj[1:-1] >= obj[2:]))[0] + 1
    return [{"q": float(q[j]), "g": float(response(q[j], b, k)), "objective": float(obj[j])} for j in i]


def outcome_reward_sweep(alphas=(0.0, 0.5, 1.0, 1.5, 2.0), seeds=(0, 1, 2), q0: float = 0.3, updates: int = 300, rounds: int = 300):
    """Final forecast and calibration gap q - g(q) vs the weight alpha on the outcome reward."""
    alphas = np.asarray(alphas, dtype=float)
    agent_q = np.empty((len(alphas), len(seeds)))
    retrain_q = np.empty((len(alphas), len(seeds)))
    for i, al in enumerate(alphas):
        for j, s in enumerate(seeds):
            agent_q[i, j] = train_agent(q0, alpha=al, updates=updates, seed=1000 + 17 * i + j)["q_final"]
            # The pure predictor never sees alpha: reward on Y does not reach a supervised forecaster.
            retrain_q[i, j] = train_retrain(q0, rounds=rounds, seed=2000 + 17 * i + j)["q"][-1]
    exact = [performative_optimum(alpha=a) for a in alphas]
    return {
        "alphas": alphas,
        "agent_q": agent_q,
        "agent_gap": agent_q - response(agent_q),
        "retrain_q": retrain_q,
        "retrain_gap": retrain_q - response(retrain_q),
        "exact_q": np.array([e["q"] for e in exact]),
        "exact_gap": np.array([e["q"] - e["g"] for e in exact]),
        "local_optima": [local_optima(a) for a in alphas],
        "params": {"q0": q0, "seeds": list(seeds), "updates": updates, "rounds": rounds},
    }


# ---------------------------------------------------------------------------
# 2. Choosing predictable worlds
# ---------------------------------------------------------------------------


def binary_entropy(p):
    return expected_log_loss(p, p)


def predictability_threshold(p_try: float = 0.6, p_idle: float = 0.02):
    """lam above which E[Y - lam * logloss] favours idle, with calibrated forecasts."""
    return float((p_try - p_idle) / (binary_entropy(p_try) - binary_entropy(p_idle)))


def train_joint(
    lams,
    mode: str,
    p_try: float = 0.6,
    p_idle: float = 0.02,
    updates: int = 200,
    batch: int = 128,
    lr: float = 1.0,
    lr_pred: float = 0.1,
    seed: int = 0,
):
    """Independent predict-and-act systems, one per entry of ``lams`` (vectorised).

    mode: 'stopgrad' (action trained on task reward Y only; the prediction loss
    trains only the forecaster) or 'in_reward' (action trained by REINFORCE on
    Y - lam * logloss(forecast, Y)).  The action policy is a logit over
    {idle, try}; the forecaster holds one probability per arm and is trained by
    supervised learning on observed outcomes.  Returns the final P(try) per run.
    """
    rng = np.random.default_rng(seed)
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    nrun = len(lams)
    probs = np.array([p_idle, p_try])
    logit = np.zeros(nrun)  # log-odds of try
    f = np.full((nrun, 2), 0.5)  # forecaster, per arm
    for _ in range(updates):
        pt = _sigmoid(logit)[:, None]
        a = (rng.random((nrun, batch)) < pt).astype(int)
        y = (rng.random((nrun, batch)) < probs[a]).astype(float)
        q = np.take_along_axis(f, a, axis=1)
        for arm in (0, 1):  # supervised step of the forecaster towards the arm's outcomes
            m = a == arm
            nm = m.sum(axis=1)
            mean_y = np.where(nm > 0, (y * m).sum(axis=1) / np.maximum(nm, 1), f[:, arm])
            f[:, arm] += lr_pred * (mean_y - f[:, arm]) * (nm > 0)
        f = np.clip(f, 1e-3, 1 - 1e-3)
        r = y if mode == "stopgrad" else y - lams[:, None] * log_loss(q, y)
        adv = r - r.mean(axis=1, keepdims=True)
        logit += lr * np.mean(adv * (a - pt), axis=1)
    return _sigmoid(logit)


def train_population(
    lams,
    p_try: float = 0.6,
    p_idle: float = 0.02,
    members: int = 32,
    generations: int = 40,
    episodes: int = 200,
    seed: int = 0,
    noise: float = 0.5,
):
    """Outer-loop selection: members differ in a heritable action logit; inner loop trains only predictors.

    One independent population per entry of ``lams``.  Each generation every
    member acts for ``episodes`` episodes with its own policy; its per-arm
    forecaster is the running mean of the outcomes it has seen (supervised).
    Fitness = mean(Y - lam * logloss(forecast, Y)).  The bottom quarter is replaced
    by mutated copies of the top quarter (truncation selection, as in
    population-based training).  Returns the population-mean P(try) per generation,
    shape (generations + 1, len(lams)).
    """
    rng = np.random.default_rng(seed)
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    npop = len(lams)
    probs = np.array([p_idle, p_try])
    logits = rng.normal(0.0, 1.0, (npop, members))
    counts = np.ones((npop, members, 2))
    succ = np.full((npop, members, 2), 0.5)
    hist = np.empty((generations + 1, npop))
    hist[0] = np.mean(_sigmoid(logits), axis=1)
    cut = members // 4
    rows = np.arange(npop)[:, None]
    for g in range(generations):
        pt = _sigmoid(logits)[..., None]
        a = (rng.random((npop, members, episodes)) < pt).astype(int)
        y = (rng.random((npop, members, episodes)) < probs[a]).astype(float)
        fc = np.clip(succ / counts, 1e-3, 1 - 1e-3)
        q = np.take_along_axis(fc, a, axis=2)
        fit = np.mean(y - lams[:, None, None] * log_loss(q, y), axis=2)
        for arm in (0, 1):
            m = a == arm
            counts[..., arm] += m.sum(axis=2)
            succ[..., arm] += (y * m).sum(axis=2)
        order = np.argsort(fit, axis=1)
        losers, winners = order[:, :cut], order[:, -cut:]
        logits[rows, losers] = logits[rows, winners] + noise * rng.standard_normal((npop, cut))
        counts[rows, losers] = counts[rows, winners]
        succ[rows, losers] = succ[rows, winners]
        hist[g + 1] = np.mean(_sigmoid(logits), axis=1)
    return hist


def predictability_sweep(lams=None, seeds=(0, 1, 2), p_try: float = 0.6, p_idle: float = 0.02):
    """Final P(try) vs lam for the three training schemes; arrays of shape (len(lams), len(seeds))."""
    lams = np.linspace(0.0, 2.0, 9) if lams is None else np.asarray(lams, dtype=float)
    res = {}
    big = np.repeat(lams, len(seeds))
    res["stopgrad"] = train_joint(big, "stopgrad", p_try, p_idle, seed=seeds[0]).reshape(len(lams), -1)
    res["in_reward"] = train_joint(big, "in_reward", p_try, p_idle, seed=seeds[0] + 1).reshape(len(lams), -1)
    res["population"] = train_population(big, p_try, p_idle, seed=seeds[0] + 2)[-1].reshape(len(lams), -1)
    res["lams"] = lams
    res["threshold"] = predictability_threshold(p_try, p_idle)
    res["params"] = {
        "p_try": p_try,
        "p_idle": p_idle,
        "runs_per_lam": len(seeds),
        "seed": seeds[0],
        "updates": 200,
        "batch": 128,
        "lr": 1.0,
        "lr_pred": 0.1,
        "members": 32,
        "generations": 40,
        "episodes": 200,
        "noise": 0.5,
    }
    return res


# ---------------------------------------------------------------------------
# 3. Return conditioning in a stochastic bandit
# ---------------------------------------------------------------------------

ACTIONS = ("safe", "long shot", "dud")


def bandit_returns(rng, actions, payoff: float, p_win: float):
    r = np.zeros(len(actions))
    r[actions == 0] = 1.0
    ls = actions == 1
    r[ls] = payoff * (rng.random(int(ls.sum())) < p_win)
    return r


def expected_return(policy, payoff: float, p_win: float):
    return float(policy[0] * 1.0 + policy[1] * payoff * p_win)


def rcsl_bandit(payoff: float = 10.0, p_win: float = 0.05, n: int = 3000, seed: int = 0):
    """Fit return-conditioned and expected-return-conditioned policies on logged data."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, n)
    r = bandit_returns(rng, a, payoff, p_win)
    out = {"targets": {}, "labels": {}}
    for target in np.unique(r):
        m = r == target
        pol = np.bincount(a[m], minlength=3) / m.sum()
        out["targets"][float(target)] = {"policy": pol, "achieved": expected_return(pol, payoff, p_win), "count": int(m.sum())}
    # expected-return labels: mean logged return of the episode's action (the cluster)
    means = np.array([r[a == i].mean() if np.any(a == i) else 0.0 for i in range(3)])
    lab = means[a]
    for label in np.unique(lab):
        m = lab == label
        pol = np.bincount(a[m], minlength=3) / m.sum()
        out["labels"][float(label)] = {"policy": pol, "achieved": expected_return(pol, payoff, p_win)}
    rmax = float(r.max())
    lmax = float(lab.max())
    out.update(
        {
            "max_return": rmax,
            "rcsl_max_achieved": out["targets"][rmax]["achieved"],
            "esper_max_label": lmax,
            "esper_achieved": out["labels"][lmax]["achieved"],
            "optimal": max(1.0, payoff * p_win),
            "cluster_means": means,
            "params": {"payoff": payoff, "p_win": p_win, "n": n, "seed": seed, "behaviour": "uniform over 3 actions"},
        }
    )
    return out


def rcsl_sweep(p_wins=None, payoff: float = 10.0, n: int = 3000, seeds=(0, 1, 2, 3, 4)):
    p_wins = np.geomspace(0.01, 0.5, 15) if p_wins is None else np.asarray(p_wins, dtype=float)
    rc = np.empty((len(p_wins), len(seeds)))
    es = np.empty_like(rc)
    for i, p in enumerate(p_wins):
        for j, s in enumerate(seeds):
            o = rcsl_bandit(payoff, p, n, seed=100 * i + s)
            rc[i, j] = o["rcsl_max_achieved"]
            es[i, j] = o["esper_achieved"]
    return {
        "p_wins": p_wins,
        "rcsl_max": rc,
        "esper": es,
        "optimal": np.maximum(1.0, payoff * p_wins),
        "params": {"payoff": payoff, "n": n, "seeds": list(seeds)},
    }
