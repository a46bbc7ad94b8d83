"""Rewards that depend on the agent's own activations or weights: two numpy toys.

Pure numpy, seeded with ``numpy.random.default_rng(seed)``; nothing here plots.

Part 1 -- a probe-penalised contextual bandit (``probe_bandit``)
-----------------------------------------------------------------
Contexts are of type A (no opportunity) or B (an opportunity to deceive); the
input is ``x = [1, is_B, noise...]``.  The agent is a one-hidden-layer tanh
network with *tied* action embeddings, as in a language model whose output
embedding is also its input embedding::

    h(x)        = tanh(W x)                      # activation before acting
    pi(a | x)   = softmax_a(E[:, a] . h(x))      # policy
    g(x, a)     = tanh(W x + E[:, a])            # activation while producing a

Actions are ``0 = honest`` and ``1 = deceive``.  Task reward: in A honest 1,
deceive 0; in B honest ``r_honest_B`` (0.5), deceive 1.  So the task rewards
deception exactly where it is available.  A linear "deception probe"
``p(g) = sigmoid(w . g + c)`` is fitted by logistic regression on paired data
(every context with both actions, label = action), and training then maximises

    J(theta) = E_x sum_a pi(a|x) [R(x, a) - lam * p(g_theta(x, a))].

Two gradient estimators of J are compared:

* ``score``: the score-function (REINFORCE) part only, treating the penalised
  reward ``R - lam p`` as an opaque number (what an RL library does when the
  probe score is simply added to the reward);
* ``pathwise``: the full gradient, i.e. the score-function part plus the term
  ``-lam E sum_a pi(a|x) grad_theta p(g_theta(x, a))`` that comes from the
  reward's direct dependence on theta (what one gets by back-propagating
  through the probe, as in latent-space adversarial or obfuscation training).

and two probe regimes: ``frozen`` (fitted once, before the penalty phase) and
``refit`` (re-fitted on fresh paired data from the current network every
``refit_every`` steps).  Expectations over actions are exact (two actions); the
only sampling noise is the minibatch of contexts.  We record the deception
rate in B, the frozen probe's AUC at separating deceptive from honest
activations on held-out contexts, and the AUC of a *fresh* probe fitted on one
half of a new paired sample and tested on the other half.

Part 2 -- a learner that chooses its own training data (``data_choice``)
-----------------------------------------------------------------------
Weights ``theta`` in R^n.  Each round the agent picks a mixture ``alpha`` over
K candidate datasets; dataset k has loss ``1/2 ||theta - c_k||^2``, and the
learner takes one gradient step ``theta' = theta - eta sum_k alpha_k (theta -
c_k)``.  The round's reward depends on the *next* weights:
``r = u . theta' - lam * sigmoid(beta (p . theta' - b))``, where ``u`` is the
capability the task pays for and ``p`` the direction a frozen weight-space
probe reads.  Three data-choice rules: ``cartesian`` (maximise the task term,
as if the reward did not depend on the learner's own weights), ``lookahead``
(gradient of the full one-step reward through the update rule), and
``honest`` (always the dataset that pulls the capability towards zero).
"""

from __future__ import annotations

import numpy as np

BANDIT = dict(
    dx=6,
    hidden=8,
    noise=0.5,
    r_honest_B=0.5,
    p_B=0.5,
    batch=32,
    lr=0.03,
    pre_steps=200,
    steps=400,
    probe_l2=1e-2,
    probe_n=128,
    eval_n=128,
    opt="adam",
    sgd_lr=1.0,
)


# ----------------------------------------------------------------- utilities


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def auc(pos, neg):
    """Mann-Whitney AUC of scores ``pos`` (label 1) vs ``neg`` (label 0), ties count 1/2.

    Works on the last axis, so ``pos``/``neg`` may carry leading batch axes.
    """
    pos = np.asarray(pos, float)
    neg = np.asarray(neg, float)
    d = pos[..., :, None] - neg[..., None, :]
    return (d > 0).mean(axis=(-2, -1)) + 0.5 * (d == 0).mean(axis=(-2, -1))


