"""Numerical checks for the computational exercises in the post "alignment-exercises".

Each function answers one exercise twice where possible: by the closed form the
solution derives and by a seeded Monte Carlo or exact computation, so a learner
can compare their own answer against both. Everything is numpy/scipy only and
runs in well under a second per call.

Exercise map (numbers refer to the post):

* ``bon_gaussian``      -- Ex. 2.3, regressional Goodhart under best-of-n.
* ``bon_heavy``         -- Ex. 2.4, heavy-tailed proxy error under best-of-n.
* ``shaping_check``     -- Ex. 1.5, potential-based shaping preserves optimal policies.
* ``shaping_loop``      -- Ex. 1.6, a non-potential progress bonus creates a reward loop.
* ``kl_regularised_policy`` -- Ex. 1.7, the optimum of KL-regularised RL.
* ``bon_kl`` / ``gao_bon_peak`` -- Ex. 2.6, where best-of-n overoptimisation peaks.
* ``offswitch_incentive`` -- Ex. 8.2, value of deferring in the off-switch game.
* ``upfront_audit``     -- Ex. 6.6, the best attack rate against upfront auditing.
* ``majority_vote``     -- Ex. 6.2, majority of independent judges.
* ``interference``      -- Ex. 7.2, interference between random feature directions.
* ``power_fraction``    -- Ex. 8.3, how often an optimal policy keeps options open.
* ``newcomb_breakeven`` -- Ex. 8.4, predictor accuracy at which one-boxing pays.
* ``chinchilla``        -- Ex. 9.1, compute-optimal parameters and tokens.
* ``trusted_monitoring`` -- Ex. 6.7, audit threshold and catch probability.
* ``exact_match_curve`` -- Ex. 9.6, exact match from per-token accuracy.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize, stats


# ---------------------------------------------------------------- Goodhart
def expected_max_normal(n: int) -> float:
    """E[max of n iid N(0,1)] by numerical integration."""
    f = lambda x: x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1)  # noqa: E731
    val, _ = integrate.quad(f, -12, 12, limit=200)
    return float(val)


def bon_gaussian(n: int = 100, noise_sd: float = 1.0, trials: int = 20000, seed: int = 0) -> dict:
    """True value V ~ N(0,1), proxy U = V + E with E ~ N(0, noise_sd^2); pick argmax U of n.

    Closed form: E[V of the pick] = e_n / sqrt(1 + noise_sd^2), with e_n the expected
    maximum of n standard normals.
    """
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((trials, n))
    u = v + noise_sd * rng.standard_normal((trials, n))
    picked = v[np.arange(trials), np.argmax(u, axis=1)]
    en = expected_max_normal(n)
    return {
        "n": n,
        "noise_sd": noise_sd,
        "mc_true_value": float(picked.mean()),
        "mc_se": float(picked.std(ddof=1) / np.sqrt(trials)),
        "closed_form": en / np.sqrt(1 + noise_sd**2),
        "oracle": en,
    }


def bon_heavy(ns=(1, 10, 100, 1000, 10000), df: float = 1.5, trials: int = 2000, seed: int = 0) -> dict:
    """Same as ``bon_gaussian`` but the proxy error is Student-t with ``df`` degrees of freedom.

    Returns the Monte Carlo mean true value of the best-of-n pick for each n, for the
    heavy-tailed error and for a Gaussian error of unit scale, with the same seed.
    """
    rng = np.random.default_rng(seed)
    out = {"ns": list(ns), "df": df, "heavy": [], "gauss": []}
    for n in ns:
        v = rng.standard_normal((trials, n))
        e_t = rng.standard_t(df, size=(trials, n))
        e_g = rng.standard_normal((trials, n))
        idx = np.arange(trials)
        out["heavy"].append(float(v[idx, np.argmax(v + e_t, axis=1)].mean()))
        out["gauss"].append(float(v[idx, np.argmax(v + e_g, axis=1)].mean()))
    return out


# ---------------------------------------------------------------- RL basics
def _random_mdp(S: int, A: int, rng):
    P = rng.dirichlet(np.ones(S), size=(S, A))  # P[s, a, s']
    R = rng.standard_normal((S, A, S))  # R[s, a, s']
    return P, R


def _value_iteration(P, R, gamma, tol=1e-12, iters=20000):
    S, A, _ = P.shape
    V = np.zeros(S)
    for _ in range(iters):
        Q = np.einsum("ijk,ijk->ij", P, R + gamma * V[None, None, :])
        Vn = Q.max(axis=1)
        if np.max(np.abs(Vn - V)) < tol:
            V = Vn
            break
        V = Vn
    Q = np.einsum("ijk,ijk->ij", P, R + gamma * V[None, None, :])
    return Q, V


def shaping_check(S: int = 12, A: int = 4, gamma: float = 0.9, seed: int = 0) -> dict:
    """Add F(s,a,s') = gamma*Phi(s') - Phi(s) for a random Phi and compare optimal Q's."""
    rng = np.random.default_rng(seed)
    P, R = _random_mdp(S, A, rng)
    phi = 5 * rng.standard_normal(S)
    F = gamma * phi[None, None, :] - phi[:, None, None]
    Q, _ = _value_iteration(P, R, gamma)
    Qs, _ = _value_iteration(P, R + F, gamma)
    return {
        "same_greedy_policy": bool(np.array_equal(Q.argmax(1), Qs.argmax(1))),
        "max_abs_Q_shift_error": float(np.max(np.abs((Qs - Q) + phi[:, None]))),
    }


