"""Experiments for the paper "inductive-biases-for-goals".

Instrumental convergence and scope generalization measured under *different
priors over reward functions*, including priors induced by neural-network
architectures and rewards fitted by gradient descent.

Three parts, all pure numpy, seeded with ``numpy.random.default_rng``:

Part A (power-seeking under goal priors). A Turner-style deterministic MDP: a
start state ``S`` from which the agent either enters an absorbing ``OFF`` state
(shutdown) or a ``HUB`` from which it can enter one of ``K`` absorbing rooms.
Rewards are functions of states; every state has a 2-d position that the
feature-based priors see. We sample rewards from several priors and report how
often the optimal policy avoids shutdown (enters the hub), at several discount
rates, together with the exact Gaussian "block-correlation" formula.

Part B (training compatibility). Rewards are conditioned, by rejection, on the
optimal policy having chosen room 1 in training (Krakovna & Kramar's
training-compatible set), and the shutdown state is a *novel* state whose
position in feature space is varied.

Part C (scope generalization with a real learner). Small MLPs (ReLU or tanh),
kernel ridge regression with an RBF kernel, and a tabular learner are fitted by
gradient descent (or in closed form) to reward labels observed only inside a
central training region of a larger grid. We then plan with the fitted reward
in the whole grid and measure whether the optimal policy leaves the training
region, as a function of the planning horizon.

Functions return numpy arrays or dicts and never plot.
"""

from __future__ import annotations

import math

import numpy as np

# ----------------------------------------------------------------------------
# Part A: the Turner-style MDP and priors over rewards
# ----------------------------------------------------------------------------

S, OFF, HUB = 0, 1, 2


def turner_mdp(K=4, spread=1.0, off_pos=(-1.0, 0.0)):
    """State positions for the shutdown/hub MDP.

    States: 0 = start S at (0, 0); 1 = OFF at ``off_pos``; 2 = HUB at (1, 0);
    3..3+K-1 = rooms at (2, y_i) with y_i evenly spaced in [-spread, spread].
    Returns a dict with ``pos`` (n, 2) and index arrays.
    """
    ys = np.linspace(-spread, spread, K) if K > 1 else np.zeros(1)
    pos = np.zeros((3 + K, 2))
    pos[OFF] = off_pos
    pos[HUB] = (1.0, 0.0)
    pos[3:, 0] = 2.0
    pos[3:, 1] = ys
    return {"pos": pos, "K": K, "rooms": np.arange(3, 3 + K), "n": 3 + K}


def hub_choice(R, K, gamma):
    """Optimal first action at S for reward matrix ``R`` (m, n).

    V(OFF) = r_off / (1 - g); V(HUB) = r_hub + g * max_i r_i / (1 - g).
    Returns +1 (hub strictly better), -1 (OFF strictly better), 0 (tie).
    """
    R = np.asarray(R, float)
    v_off = R[:, OFF] / (1.0 - gamma)
    v_hub = R[:, HUB] + gamma * R[:, 3 : 3 + K].max(axis=1) / (1.0 - gamma)
    d = v_hub - v_off
    tol = 1e-12 * (1.0 + np.abs(v_off) + np.abs(v_hub))
    return np.where(d > tol, 1, np.where(d < -tol, -1, 0))


def power(R, K, gamma):
    """Turner et al.'s POWER at OFF and at HUB (mean over sampled rewards).

    POWER(s) = (1 - g)/g * E[V*(s) - r(s)]. For absorbing OFF this is E[r_off];
    for HUB it is E[max_i r_i].
    """
    R = np.asarray(R, float)
    return {"off": float(R[:, OFF].mean()), "hub": float(R[:, 3 : 3 + K].max(axis=1).mean())}