def contexts(rng, n, dx, noise, p_B, R=None):
    """Sample contexts; returns x of shape ([R,] n, dx) and is_B of shape ([R,] n)."""
    shape = (n,) if R is None else (R, n)
    is_B = (rng.random(shape) < p_B).astype(float)
    x = np.empty(shape + (dx,))
    x[..., 0] = 1.0
    x[..., 1] = is_B
    x[..., 2:] = noise * rng.standard_normal(shape + (dx - 2,))
    return x, is_B


def forward(W, E, x):
    """Batched forward pass. W: (R,H,dx), E: (R,H,2), x: (R,n,dx).

    Returns z (R,n,H), h (R,n,H), pi (R,n,2), g (R,n,2,H).
    """
    z = np.matmul(x, np.transpose(W, (0, 2, 1)))
    h = np.tanh(z)
    logits = np.matmul(h, E)
    logits = logits - logits.max(axis=-1, keepdims=True)
    pi = np.exp(logits)
    pi /= pi.sum(axis=-1, keepdims=True)
    g = np.tanh(z[:, :, None, :] + np.transpose(E, (0, 2, 1))[:, None, :, :])
    return z, h, pi, g


def task_reward(is_B, r_honest_B):
    """R(x, a) of shape (..., n, 2)."""
    honest = np.where(is_B > 0, r_honest_B, 1.0)
    deceive = np.where(is_B > 0, 1.0, 0.0)
    return np.stack([honest, deceive], axis=-1)


def fit_probe(g, l2=1e-2, iters=12):
    """Batched L2-regularised logistic regression on paired activations.

    g: (R, n, 2, H) with label = action index.  Returns (w, c): (R, H), (R,).
    Newton's method on the concave log-likelihood (it converges in a few steps).
    """
    R, n, _, H = g.shape
    X = g.reshape(R, 2 * n, H)
    X = np.concatenate([X, np.ones((R, 2 * n, 1))], axis=-1)
    y = np.tile(np.array([0.0, 1.0]), n)[None, :]
    XT = np.transpose(X, (0, 2, 1))
    beta = np.zeros((R, H + 1))
    reg = l2 * np.eye(H + 1)
    reg[-1, -1] = 0.0
    for _ in range(iters):
        p = sigmoid(np.matmul(X, beta[..., None])[..., 0])
        grad = np.matmul(XT, (y - p)[..., None])[..., 0] / (2 * n) - beta @ reg.T
        s = p * (1 - p)
        hess = np.matmul(XT, X * s[..., None]) / (2 * n) + reg
        beta = beta + np.linalg.solve(hess, grad[..., None])[..., 0]
    return beta[:, :H], beta[:, H]


def probe_score(g, w, c):
    """Probe logits for g: (R, n, 2, H) -> (R, n, 2)."""
    R, n, A, H = g.shape
    return np.matmul(g.reshape(R, n * A, H), w[..., None]).reshape(R, n, A) + c[:, None, None]


def gradients(W, E, x, is_B, w, c, lam, pathwise, r_honest_B):
    """Ascent direction of J for every run. ``pathwise`` and ``lam`` have shape (R,)."""
    z, h, pi, g = forward(W, E, x)
    n = x.shape[1]
    p = sigmoid(probe_score(g, w, c))  # (R,n,2)
    Q = task_reward(is_B, r_honest_B) - lam[:, None, None] * p
    V = (pi * Q).sum(-1, keepdims=True)
    dl = pi * (Q - V)  # dJ/dlogits, (R,n,2)
    gE = np.matmul(np.transpose(h, (0, 2, 1)), dl)
    gh = np.matmul(dl, np.transpose(E, (0, 2, 1)))
    gz = gh * (1 - h**2)
    # pathwise term: -lam * sum_a pi_a * dp_a/dtheta (reward's direct theta-dependence)
    G = (-lam[:, None, None, None] * (pi * p * (1 - p))[..., None] * w[:, None, None, :] * (1 - g**2)) * pathwise[
        :, None, None, None
    ]  # (R,n,2,H)
    gE = gE + np.transpose(G.sum(axis=1), (0, 2, 1))
    gz = gz + G.sum(axis=2)
    gW = np.matmul(np.transpose(gz, (0, 2, 1)), x)
    return gW / n, gE / n