def shaping_loop(gamma: float = 0.9, bonus: float = 1.0, goal_reward: float = 1.0) -> dict:
    """A 3-state chain s0 -> s1 -> goal. The designer pays ``bonus`` for every move
    from s0 to s1 (a "progress" bonus that is not potential-based) and the agent may
    step back from s1 to s0 at no cost. Compare the value of going to the goal with the
    value of cycling s0 -> s1 -> s0 -> ... forever."""
    # cycling collects bonus every other step starting now: bonus * (1 + g^2 + g^4 + ...)
    v_cycle = bonus / (1 - gamma**2)
    # straight to goal: bonus now, then goal_reward one step later, then episode ends
    v_goal = bonus + gamma * goal_reward
    return {"v_cycle": v_cycle, "v_goal": v_goal, "cycles": bool(v_cycle > v_goal)}


def kl_regularised_policy(ref, rewards, beta: float) -> np.ndarray:
    """argmax_pi E_pi[r] - beta * KL(pi || ref) = ref * exp(r / beta) / Z."""
    ref = np.asarray(ref, float)
    w = ref * np.exp(np.asarray(rewards, float) / beta)
    return w / w.sum()


def bon_kl(n: int) -> float:
    """KL(best-of-n || base) = log n - (n - 1)/n for a continuous score."""
    return float(np.log(n) - (n - 1) / n)


def gao_bon_peak(alpha: float, beta: float) -> dict:
    """Gold score R(d) = d (alpha - beta d) with d = sqrt(KL); find the peak and the n."""
    d_star = alpha / (2 * beta)
    kl_star = d_star**2
    n_star = optimize.brentq(lambda ln: bon_kl(np.exp(ln)) - kl_star, 0.0, 200.0)
    return {"d_star": d_star, "kl_star": kl_star, "log_n_star": float(n_star), "peak_gold": alpha**2 / (4 * beta)}


# ---------------------------------------------------------------- agency
def offswitch_incentive(mu: float, sigma: float, samples: int = 200000, seed: int = 0) -> dict:
    """Robot belief U ~ N(mu, sigma^2) about the value of its action; a rational human
    lets it act iff U > 0. Incentive to defer = E[max(U,0)] - max(mu, 0)."""
    z = mu / sigma
    defer = mu * stats.norm.cdf(z) + sigma * stats.norm.pdf(z)
    rng = np.random.default_rng(seed)
    u = mu + sigma * rng.standard_normal(samples)
    return {
        "defer_value": float(defer),
        "act_value": max(mu, 0.0),
        "incentive": float(defer - max(mu, 0.0)),
        "mc_defer_value": float(np.maximum(u, 0).mean()),
    }


