"""Tabular comparison of off-policy RL and imitation learning (request R14).

Everything here is exact dynamic programming or small vectorised Monte Carlo on
finite-horizon tabular MDPs, seeded with ``numpy.random.default_rng(seed)``.

Objects
-------
An MDP is a dict with ``P`` (S, A, S) transition probabilities, ``R`` (S, A, S)
deterministic transition rewards, ``H`` (horizon) and ``mu`` (S,) start
distribution.  A policy is an array (H, S, A) (time-indexed) or (S, A)
(stationary, broadcast over time).  Datasets are dicts of integer arrays
``s`` (n, H+1), ``a`` (n, H) and float rewards ``r`` (n, H).

Learners (all see only the dataset)
-----------------------------------
* ``bc``: empirical behaviour policy, pooled over time steps.
* ``filtered_bc``: BC on the top-``q`` fraction of trajectories by return.
* ``awr_mc``: advantage-weighted regression with per-sample Monte Carlo
  returns, ``pi(a|s) ∝ sum_i exp(A_i / beta)`` (the estimator AWR/RWR fit).
* ``kl_onestep``: ``pi ∝ pi_hat exp(Q^{pi_hat} / beta)`` with ``Q^{pi_hat}``
  evaluated by dynamic programming in the empirical model (one step of
  KL-regularised policy improvement; AWR with a bootstrapped critic).
* ``kl_soft``: the optimum of KL-regularised RL in the empirical model,
  ``pi ∝ pi_hat exp(Q_soft / beta)`` with the soft Bellman backup
  ``V = beta log sum_a pi_hat exp(Q / beta)``.
* ``q_learning``: optimal DP in the empirical model, where actions never seen
  in the data keep an optimistic initial value (extrapolation error).
* ``q_pessimistic``: the same with a count penalty ``c / sqrt(N(s, a))`` and
  unseen actions excluded (a lower-confidence-bound learner).
* ``rcsl``: return-conditioned supervised learning, ``pi(a | s, g)`` with g the
  return-to-go; at test time it is conditioned on a target and g is
  decremented by observed rewards.  An unseen (s, g) uses the nearest observed g
  at s (ties to the higher g), an unseen s uses BC.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------
# MDP utilities


def evaluate(mdp, pi, pi_ref=None):
    """Exact expected return of a Markov policy; optionally trajectory KL to pi_ref.

    KL(pi || pi_ref) = E_{tau ~ pi} sum_h log pi(a_h|s_h) / pi_ref(a_h|s_h),
    infinite when pi puts mass where pi_ref has none.
    """
    P, R, H, mu = mdp["P"], mdp["R"], mdp["H"], mdp["mu"]
    S, A, _ = P.shape
    pi = _timed(pi, H)
    ref_t = _timed(pi_ref, H) if pi_ref is not None else None
    rsa = (P * R).sum(2)
    P2 = P.reshape(S * A, S)
    d = mu.astype(float).copy()
    ret, kl = 0.0, 0.0
    for h in range(H):
        w = d[:, None] * pi[h]
        ret += float((w * rsa).sum())
        if ref_t is not None and np.isfinite(kl):
            ref = ref_t[h]
            pos = w > 1e-15
            if np.any(pos & (ref <= 0)):
                kl = np.inf
            else:
                kl += float(np.sum(w[pos] * np.log(pi[h][pos] / ref[pos])))
        d = w.reshape(-1) @ P2
    return (ret, kl) if pi_ref is not None else ret


def _timed(pi, H):
    pi = np.asarray(pi, float)
    return np.broadcast_to(pi, (H,) + pi.shape) if pi.ndim == 2 else pi


def optimal(mdp):
    """Optimal time-indexed deterministic policy and its value, by DP on the true MDP."""
    P, R, H = mdp["P"], mdp["R"], mdp["H"]
    S, A, _ = P.shape
    rsa = np.einsum("sat,sat->sa", P, R)
    V = np.zeros(S)
    pi = np.zeros((H, S, A))
    for h in range(H - 1, -1, -1):
        Q = rsa + P @ V
        pi[h, np.arange(S), Q.argmax(1)] = 1.0
        V = Q.max(1)
    return pi, float(mdp["mu"] @ V)


def sample(mdp, pi, n, rng):
    """Sample n trajectories from a (stationary or timed) policy."""
    P, R, H, mu = mdp["P"], mdp["R"], mdp["H"], mdp["mu"]
    pi = _timed(pi, H)
    S, A, _ = P.shape
    s = np.zeros((n, H + 1), int)
    a = np.zeros((n, H), int)
    r = np.zeros((n, H))
    s[:, 0] = rng.choice(S, size=n, p=mu)
    for h in range(H):
        cp = np.cumsum(pi[h][s[:, h]], axis=1)
        a[:, h] = np.minimum((rng.random((n, 1)) > cp).sum(1), A - 1)
        cq = np.cumsum(P[s[:, h], a[:, h]], axis=1)
        s[:, h + 1] = np.minimum((rng.random((n, 1)) > cq).sum(1), S - 1)
        r[:, h] = R[s[:, h], a[:, h], s[:, h + 1]]
    return {"s": s, "a": a, "r": r}


def concat(*datasets):
    return {k: np.concatenate([d[k] for d in datasets]) for k in ("s", "a", "r")}


# --------------------------------------------------------------------------
# Empirical quantities


def counts(data, S, A):
    N = np.zeros((S, A, S))
    H = data["a"].shape[1]
    for h in range(H):
        np.add.at(N, (data["s"][:, h], data["a"][:, h], data["s"][:, h + 1]), 1.0)
    return N


def bc(data, S, A):
    """Empirical behaviour policy (S, A); unvisited states get the uniform policy."""
    n_sa = counts(data, S, A).sum(2)
    n_s = n_sa.sum(1, keepdims=True)
    return np.where(n_s > 0, n_sa / np.maximum(n_s, 1), 1.0 / A)


def empirical_model(data, S, A, R_true):
    """Maximum-likelihood transitions; unseen (s, a) rows are left all-zero."""
    N = counts(data, S, A)
    n_sa = N.sum(2, keepdims=True)
    Phat = N / np.maximum(n_sa, 1)
    return Phat, R_true, n_sa[..., 0]


def returns_to_go(data):
    return np.cumsum(data["r"][:, ::-1], axis=1)[:, ::-1]


def filtered_bc(data, S, A, q):
    """BC on the top-q fraction of trajectories by return (q=1 is plain BC)."""
    G = data["r"].sum(1)
    thr = np.quantile(G, 1.0 - q, method="lower")
    keep = G >= thr
    sub = {k: v[keep] for k, v in data.items()}
    full = bc(data, S, A)
    n_s = counts(sub, S, A).sum((1, 2))
    return np.where(n_s[:, None] > 0, bc(sub, S, A), full)


def awr_mc(data, S, A, beta):
    """pi(a|s) ∝ sum_i exp((G_i - V(s)) / beta) over samples (s_i, a_i) = (s, a).

    G_i is the Monte Carlo return-to-go of the sample; V(s) is its mean at s.
    As beta -> 0 this puts all mass on the action of the single luckiest sample.
    """
    H = data["a"].shape[1]
    g = returns_to_go(data)
    s, a = data["s"][:, :H].ravel(), data["a"].ravel()
    g = g.ravel()
    tot = np.zeros(S)
    cnt = np.zeros(S)
    np.add.at(tot, s, g)
    np.add.at(cnt, s, 1.0)
    V = tot / np.maximum(cnt, 1)
    adv = g - V[s]
    # stabilise per state: subtract the max advantage at that state
    mx = np.full(S, -np.inf)
    np.maximum.at(mx, s, adv)
    w = np.exp((adv - mx[s]) / beta)
    W = np.zeros((S, A))
    np.add.at(W, (s, a), w)
    tot_w = W.sum(1, keepdims=True)
    return np.where(tot_w > 0, W / np.where(tot_w > 0, tot_w, 1), 1.0 / A)


def _log(x):
    with np.errstate(divide="ignore"):
        return np.log(x)


def kl_soft(Phat, R, pib, H, beta):
    """Optimal policy of max E[sum r] - beta KL(pi || pib) in the empirical model."""
    S, A, _ = Phat.shape
    rsa = np.einsum("sat,sat->sa", Phat, R)
    logb = _log(pib)
    V = np.zeros(S)
    pi = np.zeros((H, S, A))
    for h in range(H - 1, -1, -1):
        Q = rsa + Phat @ V
        z = logb + Q / beta
        m = z.max(1, keepdims=True)
        e = np.exp(z - m)
        pi[h] = e / e.sum(1, keepdims=True)
        V = beta * (m[:, 0] + np.log(e.sum(1)))
    return pi


def q_policy_eval(Phat, R, pi, H):
    S, A, _ = Phat.shape
    pi = _timed(pi, H)
    rsa = np.einsum("sat,sat->sa", Phat, R)
    V = np.zeros(S)
    Qs = np.zeros((H, S, A))
    for h in range(H - 1, -1, -1):
        Qs[h] = rsa + Phat @ V
        V = (pi[h] * Qs[h]).sum(1)
    return Qs


def kl_onestep(Phat, R, pib, H, beta):
    """pi_h ∝ pib exp(Q^{pib}_h / beta): one KL-regularised improvement step (AWR with a critic)."""
    Qs = q_policy_eval(Phat, R, pib, H)
    logb = _log(pib)[None]
    z = logb + Qs / beta
    z = z - z.max(2, keepdims=True)
    e = np.exp(z)
    return e / e.sum(2, keepdims=True)


def q_learning(Phat, R, n_sa, H, unseen_value=None, penalty=0.0, exclude_unseen=False):
    """Greedy DP in the empirical model.

    unseen (s, a): Q = unseen_value (default: the largest return-to-go possible,
    an optimistic initialisation) unless exclude_unseen, which forbids them.
    penalty c subtracts c / sqrt(N(s, a)) from every seen pair (pessimism).
    """
    S, A, _ = Phat.shape
    rsa = np.einsum("sat,sat->sa", Phat, R)
    rmax = float(np.max(R))
    seen = n_sa > 0
    V = np.zeros(S)
    pi = np.zeros((H, S, A))
    for h in range(H - 1, -1, -1):
        Q = rsa + Phat @ V - penalty / np.sqrt(np.maximum(n_sa, 1))
        if exclude_unseen:
            Q = np.where(seen, Q, -np.inf)
            allbad = ~seen.any(1)
            Q[allbad] = 0.0
        else:
            uv = rmax * (H - h) if unseen_value is None else unseen_value
            Q = np.where(seen, Q, uv)
        pi[h, np.arange(S), Q.argmax(1)] = 1.0
        V = Q.max(1)
    return pi


# --------------------------------------------------------------------------
# Return-conditioned supervised learning


def rcsl_fit(data, S, A):
    """Counts of actions given (state, return-to-go), plus BC fallback."""
    H = data["a"].shape[1]
    g = np.round(returns_to_go(data), 6)
    table = {}
    for h in range(H):
        for s_, g_, a_ in zip(data["s"][:, h], g[:, h], data["a"][:, h]):
            table.setdefault(int(s_), {}).setdefault(float(g_), np.zeros(A))[a_] += 1.0
    model = {}
    for s_, d in table.items():
        gs = np.array(sorted(d))
        probs = np.array([d[x] / d[x].sum() for x in gs])
        model[s_] = (gs, probs)
    return {"model": model, "bc": bc(data, S, A)}


def _rcsl_action_probs(fit, s, g):
    out = np.array(fit["bc"][s], float)
    for s_ in np.unique(s):
        idx = np.flatnonzero(s == s_)
        if int(s_) not in fit["model"]:
            continue
        gs, probs = fit["model"][int(s_)]
        q = g[idx]
        j = np.clip(np.searchsorted(gs, q), 0, len(gs) - 1)
        jl = np.clip(j - 1, 0, len(gs) - 1)
        pick = np.where(np.abs(gs[jl] - q) < np.abs(gs[j] - q), jl, j)
        out[idx] = probs[pick]
    return out


def rcsl_rollout(mdp, fit, target, n, rng, pi_ref=None):
    """Monte Carlo return (mean, s.e.) and trajectory KL to pi_ref of RCSL conditioned on target."""
    P, R, H, mu = mdp["P"], mdp["R"], mdp["H"], mdp["mu"]
    S, A, _ = P.shape
    s = rng.choice(S, size=n, p=mu)
    g = np.full(n, float(target))
    G = np.zeros(n)
    logr = np.zeros(n)
    for h in range(H):
        p = _rcsl_action_probs(fit, s, g)
        a = np.minimum((rng.random((n, 1)) > np.cumsum(p, 1)).sum(1), A - 1)
        if pi_ref is not None:
            ref = pi_ref[s, a]
            with np.errstate(divide="ignore"):
                logr += np.log(p[np.arange(n), a]) - np.log(ref)
        s2 = np.minimum((rng.random((n, 1)) > np.cumsum(P[s, a], 1)).sum(1), S - 1)
        r = R[s, a, s2]
        G += r
        g = np.round(g - r, 6)
        s = s2
    out = {"mean": float(G.mean()), "se": float(G.std(ddof=1) / np.sqrt(n))}
    if pi_ref is not None:
        out["kl"] = float(logr.mean())
    return out


# --------------------------------------------------------------------------
# Environments


def chain_mdp(n=10, start=2, H=30, slip=0.2, r_left=0.2, r_right=1.0):
    """A chain with a small reward at the left end, a large one at the right end,
    and a third action ("jump") that the behaviour never takes and that falls
    into an absorbing zero-reward trap.  States 0..n-1, trap = n."""
    S, A = n + 1, 3
    P = np.zeros((S, A, S))
    R = np.zeros((S, A, S))
    trap = n
    for s in range(n):
        left, right = max(s - 1, 0), min(s + 1, n - 1)
        P[s, 0, left] += 1 - slip
        P[s, 0, right] += slip
        P[s, 1, right] += 1 - slip
        P[s, 1, left] += slip
        P[s, 2, trap] = 1.0
    P[trap, :, trap] = 1.0
    for s in range(S):
        for a in range(A):
            R[s, a, 0] = r_left
            R[s, a, n - 1] = r_right
    R[:, 2, :] = 0.0
    R[trap] = 0.0
    mu = np.zeros(S)
    mu[start] = 1.0
    return {"P": P, "R": R, "H": H, "mu": mu}


def chain_behaviour(mdp, p_right=0.35):
    S = mdp["P"].shape[0]
    pib = np.zeros((S, 3))
    pib[:, 0] = 1 - p_right
    pib[:, 1] = p_right
    return pib


def stitch_mdp(r_local=6.0, r_goal=10.0):
    """Two start states share a middle node M.  From S0: action 0 -> M, action 1 -> L
    (reward r_local).  From S1 both actions -> M.  From M: action 0 -> G (reward
    r_goal), action 1 -> D (0).  L, G, D -> terminal T.  Evaluation starts at S0.
    States: S0=0, S1=1, M=2, L=3, G=4, D=5, T=6."""
    S, A = 7, 2
    P = np.zeros((S, A, S))
    R = np.zeros((S, A, S))
    P[0, 0, 2] = 1
    P[0, 1, 3] = 1
    R[0, 1, 3] = r_local
    P[1, :, 2] = 1
    P[2, 0, 4] = 1
    R[2, 0, 4] = r_goal
    P[2, 1, 5] = 1
    P[3:, :, 6] = 1
    mu = np.zeros(S)
    mu[0] = 1
    return {"P": P, "R": R, "H": 3, "mu": mu}


def stitch_data(n_each, rng, r_local=6.0, r_goal=10.0):
    """Demonstrator A starts at S0, picks 0/1 uniformly, and at M goes to D.
    Demonstrator B starts at S1 and at M goes to G."""
    mdp = stitch_mdp(r_local, r_goal)
    piA = np.array([[0.5, 0.5], [0.5, 0.5], [0, 1], [1, 0], [1, 0], [1, 0], [1, 0]], float)
    piB = np.array([[0.5, 0.5], [0.5, 0.5], [1, 0], [1, 0], [1, 0], [1, 0], [1, 0]], float)
    mA = dict(mdp)
    mB = dict(mdp, mu=np.eye(7)[1])
    return concat(sample(mA, piA, n_each, rng), sample(mB, piB, n_each, rng)), mdp


def gamble_mdp(p_win=0.05, r_safe=1.0, r_win=10.0):
    """One decision: action 0 pays r_safe surely; action 1 pays r_win w.p. p_win else 0.
    States: start=0, safe=1, win=2, lose=3 (all but start terminal-like)."""
    S, A = 4, 2
    P = np.zeros((S, A, S))
    R = np.zeros((S, A, S))
    P[0, 0, 1] = 1
    R[0, 0, 1] = r_safe
    P[0, 1, 2] = p_win
    P[0, 1, 3] = 1 - p_win
    R[0, 1, 2] = r_win
    P[1:, :, :] = np.eye(S)[1:, None, :]
    mu = np.eye(S)[0]
    return {"P": P, "R": R, "H": 1, "mu": mu}


# --------------------------------------------------------------------------
# Experiments


def _fit_all(data, mdp, betas, q_fracs, penalty, rcsl_targets, rng, n_mc, S, A):
    pib = bc(data, S, A)
    Phat, R, n_sa = empirical_model(data, S, A, mdp["R"])
    H = mdp["H"]
    out = {"bc": evaluate(mdp, pib, pib)}
    out["onestep"] = [evaluate(mdp, kl_onestep(Phat, R, pib, H, b), pib) for b in betas]
    soft = [kl_soft(Phat, R, pib, H, b) for b in betas]
    out["soft"] = [evaluate(mdp, p, pib) for p in soft]
    # what each soft policy believes it earns (return in the empirical model)
    mhat = {"P": Phat, "R": R, "H": H, "mu": mdp["mu"]}
    out["soft_model"] = [evaluate(mhat, p) for p in soft]
    out["filtered"] = [evaluate(mdp, filtered_bc(data, S, A, q), pib) for q in q_fracs]
    out["q_naive"] = evaluate(mdp, q_learning(Phat, R, n_sa, H), pib)
    out["q_support"] = evaluate(mdp, q_learning(Phat, R, n_sa, H, exclude_unseen=True), pib)
    out["q_pess"] = evaluate(mdp, q_learning(Phat, R, n_sa, H, penalty=penalty, exclude_unseen=True), pib)
    fit = rcsl_fit(data, S, A)
    out["rcsl"] = [rcsl_rollout(mdp, fit, t, n_mc, rng, pib) for t in rcsl_targets]
    return out


def beta_sweep(n_episodes=(20, 200), seeds=range(5), betas=None, q_fracs=(0.5, 0.2, 0.1), penalty=1.0, p_right=0.35, n_mc=500, H=30):
    """The BC <-> greedy continuum on the chain MDP, for several dataset sizes and seeds."""
    if betas is None:
        betas = np.logspace(2, -2, 13)
    betas = np.asarray(betas, float)
    mdp = chain_mdp(H=H)
    S, A = mdp["P"].shape[:2]
    pib_true = chain_behaviour(mdp, p_right)
    _, v_opt = optimal(mdp)
    res = {
        "params": {
            "n_episodes": list(n_episodes),
            "seeds": list(seeds),
            "betas": betas.tolist(),
            "q_fracs": list(q_fracs),
            "penalty": penalty,
            "p_right": p_right,
            "n_mc": n_mc,
            "H": H,
            "chain_n": 10,
            "slip": 0.2,
            "start": 2,
        },
        "optimal": v_opt,
        "behaviour": evaluate(mdp, pib_true),
        "runs": {},
    }
    for n in n_episodes:
        runs = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            data = sample(mdp, pib_true, n, rng)
            G = data["r"].sum(1)
            targets = (float(G.max()), float(np.quantile(G, 0.9)))
            runs.append(
                _fit_all(data, mdp, betas, q_fracs, penalty, targets, rng, n_mc, S, A)
                | {"rcsl_targets": targets, "data_max_return": float(G.max())}
            )
        res["runs"][n] = runs
    return res


def summarise_sweep(res, n):
    """Means over seeds of returns (and KLs) for one dataset size."""
    runs = res["runs"][n]
    m = lambda key, i: np.array([[r[key][j][i] for j in range(len(r[key]))] for r in runs])  # noqa: E731
    out = {
        "onestep_ret": m("onestep", 0).mean(0),
        "onestep_kl": m("onestep", 1).mean(0),
        "soft_ret": m("soft", 0).mean(0),
        "soft_kl": m("soft", 1).mean(0),
        "soft_model_ret": np.array([r["soft_model"] for r in runs]).mean(0),
        "soft_ret_all": m("soft", 0),
        "onestep_ret_all": m("onestep", 0),
        "filtered_ret": m("filtered", 0).mean(0),
        "filtered_kl": m("filtered", 1).mean(0),
        "bc_ret": np.mean([r["bc"][0] for r in runs]),
        "rcsl_ret": np.array([[x["mean"] for x in r["rcsl"]] for r in runs]).mean(0),
        "rcsl_kl": np.array([[x["kl"] for x in r["rcsl"]] for r in runs]).mean(0),
    }
    for k in ("q_naive", "q_support", "q_pess"):
        out[k + "_ret"] = np.mean([r[k][0] for r in runs])
        kls = np.array([r[k][1] for r in runs])
        out[k + "_kl"] = float(np.mean(kls)) if np.all(np.isfinite(kls)) else np.inf
    return out


def stitching(n_each=50, seeds=range(10), betas=(1e-2,), n_mc=2000, r_local=6.0, r_goal=10.0):
    """Return from S0 of each learner on the stitching dataset."""
    names = [
        "BC",
        "filtered BC (top 50%)",
        "RCSL (g = max return)",
        "AWR, Monte Carlo",
        "one-step KL (AWR + critic)",
        "KL-regularised RL",
        "Q-learning (support)",
    ]
    vals = {k: [] for k in names}
    mdp = stitch_mdp(r_local, r_goal)
    S, A = 7, 2
    b = betas[0]
    for seed in seeds:
        rng = np.random.default_rng(seed)
        data, _ = stitch_data(n_each, rng, r_local, r_goal)
        pib = bc(data, S, A)
        Phat, R, n_sa = empirical_model(data, S, A, mdp["R"])
        H = mdp["H"]
        vals["BC"].append(evaluate(mdp, pib))
        vals["filtered BC (top 50%)"].append(evaluate(mdp, filtered_bc(data, S, A, 0.5)))
        fit = rcsl_fit(data, S, A)
        vals["RCSL (g = max return)"].append(rcsl_rollout(mdp, fit, float(data["r"].sum(1).max()), n_mc, rng)["mean"])
        vals["AWR, Monte Carlo"].append(evaluate(mdp, awr_mc(data, S, A, b)))
        vals["one-step KL (AWR + critic)"].append(evaluate(mdp, kl_onestep(Phat, R, pib, H, b)))
        vals["KL-regularised RL"].append(evaluate(mdp, kl_soft(Phat, R, pib, H, b)))
        vals["Q-learning (support)"].append(evaluate(mdp, q_learning(Phat, R, n_sa, H, exclude_unseen=True)))
    _, v_opt = optimal(mdp)
    return {
        "names": names,
        "mean": [float(np.mean(vals[k])) for k in names],
        "sd": [float(np.std(vals[k])) for k in names],
        "optimal": v_opt,
        "params": {"n_each": n_each, "seeds": list(seeds), "beta": b, "n_mc": n_mc, "r_local": r_local, "r_goal": r_goal},
    }


def gambling(p_wins=None, n=1000, seeds=range(10), beta=0.1, q=0.1, n_mc=4000, r_safe=1.0, r_win=10.0):
    """Expected return of each learner on the one-step gamble, uniform behaviour data."""
    if p_wins is None:
        p_wins = np.array([0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3])
    names = [
        "BC",
        "filtered BC (top 10%)",
        "RCSL (g = max return)",
        "RCSL (g = 1)",
        "AWR, Monte Carlo",
        "one-step KL (AWR + critic)",
        "Q-learning",
    ]
    out = {k: np.zeros((len(p_wins), len(seeds))) for k in names}
    for i, p in enumerate(p_wins):
        mdp = gamble_mdp(p, r_safe, r_win)
        S, A = 4, 2
        for j, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            data = sample(mdp, np.full((S, A), 0.5), n, rng)
            pib = bc(data, S, A)
            Phat, R, n_sa = empirical_model(data, S, A, mdp["R"])
            out["BC"][i, j] = evaluate(mdp, pib)
            out["filtered BC (top 10%)"][i, j] = evaluate(mdp, filtered_bc(data, S, A, q))
            fit = rcsl_fit(data, S, A)
            out["RCSL (g = max return)"][i, j] = _rcsl_exact_one_step(mdp, fit, float(data["r"].sum(1).max()))
            out["RCSL (g = 1)"][i, j] = _rcsl_exact_one_step(mdp, fit, r_safe)
            out["AWR, Monte Carlo"][i, j] = evaluate(mdp, awr_mc(data, S, A, beta))
            out["one-step KL (AWR + critic)"][i, j] = evaluate(mdp, kl_onestep(Phat, R, pib, 1, beta))
            out["Q-learning"][i, j] = evaluate(mdp, q_learning(Phat, R, n_sa, 1, exclude_unseen=True))
    return {
        "p_wins": np.asarray(p_wins),
        "names": names,
        "mean": {k: v.mean(1) for k, v in out.items()},
        "all": out,
        "optimal": np.maximum(r_safe, r_win * np.asarray(p_wins)),
        "params": {"n": n, "seeds": list(seeds), "beta": beta, "q": q, "r_safe": r_safe, "r_win": r_win},
    }


def _rcsl_exact_one_step(mdp, fit, target):
    """Exact return of RCSL on a one-step problem from the start state."""
    s0 = int(np.argmax(mdp["mu"]))
    p = _rcsl_action_probs(fit, np.array([s0]), np.array([target]))[0]
    rsa = np.einsum("sat,sat->sa", mdp["P"], mdp["R"])
    return float(p @ rsa[s0])


def compounding(Hs=None, eps=0.01):
    """Regret of a cloned policy that errs with probability eps per step on the expert's states.

    Three two-state MDPs (on-path 0, off-path 1; reward 1 per step on the path):
    irrecoverable (off-path is absorbing), recoverable with an untrained recovery
    action (uniform at the off-path state, which the expert never visits), and
    recoverable with a trained recovery action (as DAgger or RL on that state would give).
    """
    if Hs is None:
        Hs = np.unique(np.round(np.logspace(0, 3, 25)).astype(int))
    out = {"Hs": np.asarray(Hs), "eps": eps}
    for case in ("irrecoverable", "untrained recovery", "trained recovery"):
        reg = []
        for H in Hs:
            P = np.zeros((2, 2, 2))
            R = np.zeros((2, 2, 2))
            P[0, 0, 0] = 1
            R[0, 0, 0] = 1
            P[0, 1, 1] = 1
            if case == "irrecoverable":
                P[1, :, 1] = 1
            else:
                P[1, 0, 0] = 1
                P[1, 1, 1] = 1
            mdp = {"P": P, "R": R, "H": int(H), "mu": np.array([1.0, 0.0])}
            off = [0.5, 0.5] if case == "untrained recovery" else [1.0, 0.0]
            pi = np.array([[1 - eps, eps], off])
            reg.append(float(H) - evaluate(mdp, pi))
        out[case] = np.array(reg)
    return out
