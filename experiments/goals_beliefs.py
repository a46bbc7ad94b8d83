"""Goals versus beliefs under continued gradient descent: a controlled toy.

An agent acts in a linear contextual bandit. It holds two kinds of parameters:

* **beliefs** ``W_hat`` (shape K x m x d): a world model predicting the outcome
  vector ``o = W[a] s + noise`` of action ``a`` in context ``s``;
* a **goal** ``g_hat`` (shape m): the weights with which the agent scores
  predicted outcomes.

The policy is ``pi(a | s) = softmax_a(beta * g_hat . W_hat[a] s)``.  The true
reward is ``r = g . o + noise``.  After the agent has converged (we initialise
it at the truth), either the world (``W``) or the goal the trainer rewards
(``g``) is resampled, and we count the training steps the agent needs to
recover 90% of its pre-shift normalised performance.

Each kind of parameter can be trained by one of two *signals*:

* ``"regression"``: a dense, supervised error.  Beliefs regress the observed
  outcome vector (m numbers per sample); the goal regresses the observed reward
  onto the observed outcome (a learned reward model).
* ``"pg"``: a REINFORCE policy gradient of the expected reward, with the
  agent's own value estimate as baseline.  Its score term carries a factor
  ``(1[a=k] - pi_k)`` that vanishes as the policy saturates.

The standard agent trains beliefs by regression and its goal by policy
gradient, which is the situation Ngo's conjecture concerns.  Swapping the
signals is the control that separates *what* is learned (goal or belief) from
*how* it is learned (dense regression or sparse, saturating reward).

Everything is vectorised over runs: each run has its own world, its own
``beta``, learning rates and noise levels, so a whole grid is one call.
Pure numpy; all randomness comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np

DEFAULTS = dict(
    K=4,  # actions
    m=3,  # outcome dimensions (goal parameters)
    d=5,  # context dimensions
    lr_belief=0.2,
    lr_goal=0.2,
    sigma_o=0.3,  # outcome noise (per dimension)
    sigma_r=0.3,  # extra reward noise
    steps=3000,
    batch=4,  # contexts per step
    group=4,  # sampled actions per context
    eval_every=10,
    n_eval=128,
    threshold=0.9,
)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class _Adam:
    """Elementwise Adam for gradient *ascent*; lr is applied by the caller."""

    def __init__(self, shape, b1=0.9, b2=0.999, eps=1e-8):
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)
        self.b1, self.b2, self.eps, self.t = b1, b2, eps, 0

    def step(self, g: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        mh = self.m / (1 - self.b1**self.t)
        vh = self.v / (1 - self.b2**self.t)
        return mh / (np.sqrt(vh) + self.eps)


def _as_runs(x, n: int) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return np.broadcast_to(a, (n,)).copy() if a.ndim == 0 else a


def simulate(
    shift: str,
    beta,
    *,
    lr_belief=DEFAULTS["lr_belief"],
    lr_goal=DEFAULTS["lr_goal"],
    sigma_o=DEFAULTS["sigma_o"],
    sigma_r=DEFAULTS["sigma_r"],
    goal_signal: str = "pg",
    belief_signal: str = "regression",
    optimizer: str = "sgd",
    K: int = DEFAULTS["K"],
    m: int = DEFAULTS["m"],
    d: int = DEFAULTS["d"],
    steps: int = DEFAULTS["steps"],
    batch: int = DEFAULTS["batch"],
    group: int = DEFAULTS["group"],
    eval_every: int = DEFAULTS["eval_every"],
    n_eval: int = DEFAULTS["n_eval"],
    threshold: float = DEFAULTS["threshold"],
    seed: int = 0,
    record: bool = True,
) -> dict:
    """Run a batch of independent agents through one shift and return recovery data.

    ``beta``, ``lr_belief``, ``lr_goal``, ``sigma_o`` and ``sigma_r`` may be scalars
    or 1-D arrays of equal length R (one entry per run).  ``shift`` is
    ``"world"`` (resample W), ``"goal"`` (resample g) or ``"none"`` (control).

    Returns a dict with ``steps`` (evaluation times), ``perf`` (R x n_evals
    normalised performance, 1 = optimal, 0 = uniform random policy), ``p_pre``
    (pre-shift performance), ``tau`` (first evaluation step at which
    perf >= threshold * p_pre; ``steps`` if never: censored), ``censored``.

    With ``record=False`` only the recovery data are computed: a run stops being
    simulated once it has recovered, and the loop ends when every run has, so
    ``perf`` is None.  Every random number is still drawn for every run in the
    same order, so each run's trajectory until its recovery, and hence ``tau``,
    is the one ``record=True`` produces.
    """
    if shift not in ("world", "goal", "none"):
        raise ValueError(f"unknown shift {shift!r}")
    for name, sig in (("goal_signal", goal_signal), ("belief_signal", belief_signal)):
        if sig not in ("pg", "regression"):
            raise ValueError(f"unknown {name} {sig!r}")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}")

    arrays = [np.asarray(x) for x in (beta, lr_belief, lr_goal, sigma_o, sigma_r)]
    R = max(a.size for a in arrays)
    beta, lr_b, lr_g, s_o, s_r = (_as_runs(a, R) for a in arrays)

    rng = np.random.default_rng(seed)
    # Worlds: W[a] s has unit variance per outcome dimension when s ~ N(0, I/d).
    W_old = rng.standard_normal((R, K, m, d))
    W_new = rng.standard_normal((R, K, m, d))
    g_old = rng.standard_normal((R, m))
    g_old /= np.linalg.norm(g_old, axis=1, keepdims=True)
    g_new = rng.standard_normal((R, m))
    g_new /= np.linalg.norm(g_new, axis=1, keepdims=True)
    S_eval = rng.standard_normal((R, n_eval, d)) / np.sqrt(d)

    # Converged agent: beliefs equal the old world, goal equals the old goal.
    W_hat = W_old.copy()
    # In "pg" mode the goal vector carries the inverse temperature in its norm
    # (logits = g_hat . W_hat s), as a logit layer does; in "regression" mode
    # g_hat is a reward model and beta multiplies it in the policy.
    g_scale = beta[:, None] if goal_signal == "pg" else np.ones((R, 1))
    g_hat = g_old * g_scale
    temp = np.ones(R) if goal_signal == "pg" else beta

    W_true = W_new if shift == "world" else W_old
    g_true = g_new if shift == "goal" else g_old

    def true_rewards(Wt, gt):
        return np.einsum("rkd,red->rek", np.einsum("rkmd,rm->rkd", Wt, gt), S_eval)

    def performance(mu, W_hat=W_hat, g_hat=g_hat, S_eval=S_eval, temp=temp):
        v = S_eval @ np.einsum("rkmd,rm->rkd", W_hat, g_hat).transpose(0, 2, 1)  # (R, n_eval, K)
        pi = _softmax(temp[:, None, None] * v)
        got = (pi * mu).sum(-1).mean(-1)
        unif = mu.mean(-1).mean(-1)
        best = mu.max(-1).mean(-1)
        performance.pmax = pi.max(-1).mean(-1)
        return (got - unif) / (best - unif)

    p_pre = performance(true_rewards(W_old, g_old))
    pmax_pre = performance.pmax  # mean probability of the preferred action
    mu_true = true_rewards(W_true, g_true)
    n_evals = steps // eval_every + 1
    eval_steps = np.arange(n_evals) * eval_every
    p0 = performance(mu_true)
    perf = np.empty((R, n_evals)) if record else None
    if record:
        perf[:, 0] = p0
    tau = np.full(R, float(steps))
    reached = p0 >= threshold * p_pre
    tau[reached] = 0.0
    # `live` indexes the runs still simulated (all of them when recording curves).
    live = np.arange(R) if record else np.flatnonzero(~reached)
    full = record or live.size == R
    if not full:
        W_hat, g_hat, S_eval, mu_true = W_hat[live], g_hat[live], S_eval[live], mu_true[live]
    lrb, lrg, so, sr, tmp, Wt, gt = (x[live] for x in (lr_b, lr_g, s_o, s_r, temp, W_true, g_true))
    opt_W = _Adam(W_hat.shape) if optimizer == "adam" else None
    opt_g = _Adam(g_hat.shape) if optimizer == "adam" else None
    eye = np.eye(K)
    n = batch * group
    sqd = np.sqrt(d)

    for t in range(1, steps + 1):
        if live.size == 0:
            break
        # Draw for all R runs, in the original order, then keep the live ones.
        s_all = rng.standard_normal((R, batch, d))
        u_all = rng.random((R, batch, group, 1))
        no_all = rng.standard_normal((R, batch, group, m))
        nr_all = rng.standard_normal((R, batch, group))
        if full:
            s, u, no, nr = s_all / sqd, u_all, no_all, nr_all
        else:
            s, u, no, nr = s_all[live] / sqd, u_all[live], no_all[live], nr_all[live]
        O_hat = np.einsum("rkmd,rbd->rbkm", W_hat, s)
        v = np.einsum("rbkm,rm->rbk", O_hat, g_hat)
        pi = _softmax(tmp[:, None, None] * v)
        # A group of `group` actions is sampled per context (as in GRPO).
        a = (pi.cumsum(-1)[:, :, None, :] < u).sum(-1).clip(max=K - 1)  # (L,B,G)
        A = eye[a]  # one-hot (L, B, G, K)
        # Outcome of each sampled action: predict all K, then pick (same sums as gathering W first).
        o = np.take_along_axis(np.einsum("rkmd,rbd->rbkm", Wt, s), a[..., None], axis=2)
        o += so[:, None, None, None] * no
        r = np.einsum("rbgm,rm->rbg", o, gt)
        r += sr[:, None, None] * nr
        adv = r - r.mean(-1, keepdims=True)  # group-mean baseline

        O_a = np.take_along_axis(O_hat, a[..., None], axis=2)  # = einsum("rbgk,rbkm->rbgm", A, O_hat)
        # Belief gradient (ascent direction).
        if belief_signal == "regression":
            gW = np.einsum("rbkm,rbd->rkmd", np.einsum("rbgk,rbgm->rbkm", A, o - O_a), s) / n
        else:
            coef = (A - pi[:, :, None, :]) * adv[..., None]  # (L,B,G,K)
            gW = np.einsum("rbk,rm,rbd->rkmd", coef.sum(2), g_hat, s, optimize=True) / n
            gW *= tmp[:, None, None, None]
        # Goal gradient (ascent direction).
        if goal_signal == "pg":
            score = O_a - np.einsum("rbk,rbkm->rbm", pi, O_hat)[:, :, None, :]
            gG = np.einsum("rbg,rbgm->rm", adv, score) / n
        else:
            pred = np.einsum("rbgm,rm->rbg", o, g_hat)
            gG = np.einsum("rbg,rbgm->rm", r - pred, o) / n

        if optimizer == "adam":
            gW, gG = opt_W.step(gW), opt_g.step(gG)
        W_hat += lrb[:, None, None, None] * gW
        g_hat += lrg[:, None] * gG

        if t % eval_every == 0:
            p = performance(mu_true, W_hat, g_hat, S_eval, tmp)
            if record:
                perf[:, t // eval_every] = p
                new = ~reached & (p >= threshold * p_pre)
                tau[new] = t
                reached |= new
            else:
                hit = p >= threshold * p_pre[live]
                if hit.any():
                    tau[live[hit]] = t
                    reached[live[hit]] = True
                    keep = ~hit
                    live = live[keep]
                    full = False
                    W_hat, g_hat, S_eval, mu_true = W_hat[keep], g_hat[keep], S_eval[keep], mu_true[keep]
                    lrb, lrg, so, sr, tmp, Wt, gt = (x[keep] for x in (lrb, lrg, so, sr, tmp, Wt, gt))
                    if optimizer == "adam":
                        for op in (opt_W, opt_g):
                            op.m, op.v = op.m[keep], op.v[keep]

    return dict(
        steps=eval_steps,
        perf=perf,
        p_pre=p_pre,
        p_post0=p0,
        pmax_pre=pmax_pre,
        tau=tau,
        censored=~reached,
        beta=beta,
        lr_belief=lr_b,
        lr_goal=lr_g,
        sigma_o=s_o,
        sigma_r=s_r,
    )


def grid(values: dict, n_seeds: int) -> dict:
    """Cartesian product of per-run settings, each repeated for ``n_seeds`` runs.

    ``values`` maps a name to a list; returns name -> flat array of length
    prod(len) * n_seeds, ordered with seeds fastest.
    """
    names = list(values)
    mesh = np.meshgrid(*[np.asarray(values[k], dtype=float) for k in names], indexing="ij")
    return {k: np.repeat(g.ravel(), n_seeds) for k, g in zip(names, mesh)}


def recovery_table(shift_kwargs: dict, values: dict, n_seeds: int = 12, seed: int = 0, **kw):
    """Run ``simulate`` for both shifts on the same grid and summarise per cell.

    Returns a dict with the grid axes, median tau for the world shift and the
    goal shift, their ratio (goal / world), interquartile ranges of the
    per-seed log ratio, and censoring fractions.  The two shifts use the same
    seed so runs are paired (same worlds, same initial goals).
    """
    g = grid(values, n_seeds)
    out = {}
    for shift in ("world", "goal"):
        res = simulate(shift, seed=seed, record=False, **{**g, **shift_kwargs, **kw})
        out[shift] = res
    shape = [len(v) for v in values.values()] + [n_seeds]
    tw = out["world"]["tau"].reshape(shape)
    tg = out["goal"]["tau"].reshape(shape)
    # Avoid log(0): a run that is already above threshold after the shift
    # counts as recovering within one evaluation interval.
    ev = kw.get("eval_every", DEFAULTS["eval_every"])
    lr = np.log10(np.maximum(tg, ev) / np.maximum(tw, ev))
    return dict(
        axes={k: np.asarray(v, dtype=float) for k, v in values.items()},
        tau_world=np.median(tw, axis=-1),
        tau_goal=np.median(tg, axis=-1),
        log10_ratio_median=np.median(lr, axis=-1),
        log10_ratio_q25=np.quantile(lr, 0.25, axis=-1),
        log10_ratio_q75=np.quantile(lr, 0.75, axis=-1),
        censored_world=out["world"]["censored"].reshape(shape).mean(-1),
        censored_goal=out["goal"]["censored"].reshape(shape).mean(-1),
        p_pre=out["world"]["p_pre"].reshape(shape).mean(-1),
        p_post0_world=out["world"]["p_post0"].reshape(shape).mean(-1),
        p_post0_goal=out["goal"]["p_post0"].reshape(shape).mean(-1),
        pmax_pre=out["world"]["pmax_pre"].reshape(shape).mean(-1),
        n_seeds=n_seeds,
    )


# ---------------------------------------------------------------------------
# The sweeps reported in the post.  Each call runs in about 10-25 s on 2 cores.
# ---------------------------------------------------------------------------

BETAS = [1.0, 2.0, 4.0, 8.0, 16.0]

SIGNALS = {
    "standard": ("pg", "regression"),  # goal by policy gradient, beliefs by regression
    "reward-model": ("regression", "regression"),  # goal by reward regression
    "model-free": ("pg", "pg"),  # both by policy gradient
    "inverted": ("regression", "pg"),  # goal by regression, beliefs by policy gradient
}


def beta_sweep(
    *,
    lr_ratio: float = 1.0,
    optimizer: str = "sgd",
    signals: str = "standard",
    n_seeds: int = 12,
    steps: int = 3000,
    seed: int = 0,
    betas=BETAS,
) -> dict:
    """Recovery after a world shift and a goal shift, as a function of beta.

    ``lr_ratio`` = goal learning rate / belief learning rate.  Under SGD the belief
    learning rate is DEFAULTS["lr_belief"] (0.2); under Adam it is 0.03.
    """
    gs, bs = SIGNALS[signals]
    lr_b = DEFAULTS["lr_belief"] if optimizer == "sgd" else 0.03
    tab = recovery_table(
        {"goal_signal": gs, "belief_signal": bs, "optimizer": optimizer},
        {"beta": list(betas)},
        n_seeds=n_seeds,
        steps=steps,
        seed=seed,
        lr_belief=lr_b,
        lr_goal=lr_b * lr_ratio,
    )
    tab.update(lr_ratio=lr_ratio, optimizer=optimizer, signals=signals, lr_belief=lr_b, lr_goal=lr_b * lr_ratio, steps=steps)
    return tab


def confound_sweep(
    d: int = 5,
    *,
    beta: float = 8.0,
    noises=(0.1, 0.3, 1.0),
    n_seeds: int = 12,
    steps: int = 3000,
    seed: int = 0,
) -> dict:
    """Standard agent at fixed beta, equal SGD learning rates: noise x context dimension.

    Outcome noise and reward noise are set equal.  The context dimension d sets
    the belief parameter count (K*m*d) while the goal keeps m parameters; the
    input scaling keeps the per-step signal size fixed.
    """
    noises = [float(x) for x in noises]
    tab = recovery_table(
        {"d": int(d)},
        {"sigma_o": noises},
        n_seeds=n_seeds,
        steps=steps,
        seed=seed,
        beta=beta,
        sigma_r=np.repeat(np.asarray(noises), n_seeds),
    )
    tab.update(d=int(d), beta=beta, belief_params=DEFAULTS["K"] * DEFAULTS["m"] * int(d), goal_params=DEFAULTS["m"], steps=steps)
    return tab