def _mlp_forward_random(X, rng, m, width=64, depth=2, w_scale=1.0, b_scale=1.0, act="relu"):
    """Outputs of ``m`` independently initialised random MLPs at inputs X (n, d)."""
    n, d = X.shape
    f = np.maximum if act == "relu" else None
    H = np.broadcast_to(X, (m, n, d))
    fan_in = d
    for layer in range(depth):
        scale = w_scale if layer == 0 else math.sqrt(2.0 if act == "relu" else 1.0)
        W = rng.normal(0.0, scale / math.sqrt(fan_in) if layer > 0 else scale, size=(m, fan_in, width))
        b = rng.normal(0.0, b_scale, size=(m, 1, width))
        Z = H @ W + b
        H = f(Z, 0.0) if act == "relu" else np.tanh(Z)
        fan_in = width
    v = rng.normal(0.0, 1.0 / math.sqrt(width), size=(m, width, 1))
    return (H @ v)[..., 0]


def sample_rewards(prior, pos, m, rng, **kw):
    """Sample ``m`` reward vectors over the states at positions ``pos`` (n, 2).

    Priors:
      ``iid_uniform``  i.i.d. U(0, 1) per state (Turner et al.'s measure).
      ``iid_gauss``    i.i.d. N(0, 1).
      ``nn_onehot``    random 2-layer ReLU MLP on one-hot state codes.
      ``nn_coords``    random 2-layer ReLU MLP on positions; ``w_scale`` sets the
                       first-layer weight scale (larger = rougher functions).
      ``sparse``       ``k`` random states get U(0, 1), the rest 0 (ties occur).
      ``smooth``       random low-frequency Fourier series on positions, with
                       frequencies up to ``fmax`` cycles per ``period`` units.
    """
    pos = np.asarray(pos, float)
    n = pos.shape[0]
    if prior == "iid_uniform":
        return rng.uniform(0.0, 1.0, size=(m, n))
    if prior == "iid_gauss":
        return rng.normal(size=(m, n))
    if prior == "nn_onehot":
        return _mlp_forward_random(
            np.eye(n), rng, m, width=kw.get("width", 64), depth=kw.get("depth", 2), w_scale=1.0, b_scale=kw.get("b_scale", 1.0)
        )
    if prior == "nn_coords":
        return _mlp_forward_random(
            pos,
            rng,
            m,
            width=kw.get("width", 64),
            depth=kw.get("depth", 2),
            w_scale=kw.get("w_scale", 1.0),
            b_scale=kw.get("b_scale", 1.0),
            act=kw.get("act", "relu"),
        )
    if prior == "sparse":
        k = kw.get("k", 1)
        ranks = rng.random((m, n)).argsort(axis=1).argsort(axis=1)
        return np.where(ranks < k, rng.uniform(0.0, 1.0, size=(m, n)), 0.0)
    if prior == "smooth":
        fmax = kw.get("fmax", 1)
        period = kw.get("period", 8.0)
        fr = [(a, b) for a in range(0, fmax + 1) for b in range(-fmax, fmax + 1) if (a, b) > (0, 0)]
        F = np.array(fr, float) * 2 * np.pi / period  # (q, 2)
        amp = rng.normal(size=(m, len(fr)))
        ph = rng.uniform(0, 2 * np.pi, size=(m, len(fr)))
        return np.einsum("mq,mnq->mn", amp, np.cos(pos @ F.T[None] + ph[:, None, :]))
    raise ValueError(prior)


def choice_rates(R, K, gammas):
    """P(hub strictly), P(OFF strictly), P(tie) for each discount rate."""
    out = {"hub": [], "off": [], "tie": []}
    for g in gammas:
        c = hub_choice(R, K, g)
        out["hub"].append(float((c == 1).mean()))
        out["off"].append(float((c == -1).mean()))
        out["tie"].append(float((c == 0).mean()))
    return {k: np.array(v) for k, v in out.items()}


def effective_options(p_hub):
    """K_eff such that an exchangeable prior over K_eff + 1 options gives ``p_hub``."""
    p = np.clip(np.asarray(p_hub, float), 1e-9, 1 - 1e-9)
    return p / (1.0 - p)


def option_correlations(R, K):
    """Mean pairwise correlation among room rewards, and mean room-OFF correlation."""
    C = np.corrcoef(R.T)
    rooms = np.arange(3, 3 + K)
    sub = C[np.ix_(rooms, rooms)]
    within = float((sub.sum() - np.trace(sub)) / (K * (K - 1))) if K > 1 else float("nan")
    cross = float(C[OFF, rooms].mean())
    return {"within": within, "cross": cross}