def power_fraction(k_small: int = 1, k_large: int = 3, trials: int = 100000, seed: int = 0) -> dict:
    """From the start state the agent picks a branch that reaches k_small or k_large
    terminal states; terminal rewards are iid U[0,1]. How often is the large branch optimal?"""
    rng = np.random.default_rng(seed)
    r = rng.random((trials, k_small + k_large))
    large_best = r[:, k_small:].max(axis=1) > r[:, :k_small].max(axis=1)
    return {"mc": float(large_best.mean()), "exact": k_large / (k_small + k_large)}


def newcomb_breakeven(big: float = 1e6, small: float = 1e3) -> float:
    """Accuracy a at which a*big = (1-a)*big + small (evidential expected values)."""
    return 0.5 + small / (2 * big)


# ---------------------------------------------------------------- oversight / control
def majority_vote(k: int, acc: float) -> float:
    """P(majority of k independent judges with accuracy acc is right), k odd."""
    return float(stats.binom.sf(k // 2, k, acc))


def upfront_audit(N: int = 10000, audited: int = 200) -> dict:
    """Blue audits the first ``audited`` of N tasks perfectly; red attacks each task
    independently with probability p and wins iff no attack falls in the audited prefix
    and at least one attack falls after it. Find red's best p and win probability."""
    m = N - audited
    win = lambda p: (1 - p) ** audited * (1 - (1 - p) ** m)  # noqa: E731
    res = optimize.minimize_scalar(lambda lp: -win(np.exp(lp)), bounds=(np.log(1e-8), 0.0), method="bounded")
    p_star = float(np.exp(res.x))
    # closed form from the first-order condition: (1-p)^m = audited / N
    p_closed = 1 - (audited / N) ** (1 / m)
    return {"p_star": p_star, "p_closed": float(p_closed), "red_win": float(win(p_star)), "blue_win": float(1 - win(p_star))}


# ---------------------------------------------------------------- interpretability
def interference(d: int = 512, n: int = 10000, p: float = 0.01, trials: int = 200, seed: int = 0) -> dict:
    """n random unit feature directions in R^d; each feature is on (value 1) w.p. p.
    Read feature 0 by a dot product with its own direction and report the variance of the
    interference from the other features, vs the estimate (n-1) p / d."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    overlaps = W[1:] @ W[0]
    noise = []
    for _ in range(trials):
        on = rng.random(n - 1) < p
        noise.append(float(overlaps[on].sum()))
    noise = np.array(noise)
    return {
        "mc_var": float(noise.var()),
        "predicted_var": (n - 1) * p / d,
        "overlap_sd": float(overlaps.std()),
        "predicted_overlap_sd": 1 / np.sqrt(d),
    }


# ---------------------------------------------------------------- forecasting
def chinchilla(C: float, tokens_per_param: float = 20.0) -> dict:
    """C = 6 N D and D = k N  =>  N = sqrt(C / (6k)), D = k N."""
    N = np.sqrt(C / (6 * tokens_per_param))
    return {"params": float(N), "tokens": float(tokens_per_param * N)}


def trusted_monitoring(audit_frac: float = 0.02, attack_shift: float = 2.0, ks=(1, 3, 5)) -> dict:
    """Benign suspicion scores ~ N(0,1), attack scores ~ N(attack_shift, 1). Blue audits the
    top ``audit_frac`` of benign-calibrated scores. Return the threshold, the chance one attack
    is audited, and the chance that at least one of k attacks is audited."""
    z = float(stats.norm.isf(audit_frac))
    catch = float(stats.norm.sf(z - attack_shift))
    return {"threshold": z, "catch_one": catch, "catch_any": {int(k): 1 - (1 - catch) ** k for k in ks}}


def exact_match_curve(per_token=(0.8, 0.9, 0.95, 0.99), length: int = 20) -> dict:
    """Exact match of a length-L answer when each token is right independently w.p. p."""
    return {float(p): float(p**length) for p in per_token}
