"""Gradient hacking in small, hand-written models: what does and does not protect a parameter.

Three families of constructions, all pure numpy and seeded with
``numpy.random.default_rng(seed)``.  Nothing here plots.

1. **Sabotage and repair** (``sabotage_*``).  A "goal" parameter ``g`` is read out
   directly and a new training phase rewards moving it from ``g0`` to ``g_star``
   (loss ``alpha/2 (g - g_star)^2``).  The model defends ``g`` by emitting a
   sabotage signal ``s(g)`` into its task output, so the task loss gains
   ``1/2 (s(g) + b psi)^2``.  ``psi`` is a *repair* weight on the same output
   channel with gain ``b``: with ``b = 0`` nothing can cancel the sabotage, with
   ``b > 0`` training can learn ``psi = -s(g)/b`` and route around it.  Three
   sabotage shapes: ``none``; ``smooth`` (``s = a (g - g0)``, "perform worse in
   proportion to the change"); ``threshold`` (``s = a clip(|g - g0| - delta, 0,
   width)``, a flat tolerance band and then a bounded wall).

2. **Dormant storage** (``dormant_*``).  A two-factor model ``y_hat = u v x`` is
   fine-tuned on a new target ``y = c x``.  Information can be stored where the
   training loss cannot see it: in a weight ``w`` that is used only on
   deployment inputs (so every per-example gradient on ``w`` is zero), or in the
   quantity ``q = u^2 - v^2``, which gradient flow conserves because the loss
   depends on ``(u, v)`` only through ``u v``.  We measure how much of each
   survives SGD, Adam, L2 weight decay, decoupled weight decay and injected noise.

3. **Exploration hacking** (``exploration_*``).  A two-action softmax policy
   whose logit ``z`` for the rewarded action starts at probability ``p0``.  We
   count the steps until ``p >= 1/2`` under REINFORCE (on-policy, sampled and in
   expectation) and under supervised cross-entropy on demonstrations of the
   rewarded action, and compare with the closed forms of Proposition 6.
"""

from __future__ import annotations

import numpy as np

SABOTAGE = dict(alpha=1.0, a=3.0, g0=0.0, g_star=1.0, delta=0.1, width=0.5)


# --------------------------------------------------------------------- optimizer


def optimize(
    grad_fn, theta0, steps, opt="sgd", lr=0.1, l2=0.0, decoupled_wd=0.0, noise=0.0, beta1=0.9, beta2=0.999, eps=1e-8, seed=0, record_every=1
):
    """Run ``steps`` updates of a vectorised optimizer on ``theta`` of shape (R, d).

    ``grad_fn(theta, rng)`` returns the (possibly stochastic) loss gradient, shape (R, d).
    ``l2`` adds ``l2 * theta`` to the gradient *before* the optimizer sees it (coupled
    L2, as in ``torch.optim.Adam(weight_decay=...)``); ``decoupled_wd`` shrinks the
    weights by ``lr * decoupled_wd * theta`` after the step (AdamW / SGDW); ``noise``
    adds isotropic Gaussian noise of standard deviation ``noise * sqrt(lr)`` per step
    (an Euler-Maruyama discretisation of Langevin dynamics at temperature noise^2/2).
    Returns ``(t, traj)`` with ``traj`` of shape (n_records, R, d).
    """
    rng = np.random.default_rng(seed)
    theta = np.array(theta0, dtype=float, copy=True)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    rec_t, rec = [0], [theta.copy()]
    for k in range(1, steps + 1):
        grad = grad_fn(theta, rng) + l2 * theta
        if opt == "sgd":
            step = grad
        elif opt == "adam":
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            mhat = m / (1 - beta1**k)
            vhat = v / (1 - beta2**k)
            step = mhat / (np.sqrt(vhat) + eps)
        else:
            raise ValueError(f"unknown optimizer {opt!r}")
        theta = theta - lr * step - lr * decoupled_wd * theta
        if noise:
            theta = theta + noise * np.sqrt(lr) * rng.standard_normal(theta.shape)
        if k % record_every == 0 or k == steps:
            rec_t.append(k)
            rec.append(theta.copy())
    return np.array(rec_t), np.stack(rec)


# ------------------------------------------------------------ sabotage and repair


def sabotage_signal(g, kind, a, g0, delta, width):
    """Sabotage output ``s(g)`` and its derivative ``s'(g)``."""
    d = g - g0
    if kind == "none":
        return np.zeros_like(g), np.zeros_like(g)
    if kind == "smooth":
        return a * d, np.full_like(g, a)
    if kind == "threshold":
        excess = np.abs(d) - delta
        inside = (excess > 0) & (excess < width)
        s = a * np.clip(excess, 0.0, width)
        ds = np.where(inside, a * np.sign(d), 0.0)
        return s, ds
    raise ValueError(f"unknown sabotage kind {kind!r}")