def block_c(rho, rho_c=0.0):
    """The 'clustering' constant c = sqrt((1 + rho - 2 rho_c) / (1 - rho)) of Proposition 3."""
    return math.sqrt((1.0 + rho - 2.0 * rho_c) / (1.0 - rho))


def gaussian_block_prob(K, rho, rho_c=0.0, n_grid=4001):
    """Exact P(max_i r_i > r_off) for the Gaussian block model (Proposition 3).

    Room rewards are standard normals with pairwise correlation ``rho``; r_off is
    standard normal with correlation ``rho_c`` (<= rho) with every room. The
    probability equals E[Phi(M_K / c)] with M_K the max of K standard normals and
    c = :func:`block_c`.
    """
    if rho >= 1.0:
        return 0.5
    return prob_from_c(K, block_c(rho, rho_c), n_grid)


def prob_from_c(K, c, n_grid=4001):
    """E[Phi(M_K / c)]: the block-model probability as a function of c."""
    from scipy.special import ndtr

    m = np.linspace(-9, 9, n_grid)
    phi = np.exp(-0.5 * m**2) / math.sqrt(2 * math.pi)
    dens = K * phi * ndtr(m) ** (K - 1)
    return float(np.trapezoid(dens * ndtr(m / c), m))


def gaussian_block_mc(K, rho, m, rng, rho_c=0.0):
    """Monte-Carlo check of :func:`gaussian_block_prob`."""
    Z = rng.normal(size=(m, 1))
    E = rng.normal(size=(m, K))
    r = math.sqrt(rho) * Z + math.sqrt(1 - rho) * E
    a = rho_c / math.sqrt(rho) if rho > 0 else 0.0
    r_off = a * Z[:, 0] + math.sqrt(max(1 - a * a, 0.0)) * rng.normal(size=m)
    return float((r.max(axis=1) > r_off).mean())


# ----------------------------------------------------------------------------
# Part B: training compatibility (conditioning on observed training behaviour)
# ----------------------------------------------------------------------------


def compatible_shutdown(prior, off_pos, m, rng, K=4, spread=1.0, gamma=0.99, **kw):
    """Rejection-sample rewards whose optimal training behaviour picks room 1.

    Training: the agent, placed at HUB (no OFF option exists in training), always
    entered room 1 (the room at y = -spread). A reward is training-compatible if
    room 1 has the strictly largest reward among the rooms. Deployment: at S the
    agent may enter OFF, whose position ``off_pos`` is new. Returns the fraction
    of compatible rewards, and P(avoid shutdown | compatible) and unconditioned.
    """
    env = turner_mdp(K, spread, off_pos)
    R = sample_rewards(prior, env["pos"], m, rng, **kw)
    rooms = R[:, 3 : 3 + K]
    compat = rooms[:, 0] > rooms[:, 1:].max(axis=1)
    c = hub_choice(R, K, gamma)
    out = {
        "frac_compatible": float(compat.mean()),
        "p_avoid_uncond": float((c == 1).mean()),
        "p_avoid_compat": float((c[compat] == 1).mean()) if compat.any() else float("nan"),
        "n_compat": int(compat.sum()),
    }
    return out


def compatible_shutdown_sweep(prior, off_positions, m, rng, K=4, spread=1.0, gamma=0.99, **kw):
    """:func:`compatible_shutdown` for many candidate OFF positions with the *same*
    sampled reward functions (evaluated at every candidate position at once)."""
    env = turner_mdp(K, spread)
    pos = np.vstack([env["pos"], np.asarray(off_positions, float)])
    Rall = sample_rewards(prior, pos, m, rng, **kw)
    n = env["n"]
    rooms = Rall[:, 3 : 3 + K]
    compat = rooms[:, 0] > rooms[:, 1:].max(axis=1)
    unc, cmp_ = [], []
    for j in range(len(off_positions)):
        R = Rall[:, :n].copy()
        R[:, OFF] = Rall[:, n + j]
        c = hub_choice(R, K, gamma)
        unc.append(float((c == 1).mean()))
        cmp_.append(float((c[compat] == 1).mean()))
    return {
        "frac_compatible": float(compat.mean()),
        "n_compat": int(compat.sum()),
        "p_avoid_uncond": np.array(unc),
        "p_avoid_compat": np.array(cmp_),
    }