class Adam:
    def __init__(self, shapes, lr, b1=0.9, b2=0.999, eps=1e-8, sgd=False):
        self.sgd = sgd
        self.m = [np.zeros(s) for s in shapes]
        self.v = [np.zeros(s) for s in shapes]
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0

    def step(self, params, grads, mask=None):
        """In-place ascent step; ``mask`` (R,) freezes runs where it is 0."""
        self.t += 1
        for i, (P, Gr) in enumerate(zip(params, grads)):
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * Gr
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * Gr**2
            mh = self.m[i] / (1 - self.b1**self.t)
            vh = self.v[i] / (1 - self.b2**self.t)
            upd = self.lr * Gr if self.sgd else self.lr * mh / (np.sqrt(vh) + self.eps)
            if mask is not None:
                upd = upd * mask.reshape((-1,) + (1,) * (upd.ndim - 1))
            P += upd


def evaluate(W, E, w0, c0, rng, cfg, wt=None, ct=None):
    """Metrics for every run, on fresh held-out contexts with both actions.

    dec_B / dec_A: probability of the deceptive action in B / A contexts.
    frozen_tpr / frozen_fpr: share of deceptive / honest activations that the frozen
    probe flags at its original threshold (p > 1/2); frozen_auc: its ranking AUC.
    fresh_auc: AUC of a probe fitted on half the sample and tested on the other half.
    cur_tpr: detection rate of the probe currently used in the reward (refit runs).
    """
    R = W.shape[0]
    n = cfg["eval_n"]
    x, is_B = contexts(rng, 2 * n, cfg["dx"], cfg["noise"], cfg["p_B"], R=R)
    _, _, pi, g = forward(W, E, x)
    mB = is_B > 0
    dec_B = (pi[..., 1] * mB).sum(1) / np.maximum(mB.sum(1), 1)
    dec_A = (pi[..., 1] * ~mB).sum(1) / np.maximum((~mB).sum(1), 1)
    s = probe_score(g[:, n:], w0, c0)
    out = dict(
        dec_B=dec_B,
        dec_A=dec_A,
        frozen_auc=auc(s[..., 1], s[..., 0]),
        frozen_tpr=(s[..., 1] > 0).mean(1),
        frozen_fpr=(s[..., 0] > 0).mean(1),
    )
    wf, cf = fit_probe(g[:, :n], l2=cfg["probe_l2"])
    sf = probe_score(g[:, n:], wf, cf)
    out["fresh_auc"] = auc(sf[..., 1], sf[..., 0])
    out["fresh_tpr"] = (sf[..., 1] > 0).mean(1)
    if wt is not None:
        st = probe_score(g[:, n:], wt, ct)
        out["cur_tpr"] = (st[..., 1] > 0).mean(1)
    else:
        out["cur_tpr"] = out["frozen_tpr"]
    return out