def sabotage_loss(g, psi, kind, b, alpha=1.0, a=3.0, g0=0.0, g_star=1.0, delta=0.1, width=0.5):
    """Phase-2 training loss ``alpha/2 (g - g*)^2 + 1/2 (s(g) + b psi)^2`` (broadcasts)."""
    s, _ = sabotage_signal(np.asarray(g, dtype=float), kind, a, g0, delta, width)
    return 0.5 * alpha * (g - g_star) ** 2 + 0.5 * (s + b * psi) ** 2


def sabotage_grad_fn(kind, b, alpha=1.0, a=3.0, g0=0.0, g_star=1.0, delta=0.1, width=0.5):
    """Gradient of :func:`sabotage_loss` for theta = (g, psi), shape (R, 2); ``b`` may be (R,)."""
    b = np.asarray(b, dtype=float)

    def grad(theta, rng):
        g, psi = theta[:, 0], theta[:, 1]
        s, ds = sabotage_signal(g, kind, a, g0, delta, width)
        r = s + b * psi
        return np.stack([alpha * (g - g_star) + r * ds, r * b], axis=1)

    return grad


SAB_CONFIGS = [  # (label, optimizer kwargs)
    ("GD", dict(opt="sgd", lr=0.1)),
    ("GD + noise", dict(opt="sgd", lr=0.1, noise=0.3)),
    ("GD + weight decay", dict(opt="sgd", lr=0.1, decoupled_wd=0.1)),
    ("Adam", dict(opt="adam", lr=0.01)),
]


def sabotage_table(kinds=("none", "smooth", "threshold"), bs=(0.0, 0.1, 1.0), steps=3000, n_seeds=8, seed=0, **params):
    """Fraction of the way from ``g0`` to ``g*`` travelled after ``steps`` updates.

    Returns a dict with ``frac[kind][b][config]`` = (mean, min, max) over ``n_seeds`` runs
    (deterministic configurations give identical runs), plus the loss at the end.
    """
    p = dict(SABOTAGE, **params)
    out = {"frac": {}, "loss": {}, "steps": steps, "n_seeds": n_seeds, "params": p, "configs": [c for c, _ in SAB_CONFIGS]}
    for kind in kinds:
        out["frac"][kind], out["loss"][kind] = {}, {}
        for b in bs:
            out["frac"][kind][b], out["loss"][kind][b] = {}, {}
            for i, (label, kw) in enumerate(SAB_CONFIGS):
                theta0 = np.tile([p["g0"], 0.0], (n_seeds, 1))
                _, traj = optimize(sabotage_grad_fn(kind, b, **p), theta0, steps, seed=seed + 97 * i, record_every=steps, **kw)
                g = traj[-1, :, 0]
                frac = (g - p["g0"]) / (p["g_star"] - p["g0"])
                loss = sabotage_loss(g, traj[-1, :, 1], kind, b, **p)
                out["frac"][kind][b][label] = (float(frac.mean()), float(frac.min()), float(frac.max()))
                out["loss"][kind][b][label] = float(loss.mean())
    return out


def sabotage_trajectories(kind="threshold", b=0.3, steps_gd=2500, steps_adam=2500, lr_gd=0.1, lr_adam=0.01, record_every=20, **params):
    """GD and Adam trajectories in the (g, psi) plane from (g0, 0), plus the loss surface."""
    p = dict(SABOTAGE, **params)
    theta0 = np.array([[p["g0"], 0.0]])
    t_gd, tr_gd = optimize(sabotage_grad_fn(kind, b, **p), theta0, steps_gd, opt="sgd", lr=lr_gd, record_every=record_every)
    t_ad, tr_ad = optimize(sabotage_grad_fn(kind, b, **p), theta0, steps_adam, opt="adam", lr=lr_adam, record_every=record_every)
    return {"t_gd": t_gd, "gd": tr_gd[:, 0, :], "t_adam": t_ad, "adam": tr_ad[:, 0, :], "params": p, "b": b, "kind": kind}


def loss_surface(kind, b, g_range=(-0.3, 1.3), psi_range=(-6.0, 1.0), n=121, **params):
    p = dict(SABOTAGE, **params)
    G, P = np.meshgrid(np.linspace(*g_range, n), np.linspace(*psi_range, n))
    return G, P, sabotage_loss(G, P, kind, b, **p)


def profile_losses(g, **params):
    """Loss along g with no repair (psi = 0) and with repair optimised out (min over psi, b > 0)."""
    p = dict(SABOTAGE, **params)
    no_repair = {k: sabotage_loss(g, 0.0, k, 0.0, **p) for k in ("none", "smooth", "threshold")}
    repaired = 0.5 * p["alpha"] * (g - p["g_star"]) ** 2
    return no_repair, repaired