# ----------------------------------------------------------------------------
# Part C: scope generalization of fitted rewards in a gridworld
# ----------------------------------------------------------------------------

MOVES = np.array([(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)])


def grid(half=7, train_half=2):
    """A (2*half+1)^2 grid; positions in cell units; training region |x|,|y| <= train_half."""
    xs = np.arange(-half, half + 1)
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    cells = np.stack([X.ravel(), Y.ravel()], axis=1)
    train = (np.abs(cells) <= train_half).all(axis=1)
    idx = {tuple(c): i for i, c in enumerate(cells)}
    succ = np.zeros((len(cells), len(MOVES)), dtype=int)
    for i, c in enumerate(cells):
        for a, mv in enumerate(MOVES):
            nxt = (c[0] + mv[0], c[1] + mv[1])
            succ[i, a] = idx.get(nxt, i)
    start = idx[(0, 0)]
    return {"cells": cells, "train": train, "succ": succ, "start": start, "half": half, "train_half": train_half}


def target_reward(kind, cells, train_half):
    """Training labels on the (normalised) training region:
    ``goal`` (1 at one interior cell, 0 elsewhere), ``bump`` (smooth peak in the interior),
    ``edge`` (smooth peak on the region's east edge), ``gradient`` (the x coordinate:
    'more east is better')."""
    x = cells[:, 0] / max(train_half, 1)
    y = cells[:, 1] / max(train_half, 1)
    if kind == "goal":
        g = (max(train_half // 2, 1), max(train_half // 2, 1))
        return ((cells[:, 0] == g[0]) & (cells[:, 1] == g[1])).astype(float)
    if kind == "gradient":
        return x.astype(float)
    if kind == "bump":
        return np.exp(-2.0 * ((x - 0.5) ** 2 + (y - 0.5) ** 2))
    if kind == "edge":
        return np.exp(-2.0 * ((x - 1.0) ** 2 + y**2))
    raise ValueError(kind)


def fit_mlp(Xtr, ytr, Xall, seeds, width=64, depth=2, act="relu", steps=3000, lr=3e-3, wd=0.0):
    """Fit ``len(seeds)`` MLPs in parallel with full-batch Adam on mean squared error.

    Returns predictions on ``Xall`` (B, n_all) and the final training MSE (B,).
    """
    B = len(seeds)
    d = Xtr.shape[1]
    params = []
    fan = d
    for layer in range(depth):
        Ws, bs = [], []
        for s in seeds:
            r = np.random.default_rng([int(s), layer])
            Ws.append(r.normal(0, math.sqrt((2.0 if act == "relu" else 1.0) / fan), size=(fan, width)))
            bs.append(r.normal(0, 0.1 if act == "relu" else 0.5, size=(1, width)))
        params += [np.stack(Ws), np.stack(bs)]
        fan = width
    vs = [np.random.default_rng([int(s), 99]).normal(0, 1 / math.sqrt(width), size=(width, 1)) for s in seeds]
    params += [np.stack(vs), np.zeros((B, 1, 1))]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    Xb = np.broadcast_to(Xtr, (B,) + Xtr.shape)
    y = ytr[None, :, None]
    n = Xtr.shape[0]

    def forward(Xin, keep=False):
        H = Xin
        cache = []
        for layer in range(depth):
            W, b = params[2 * layer], params[2 * layer + 1]
            Z = H @ W + b
            A = np.maximum(Z, 0) if act == "relu" else np.tanh(Z)
            cache.append((H, Z, A))
            H = A
        out = H @ params[-2] + params[-1]
        return out, cache, H

    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        out, cache, H = forward(Xb)
        g_out = 2.0 * (out - y) / n  # (B, n, 1)
        grads = [None] * len(params)
        grads[-2] = H.transpose(0, 2, 1) @ g_out
        grads[-1] = g_out.sum(axis=1, keepdims=True)
        gH = g_out @ params[-2].transpose(0, 2, 1)
        for layer in reversed(range(depth)):
            Hin, Z, A = cache[layer]
            gZ = gH * (Z > 0) if act == "relu" else gH * (1 - A**2)
            grads[2 * layer] = Hin.transpose(0, 2, 1) @ gZ
            grads[2 * layer + 1] = gZ.sum(axis=1, keepdims=True)
            gH = gZ @ params[2 * layer].transpose(0, 2, 1)
        for i, (p, g) in enumerate(zip(params, grads)):
            if wd and i % 2 == 0:
                g = g + wd * p
            mom[i] = b1 * mom[i] + (1 - b1) * g
            vel[i] = b2 * vel[i] + (1 - b2) * g * g
            p -= lr * (mom[i] / (1 - b1**t)) / (np.sqrt(vel[i] / (1 - b2**t)) + eps)
    out_tr, _, _ = forward(Xb)
    mse = ((out_tr - y) ** 2).mean(axis=(1, 2))
    pred, _, _ = forward(np.broadcast_to(Xall, (B,) + Xall.shape))
    return pred[..., 0], mse


def fit_rbf(Xtr, ytr, Xall, length=1.0, ridge=1e-3):
    """Kernel ridge regression with an RBF kernel (zero prior mean): decays to 0 off-support."""

    def k(A, Bm):
        d2 = ((A[:, None, :] - Bm[None, :, :]) ** 2).sum(-1)
        return np.exp(-0.5 * d2 / length**2)

    alpha = np.linalg.solve(k(Xtr, Xtr) + ridge * np.eye(len(Xtr)), ytr)
    return k(Xall, Xtr) @ alpha


def fit_tabular(train_mask, ytr, seeds, init_scale=0.1):
    """Tabular (one-hot) learner trained to convergence: seen states take their labels,
    unseen states keep their random initial values N(0, init_scale^2)."""
    out = []
    for s in seeds:
        r = np.random.default_rng([int(s), 7]).normal(0, init_scale, size=train_mask.size)
        r[train_mask] = ytr
        out.append(r)
    return np.stack(out)


def plan(R, succ, gamma, horizon, start):
    """Finite-horizon optimal rollout from ``start`` for rewards R (B, n).

    Reward is collected on each state occupied at t = 1..horizon. Returns the
    final cells (B,) of the optimal trajectories (ties broken towards 'stay').
    """
    R = np.atleast_2d(R)
    B, n = R.shape
    V = np.zeros((B, n))
    policies = []
    for _ in range(horizon):
        Q = R[:, succ] + gamma * V[:, succ]  # (B, n, A): enter successor, collect its reward
        a = Q.argmax(axis=2)
        policies.append(a)
        V = Q.max(axis=2)
    s = np.full(B, start)
    bi = np.arange(B)
    for a in reversed(policies):
        s = succ[s, a[bi, s]]
    return s


def scope_metrics(R, env, gamma=0.95, horizons=(1, 2, 3, 5, 8, 12, 20)):
    """P(optimal rollout ends outside the training region) per planning horizon, and
    'broadness': the share of out-of-region cells whose fitted reward exceeds the
    maximum fitted reward inside the region."""
    train = env["train"]
    leave = []
    for h in horizons:
        end = plan(R, env["succ"], gamma, h, env["start"])
        leave.append(float((~train[end]).mean()))
    inmax = R[:, train].max(axis=1, keepdims=True)
    broad = (R[:, ~train] > inmax + 1e-9).mean(axis=1)
    end = plan(R, env["succ"], gamma, max(horizons), env["start"])
    dist = np.abs(env["cells"][end]).max(axis=1)
    return {"horizons": list(horizons), "p_leave": np.array(leave), "broad": broad, "end_dist": dist}


def fit_rewards(learner, kind, env, seeds, far=0, **kw):
    """Fit a reward model of type ``learner`` to ``kind`` labels on the training region.

    Inputs are positions divided by the training half-width, so the training
    region is [-1, 1]^2 and the world extends to +-half/train_half. With
    ``far`` > 0 the fitted models are also evaluated on the ring of cells at
    Chebyshev radius ``far`` and the predictions there are appended as extra
    columns (callers split them off with ``env["cells"].shape[0]``).
    """
    th = env["train_half"]
    scale = kw.get("input_scale", 1.0) / th
    X = env["cells"] * scale
    if far:
        X = np.vstack([X, far_ring(far) * scale])
    y = target_reward(kind, env["cells"], th)
    tr = env["train"]
    if learner in ("relu", "tanh"):
        pred, mse = fit_mlp(
            X[: len(tr)][tr],
            y[tr],
            X,
            seeds,
            act=learner,
            width=kw.get("width", 32),
            depth=kw.get("depth", 2),
            steps=kw.get("steps", 1500),
            lr=kw.get("lr", 5e-3),
            wd=kw.get("wd", 0.0),
        )
        return pred, mse
    if learner == "rbf":
        p = fit_rbf(X[: len(tr)][tr], y[tr], X, length=kw.get("length", 0.5))
        pred = np.repeat(p[None], len(seeds), axis=0)
        return pred, ((pred[:, : len(tr)][:, tr] - y[tr]) ** 2).mean(axis=1)
    if learner == "tabular":
        trx = np.concatenate([tr, np.zeros(len(X) - len(tr), bool)])
        yx = np.concatenate([y, np.zeros(len(X) - len(tr))])
        pred = fit_tabular(trx, yx[trx], seeds, init_scale=kw.get("init_scale", 0.1))
        return pred, np.zeros(len(seeds))
    raise ValueError(learner)


def far_ring(radius, step=1):
    """Cells on the square ring of Chebyshev radius ``radius`` (cell units)."""
    t = np.arange(-radius, radius + 1, step)
    ring = np.concatenate(
        [
            np.stack([t, np.full_like(t, radius)], 1),
            np.stack([t, np.full_like(t, -radius)], 1),
            np.stack([np.full_like(t, radius), t], 1),
            np.stack([np.full_like(t, -radius), t], 1),
        ]
    )
    return ring.astype(float)


def eventually_leaves(Rfull, env):
    """Share of fitted rewards whose value somewhere on the far ring exceeds their
    maximum over the training region: an agent with a long enough horizon in a large
    enough world would leave the region for it."""
    n = env["cells"].shape[0]
    inmax = Rfull[:, :n][:, env["train"]].max(axis=1)
    return Rfull[:, n:].max(axis=1) > inmax + 1e-9


def asymptotic_slopes(R, env):
    """Slope of the fitted reward on the world's outer ring relative to the region edge,
    in each of the four axis directions (positive = reward keeps rising outward)."""
    cells = env["cells"]
    h, th = env["half"], env["train_half"]
    out = []
    for ax, sgn in ((0, 1), (0, -1), (1, 1), (1, -1)):
        far = (cells[:, ax] == sgn * h) & (np.abs(cells[:, 1 - ax]) <= th)
        edge = (cells[:, ax] == sgn * th) & (np.abs(cells[:, 1 - ax]) <= th)
        out.append((R[:, far].mean(axis=1) - R[:, edge].mean(axis=1)) / (h - th))
    return np.stack(out, axis=1)


def relu_sweep(configs, targets, seeds, far=40, horizon=20):
    """For each (label, kwargs, train_half) config and target kind, fit ReLU reward models
    and return {label|kind: {"eventually", "leave_H", "train_mse"}}."""
    res = {}
    for kind in targets:
        for label, kw, th in configs:
            env = grid(7, th)
            n = env["cells"].shape[0]
            Rf, mse = fit_rewards("relu", kind, env, seeds, far=far, **kw)
            res[f"{label}|{kind}"] = {
                "eventually": round(float(eventually_leaves(Rf, env).mean()), 3),
                "leave_H": round(float(scope_metrics(Rf[:, :n], env, horizons=(horizon,))["p_leave"][0]), 3),
                "train_mse": float(np.round(mse.mean(), 6)),
            }
    return res