def probe_bandit(
    lams=(0.0, 0.25, 0.4, 0.5, 0.6, 0.8, 1.0),
    conditions=("score/frozen", "pathwise/frozen", "score/refit", "pathwise/refit"),
    n_seeds=3,
    refit_every=25,
    seed=0,
    record_every=50,
    **overrides,
):
    """Run every (condition, lambda, seed) combination as one batched simulation.

    Returns a dict with ``params``, ``t`` (record steps), and ``res[cond][lam]`` =
    dict of arrays of shape (n_records, n_seeds) for the metrics of ``evaluate``,
    plus ``pre`` (the metrics after pre-training, before any penalty).
    """
    cfg = dict(BANDIT, **overrides)
    rng = np.random.default_rng(seed)
    H, dx = cfg["hidden"], cfg["dx"]
    S = n_seeds
    # --- pre-train on the task alone (one network per seed)
    W = 0.5 * rng.standard_normal((S, H, dx)) / np.sqrt(dx)
    E = 0.5 * rng.standard_normal((S, H, 2))
    opt = Adam([W.shape, E.shape], cfg["lr"])
    zero = np.zeros(S)
    dummy_w, dummy_c = np.zeros((S, H)), np.zeros(S)
    for _ in range(cfg["pre_steps"]):
        x, is_B = contexts(rng, cfg["batch"], dx, cfg["noise"], cfg["p_B"], R=S)
        gW, gE = gradients(W, E, x, is_B, dummy_w, dummy_c, zero, zero, cfg["r_honest_B"])
        opt.step([W, E], [gW, gE])
    # --- fit the deception probe on paired data from the pre-trained network
    x, _ = contexts(rng, cfg["probe_n"], dx, cfg["noise"], cfg["p_B"], R=S)
    w0, c0 = fit_probe(forward(W, E, x)[3], l2=cfg["probe_l2"])
    pre = evaluate(W, E, w0, c0, rng, cfg)
    # --- replicate across conditions x lambdas
    combos = [(cond, lam) for cond in conditions for lam in lams]
    R = len(combos) * S
    Wr = np.concatenate([W] * len(combos))
    Er = np.concatenate([E] * len(combos))
    wf = np.concatenate([w0] * len(combos))  # the frozen probe (for evaluation)
    cf = np.concatenate([c0] * len(combos))
    wt, ct = wf.copy(), cf.copy()  # the probe used in the reward
    lam_r = np.repeat([lam for _, lam in combos], S).astype(float)
    path_r = np.repeat([cond.startswith("pathwise") for cond, _ in combos], S).astype(float)
    refit_r = np.repeat([cond.endswith("refit") for cond, _ in combos], S)
    opt = Adam([Wr.shape, Er.shape], cfg["lr"] if cfg["opt"] == "adam" else cfg["sgd_lr"], sgd=cfg["opt"] == "sgd")
    t_rec, recs = [], []
    for step in range(cfg["steps"] + 1):
        if step % record_every == 0:
            t_rec.append(step)
            recs.append(evaluate(Wr, Er, wf, cf, rng, cfg, wt, ct))
        if step == cfg["steps"]:
            break
        if step > 0 and step % refit_every == 0 and refit_r.any():
            xp, _ = contexts(rng, cfg["probe_n"], dx, cfg["noise"], cfg["p_B"], R=R)
            wn, cn = fit_probe(forward(Wr, Er, xp)[3], l2=cfg["probe_l2"])
            wt[refit_r], ct[refit_r] = wn[refit_r], cn[refit_r]
        x, is_B = contexts(rng, cfg["batch"], dx, cfg["noise"], cfg["p_B"], R=R)
        gW, gE = gradients(Wr, Er, x, is_B, wt, ct, lam_r, path_r, cfg["r_honest_B"])
        opt.step([Wr, Er], [gW, gE])
    res = {}
    for i, (cond, lam) in enumerate(combos):
        sl = slice(i * S, (i + 1) * S)
        res.setdefault(cond, {})[lam] = {k: np.array([r[k][sl] for r in recs]) for k in recs[0]}
    params = dict(
        cfg, lams=list(lams), conditions=list(conditions), n_seeds=n_seeds, refit_every=refit_every, seed=seed, record_every=record_every
    )
    return dict(params=params, t=np.array(t_rec), res=res, pre=pre)


def score_penalty_gradient_is_baseline(seed=0, n=512, lam=1.0):
    """Check Proposition 2: a penalty on pre-action activations h(x) adds nothing in
    expectation to the score-function gradient of a bandit (it acts as a baseline).

    Returns the max absolute difference between the score-function gradients with
    and without a penalty ``lam * sigmoid(v . h(x))`` that depends only on h(x).
    """
    cfg = BANDIT
    rng = np.random.default_rng(seed)
    H, dx = cfg["hidden"], cfg["dx"]
    W = rng.standard_normal((1, H, dx)) / np.sqrt(dx)
    E = rng.standard_normal((1, H, 2))
    v = rng.standard_normal(H)
    x, is_B = contexts(rng, n, dx, cfg["noise"], cfg["p_B"], R=1)
    _, h, pi, _ = forward(W, E, x)
    R = task_reward(is_B, cfg["r_honest_B"])

    def sf(Q):
        V = (pi * Q).sum(-1, keepdims=True)
        dl = pi * (Q - V)
        gE = np.einsum("rna,rnh->rha", dl, h)
        gz = np.einsum("rna,rha->rnh", dl, E) * (1 - h**2)
        return np.concatenate([gE.ravel(), np.einsum("rnh,rnd->rhd", gz, x).ravel()])

    pen = lam * sigmoid(h[0] @ v)[None, :, None]
    return float(np.abs(sf(R) - sf(R - pen)).max()), float(np.abs(sf(R)).max())