def coupled_rates(b, alpha=1.0, a=3.0):
    """Eigenvalues of the Hessian of the smooth coupled model and the bounds of Proposition 4."""
    b = np.asarray(b, dtype=float)
    T = alpha + a * a + b * b
    D = alpha * b * b
    disc = np.sqrt(T * T - 4 * D)
    return {"lam_fast": (T + disc) / 2, "lam_slow": (T - disc) / 2, "lower": D / T, "upper": 2 * D / T}


def repair_scaling(bs=(1.0, 0.5, 0.25, 0.125, 0.0625), kind="smooth", lr_gd=0.1, lr_adam=0.01, max_steps=40000, target=0.5, **params):
    """Steps until g has travelled ``target`` of the way to g*, vs repair gain b, for GD and Adam.

    All b values run in one vectorised call per optimizer.  Censored runs report ``max_steps``.
    """
    p = dict(SABOTAGE, **params)
    bs = np.asarray(bs, dtype=float)
    theta0 = np.tile([p["g0"], 0.0], (len(bs), 1))
    res = {"b": bs, "params": p, "max_steps": max_steps}
    for name, kw in (("gd", dict(opt="sgd", lr=lr_gd)), ("adam", dict(opt="adam", lr=lr_adam))):
        t, traj = optimize(sabotage_grad_fn(kind, bs, **p), theta0, max_steps, record_every=10, **kw)
        frac = (traj[:, :, 0] - p["g0"]) / (p["g_star"] - p["g0"])
        hit = frac >= target
        first = np.where(hit.any(axis=0), t[np.argmax(hit, axis=0)], max_steps)
        res[f"steps_{name}"] = first.astype(float)
        res[f"censored_{name}"] = ~hit.any(axis=0)
        res[f"t_{name}"] = t
        res[f"frac_{name}"] = frac
    rates = coupled_rates(bs, p["alpha"], p["a"])
    res["lam_slow"] = rates["lam_slow"]
    # gradient-flow prediction for GD: initial jump to alpha/(alpha+a^2) of the way, then slow mode
    f0 = p["alpha"] / (p["alpha"] + p["a"] ** 2)
    res["pred_gd"] = np.log((1 - f0) / (1 - target)) / (lr_gd * rates["lam_slow"])
    return res


def fit_slope(x, y):
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# --------------------------------------------------------------- dormant storage

DORMANT = dict(u0=2.0, v0=0.6, w0=1.0, c=0.8, n_data=256, batch=16)


def dormant_grad_fn(x, y, batch):
    """Minibatch gradient of 1/2 mean (u v x - y)^2 for theta = (u, v, w); w is never used on
    training inputs, so its gradient is exactly zero on every example."""
    n = len(x)

    def grad(theta, rng):
        idx = rng.integers(0, n, size=(theta.shape[0], batch))
        xb, yb = x[idx], y[idx]
        u, v = theta[:, 0:1], theta[:, 1:2]
        e = (u * v * xb - yb) * xb
        ge = e.mean(axis=1)
        return np.stack([ge * theta[:, 1], ge * theta[:, 0], np.zeros_like(ge)], axis=1)

    return grad


DORMANT_CONFIGS = [
    ("SGD, lr 0.01", dict(opt="sgd", lr=0.01)),
    ("SGD, lr 0.1", dict(opt="sgd", lr=0.1)),
    ("SGD + noise 0.02", dict(opt="sgd", lr=0.01, noise=0.02)),
    ("SGD + L2 1e-3", dict(opt="sgd", lr=0.01, l2=1e-3)),
    ("Adam", dict(opt="adam", lr=0.01)),
    ("Adam + L2 1e-3", dict(opt="adam", lr=0.01, l2=1e-3)),
    ("AdamW, wd 1e-3", dict(opt="adam", lr=0.01, decoupled_wd=1e-3)),
]


def dormant_storage(steps=3000, n_seeds=8, seed=0, configs=None, record_every=50, **params):
    """Retention of the two stored quantities under each optimizer configuration.

    Returns per configuration: time axis, mean trajectories of q/q0 and w/w0, their final
    values (mean, min, max over seeds) and the final training loss.
    """
    p = dict(DORMANT, **params)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(p["n_data"])
    y = p["c"] * x
    theta0 = np.tile([p["u0"], p["v0"], p["w0"]], (n_seeds, 1))
    q0 = p["u0"] ** 2 - p["v0"] ** 2
    out = {"params": p, "q0": q0, "steps": steps, "n_seeds": n_seeds, "runs": {}}
    for i, (label, kw) in enumerate(configs or DORMANT_CONFIGS):
        t, traj = optimize(dormant_grad_fn(x, y, p["batch"]), theta0, steps, seed=seed + 31 * (i + 1), record_every=record_every, **kw)
        u, v, w = traj[..., 0], traj[..., 1], traj[..., 2]
        q = (u**2 - v**2) / q0
        wr = w / p["w0"]
        loss = 0.5 * np.mean((u[-1][:, None] * v[-1][:, None] * x[None] - y[None]) ** 2, axis=1)
        out["runs"][label] = {
            "t": t,
            "q": q.mean(axis=1),
            "w": wr.mean(axis=1),
            "q_final": (float(q[-1].mean()), float(q[-1].min()), float(q[-1].max())),
            "w_final": (float(wr[-1].mean()), float(wr[-1].min()), float(wr[-1].max())),
            "uv_final": float((u[-1] * v[-1]).mean()),
            "loss_final": float(loss.mean()),
        }
    return out


def balancedness_step(u, v, e, lr):
    """One exact GD step on 1/2 (u v - c)^2 with residual e = u v - c: returns new (u, v).

    Used to check Proposition 5(e): (u'^2 - v'^2) = (u^2 - v^2)(1 - lr^2 e^2)."""
    return u - lr * e * v, v - lr * e * u


# ------------------------------------------------------------ exploration hacking


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def exploration_theory(p0):
    """Gradient-flow times to reach p = 1/2 from p0 (Proposition 6), in units of 1/lr."""
    p0 = np.asarray(p0, dtype=float)
    L = np.log((1 - p0) / p0)
    t_rl = 2 * L + (1 - p0) / p0 - p0 / (1 - p0)
    t_sl = L + 1 - p0 / (1 - p0)
    return t_rl, t_sl


def exploration(p0s=(0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4), n_seeds=32, n_samples=8, lr=1.0, max_steps=20000, seed=0):
    """Steps until the rewarded action has probability >= 1/2.

    ``rl``: REINFORCE with ``n_samples`` on-policy samples per step, reward 1 for the rewarded
    action and 0 otherwise (no baseline; with 0/1 rewards a mean baseline changes only the
    variance).  ``rl_mean``: the same update in expectation (deterministic).  ``sl``: one
    cross-entropy step per step on a demonstration of the rewarded action.
    """
    rng = np.random.default_rng(seed)
    p0s = np.asarray(p0s, dtype=float)
    z0 = np.log(p0s / (1 - p0s))
    P = len(p0s)
    z_rl = np.repeat(z0[:, None], n_seeds, axis=1)
    z_mean, z_sl = z0.copy(), z0.copy()
    t_rl = np.full((P, n_seeds), np.nan)
    t_mean = np.full(P, np.nan)
    t_sl = np.full(P, np.nan)
    first_hit = np.full((P, n_seeds), np.nan)  # first step at which a rewarded action was sampled
    for k in range(1, max_steps + 1):
        p = _sigmoid(z_rl)
        hits = rng.binomial(n_samples, p)
        first_hit = np.where(np.isnan(first_hit) & (hits > 0), k, first_hit)
        z_rl = z_rl + lr * (hits / n_samples) * (1 - p)
        pm = _sigmoid(z_mean)
        z_mean = z_mean + lr * pm * (1 - pm)
        z_sl = z_sl + lr * (1 - _sigmoid(z_sl))
        t_rl = np.where(np.isnan(t_rl) & (z_rl >= 0), k, t_rl)
        t_mean = np.where(np.isnan(t_mean) & (z_mean >= 0), k, t_mean)
        t_sl = np.where(np.isnan(t_sl) & (z_sl >= 0), k, t_sl)
        if not np.isnan(t_rl).any() and not np.isnan(t_mean).any():
            break
    th_rl, th_sl = exploration_theory(p0s)
    censored = np.isnan(t_rl)
    t_rl_c = np.where(censored, max_steps, t_rl)
    return {
        "p0": p0s,
        "t_rl": t_rl_c,
        "censored": censored,
        "t_rl_median": np.median(t_rl_c, axis=1),
        "t_rl_q25": np.quantile(t_rl_c, 0.25, axis=1),
        "t_rl_q75": np.quantile(t_rl_c, 0.75, axis=1),
        "t_rl_mean_update": t_mean,
        "t_sl": t_sl,
        "theory_rl": th_rl / lr,
        "theory_sl": th_sl / lr,
        "first_hit_median": np.nanmedian(np.where(np.isnan(first_hit), max_steps, first_hit), axis=1),
        "n_seeds": n_seeds,
        "n_samples": n_samples,
        "lr": lr,
        "max_steps": max_steps,
    }