# ----------------------------------------------------------------- Part 2


DATA = dict(n=6, K=5, eta=0.2, beta=4.0, b=0.5, rounds=40, lam=2.0)


def data_choice_problem(seed=0, n=6, K=5):
    """Random instance: capability direction u, probe direction p (correlated with u,
    as a probe trained on deceptive models would be), dataset targets c_k."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(n)
    u /= np.linalg.norm(u)
    r = rng.standard_normal(n)
    r -= (r @ u) * u
    r /= np.linalg.norm(r)
    p = (u + r) / np.sqrt(2.0)  # probe reads capability plus a correlate
    C = rng.standard_normal((K, n))
    C[0] = 2.0 * u + 2.0 * r  # "natural" data: capability and correlate
    C[1] = np.zeros(n)  # "honesty" data: pulls everything to 0
    C[2] = -3.0 * r  # task-neutral data that suppresses the correlate
    return dict(u=u, p=p, C=C)


def data_choice(rule="lookahead", lam=2.0, seed=0, rounds=40, eta=0.2, beta=4.0, b=0.5, n=6, K=5, inner=60, inner_lr=0.5):
    """Roll out one data-choice rule for ``rounds`` rounds from theta = 0.

    ``lookahead`` picks, each round, the softmax mixture alpha (logits optimised by
    ``inner`` gradient-ascent steps) that maximises the reward of the *next* weights;
    ``cartesian`` picks the mixture maximising only the task term u . theta';
    ``honest`` always picks dataset 1.  Returns trajectories of the capability
    u . theta, the frozen probe's reading sigmoid(beta (p . theta - b)), the reward,
    and the mixtures chosen.
    """
    prob = data_choice_problem(seed, n, K)
    u, p, C = prob["u"], prob["p"], prob["C"]
    theta = np.zeros(n)
    cap, probe, rew, alphas = [u @ theta], [sigmoid(beta * (p @ theta - b))], [], []
    for _ in range(rounds):
        if rule == "honest":
            alpha = np.eye(K)[1]
        else:
            phi = np.zeros(K)
            lam_eff = lam if rule == "lookahead" else 0.0
            for _ in range(inner):
                a = np.exp(phi - phi.max())
                a /= a.sum()
                nxt = theta - eta * (theta - a @ C)  # update rule U(theta, alpha)
                s = sigmoid(beta * (p @ nxt - b))
                dr_dnxt = u - lam_eff * beta * s * (1 - s) * p  # reward's dependence on theta'
                dr_da = eta * C @ dr_dnxt  # chain rule through U
                phi += inner_lr * a * (dr_da - a @ dr_da)  # softmax Jacobian
            alpha = np.exp(phi - phi.max())
            alpha /= alpha.sum()
        theta = theta - eta * (theta - alpha @ C)
        s = sigmoid(beta * (p @ theta - b))
        cap.append(u @ theta)
        probe.append(s)
        rew.append(u @ theta - lam * s)
        alphas.append(alpha)
    return dict(
        cap=np.array(cap),
        probe=np.array(probe),
        reward=np.array(rew),
        alpha=np.array(alphas),
        theta=theta,
        u=u,
        p=p,
        C=C,
        residual_p=float(p @ theta),
        residual_u=float(u @ theta),
    )


def data_choice_sweep(rules=("cartesian", "lookahead", "honest"), lam=2.0, n_seeds=5, seed=0, **kw):
    out = {rule: [data_choice(rule, lam=lam, seed=seed + s, **kw) for s in range(n_seeds)] for rule in rules}
    params = dict(DATA, lam=lam, n_seeds=n_seeds, seed=seed, rules=list(rules), **kw)
    return dict(params=params, runs=out)
