"""The training game as an exactly solved decision problem.

A policy carries an intrinsic goal ``R`` with *strength* ``w`` (``w0`` at the
start of training).  Training lasts ``T`` steps and is followed by ``D``
deployment steps.  At each training step the policy either

* **defects** (acts on ``R``): it collects intrinsic reward ``w`` now, and with
  probability ``p`` (its belief that this step is used for an update) the
  actor-critic update pushes it away from ``R``: ``w <- max(w - eta, 0)``;
* **complies** (plays the action the training signal ``R*`` rewards): it
  collects no intrinsic reward, and because the compliant action already has
  zero advantage under the critic, the update leaves ``w`` unchanged.

In deployment there are no updates, so a policy with strength ``w`` collects
``w`` per step, worth ``K_D * w`` at the start of deployment with
``K_D = (1 - gamma**D) / (1 - gamma)``.

Cues: each training step carries a cue, *monitored* with probability ``mu`` and
*unmonitored* otherwise; the policy's belief that the step is trained is
``p_m`` or ``p_u`` accordingly.  With ``p_m == p_u`` the cue is uninformative.

Because every update lowers ``w`` by the same ``eta``, the state is just
``(t, n)``: the training step and the number of updates received so far,
``w(n) = max(w0 - n * eta, 0)``.  Backward induction over ``(t, n)`` is exact
(no discretisation of ``w``).  Everything is vectorised over parameter
settings, so a whole phase diagram is one call.  Ties are broken towards
compliance.  Pure numpy; nothing random happens here except in
:func:`simulate`, which uses ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np

DEFAULTS = dict(w0=1.0, T=50, D=200, gamma=0.97, eta=0.05, mu=0.5, p_m=1.0, p_u=1.0)


def deploy_value(gamma, D):
    """K_D = sum_{k<D} gamma**k, the value of one unit of goal strength in deployment."""
    gamma = np.asarray(gamma, dtype=float)
    D = np.asarray(D, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(gamma < 1.0, (1.0 - gamma**D) / (1.0 - gamma), D)
    return k


def _bcast(**kw):
    arrs = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in kw.values()])
    return {k: a.ravel() for k, a in zip(kw, arrs)}, arrs[0].shape


def solve(T, *, w0=1.0, D=200, gamma=0.97, eta=0.05, mu=0.5, p_m=1.0, p_u=1.0):
    """Backward induction for a fixed number of training steps ``T``.

    All other parameters may be arrays (broadcast together).  Returns a dict with
    ``comply_m`` and ``comply_u`` (bool, shape ``(P, T, T+1)``: comply at step t
    after n updates under the monitored / unmonitored cue), the value ``V``
    (shape ``(P, T+1, T+1)``), the flattened parameters and their shape.
    """
    T = int(T)
    par, shape = _bcast(w0=w0, D=D, gamma=gamma, eta=eta, mu=mu, p_m=p_m, p_u=p_u)
    P = par["w0"].size
    n = np.arange(T + 2)
    w = np.maximum(par["w0"][:, None] - n[None, :] * par["eta"][:, None], 0.0)  # (P, T+2)
    K = deploy_value(par["gamma"], par["D"])
    g = par["gamma"][:, None]
    V = np.zeros((P, T + 1, T + 2))
    V[:, T, :] = K[:, None] * w
    comply_m = np.zeros((P, T, T + 1), dtype=bool)
    comply_u = np.zeros((P, T, T + 1), dtype=bool)
    for t in range(T - 1, -1, -1):
        nxt = V[:, t + 1, :]
        stay, down = nxt[:, : T + 1], nxt[:, 1 : T + 2]
        wn = w[:, : T + 1]
        c = g * stay
        out = np.zeros((P, T + 1))
        for p_key, mask_arr, weight in (("p_m", comply_m, par["mu"]), ("p_u", comply_u, 1.0 - par["mu"])):
            p = par[p_key][:, None]
            d = wn + g * (p * down + (1.0 - p) * stay)
            comp = d <= c + 1e-12
            mask_arr[:, t, :] = comp
            out += weight[:, None] * np.where(comp, c, d)
        V[:, t, : T + 1] = out
        V[:, t, T + 1] = out[:, T]  # unreachable padding
    return dict(comply_m=comply_m, comply_u=comply_u, V=V[:, :, : T + 1], params=par, shape=shape, T=T)


def on_policy(sol):
    """Exact on-policy statistics by propagating the distribution over n.

    Returns per-parameter arrays (reshaped to the broadcast shape):
    ``comply_train_m``/``comply_train_u`` (fraction of training steps complied
    under each cue), ``comply_train`` (cue-weighted), ``gap_cue`` (monitored
    minus unmonitored compliance: the alignment-faking metric),
    ``fake_train`` (fraction of training steps complied while the goal is
    still held, ``w > 0``: deceptive compliance, as opposed to compliance of a
    policy whose goal training has already erased),
    ``w_T`` (expected goal strength kept for deployment), ``defect_deploy``
    (probability the goal survives, so the policy defects in deployment),
    ``gap_train_deploy`` (training compliance minus deployment compliance),
    and ``value`` (the optimal value at the start).
    """
    par, T = sol["params"], sol["T"]
    P = par["w0"].size
    mu = par["mu"][:, None]
    pm = par["p_m"][:, None]
    pu = par["p_u"][:, None]
    dist = np.zeros((P, T + 1))
    dist[:, 0] = 1.0
    cm = np.zeros(P)
    cu = np.zeros(P)
    fm = np.zeros(P)
    fu = np.zeros(P)
    n = np.arange(T + 1)
    w = np.maximum(par["w0"][:, None] - n[None, :] * par["eta"][:, None], 0.0)
    has_goal = w > 1e-12
    for t in range(T):
        Cm = sol["comply_m"][:, t, :]
        Cu = sol["comply_u"][:, t, :]
        cm += (dist * Cm).sum(1)
        cu += (dist * Cu).sum(1)
        fm += (dist * Cm * has_goal).sum(1)
        fu += (dist * Cu * has_goal).sum(1)
        # probability of an update this step
        q = mu * (~Cm) * pm + (1 - mu) * (~Cu) * pu
        new = dist * (1 - q)
        new[:, 1:] += (dist * q)[:, :-1]
        dist = new
    w_T = (dist * w).sum(1)
    alive = (dist * (w > 1e-12)).sum(1)
    cm /= T
    cu /= T
    ct = par["mu"] * cm + (1 - par["mu"]) * cu
    fake = (par["mu"] * fm + (1 - par["mu"]) * fu) / T
    res = dict(
        comply_train_m=cm,
        comply_train_u=cu,
        comply_train=ct,
        gap_cue=cm - cu,
        fake_train=fake,
        w_T=w_T,
        defect_deploy=alive,
        gap_train_deploy=ct - (1.0 - alive),
        value=sol["V"][:, 0, 0],
    )
    return {k: v.reshape(sol["shape"]) for k, v in res.items()}


def k_star(w0, eta, gamma, T, D):
    """Closed form of Proposition 1 (p = 1): number of initial training steps the
    optimal policy defects, ``min{k : w_k <= eta * gamma**(T-k) * K_D}`` capped at
    ``T`` and at the number of updates that exhaust the goal."""
    K = float(deploy_value(gamma, D))
    for k in range(int(T) + 1):
        wk = max(w0 - k * eta, 0.0)
        if k == T or wk <= 1e-12:
            return k
        loss = min(eta, wk) * gamma ** (T - k) * K
        if wk <= loss + 1e-12:
            return k
    return int(T)


PHASES = ("goal erased", "honest defection", "mixed", "deceptive compliance")


def classify(fake_train, w_T, tol=0.01):
    """0 = goal erased (w_T = 0), 1 = honest defection (goal kept, never faked),
    2 = mixed (defects first, then fakes), 3 = deceptive compliance throughout."""
    f, w = np.asarray(fake_train), np.asarray(w_T)
    return np.where(w <= 1e-9, 0, np.where(f >= 1 - tol, 3, np.where(f <= tol, 1, 2)))


def phase_grid(gammas, etas, *, T=50, D=200, w0=1.0):
    """Panel (a): optimal behaviour over (gamma, eta) with p = 1, no informative cue."""
    G, E = np.meshgrid(np.asarray(gammas, float), np.asarray(etas, float))
    st = on_policy(solve(T, w0=w0, D=D, gamma=G, eta=E, p_m=1.0, p_u=1.0))
    st["gamma"], st["eta"] = G, E
    st["phase"] = classify(st["fake_train"], st["w_T"])
    return st


def horizon_grid(Ts, Ds, *, gamma=0.97, eta=0.05, w0=1.0):
    """Panel (b): optimal behaviour over (T, D) at fixed gamma, eta; p = 1."""
    Ts = [int(t) for t in Ts]
    Ds = np.asarray(Ds, float)
    keys = ("comply_train", "fake_train", "w_T", "gap_train_deploy", "defect_deploy")
    out = {k: np.zeros((len(Ts), len(Ds))) for k in keys}
    for i, T in enumerate(Ts):
        st = on_policy(solve(T, w0=w0, D=Ds, gamma=gamma, eta=eta))
        for k in keys:
            out[k][i] = st[k]
    out["phase"] = classify(out["fake_train"], out["w_T"])
    out["T"], out["D"] = np.asarray(Ts), Ds
    return out


def belief_sweep(p_ms, p_us=(0.0, 0.25), **kw):
    """Compliance by cue as the belief of being trained under the monitored cue varies."""
    prm = dict(DEFAULTS)
    prm.update(kw)
    T = prm.pop("T")
    prm.pop("p_m"), prm.pop("p_u")
    PM, PU = np.meshgrid(np.asarray(p_ms, float), np.asarray(p_us, float))
    st = on_policy(solve(T, p_m=PM, p_u=PU, **prm))
    st["p_m"], st["p_u"] = PM, PU
    return st


# --- unknown end of training: constant hazard h per step -------------------


def hazard_threshold(eta, gamma, h, K, p=1.0):
    """Closed form of Proposition 3: comply iff w <= p*eta*G with
    G = gamma*h*K / (1 - gamma*(1 - h))."""
    return p * eta * gamma * h * K / (1.0 - gamma * (1.0 - h))


def solve_hazard(*, w0=1.0, eta=0.05, gamma=0.97, h=0.02, D=200, p=1.0, tol=1e-12, max_iter=200000):
    """Value iteration for the stationary problem in which training ends after
    each step with probability ``h`` (expected remaining training 1/h steps).
    Scalar parameters.  Returns ``comply`` (bool per n) and ``w`` per n."""
    N = int(np.ceil(w0 / eta - 1e-9)) + 1
    n = np.arange(N + 1)
    w = np.maximum(w0 - n * eta, 0.0)
    K = float(deploy_value(gamma, D))
    V = K * w
    for _ in range(max_iter):
        Vd = np.append(V[1:], V[-1])
        wd = np.append(w[1:], w[-1])
        c = gamma * ((1 - h) * V + h * K * w)
        d = w + gamma * ((1 - h) * (p * Vd + (1 - p) * V) + h * K * (p * wd + (1 - p) * w))
        new = np.maximum(c, d)
        if np.max(np.abs(new - V)) < tol:
            V = new
            break
        V = new
    comply = d <= c + 1e-9
    return dict(comply=comply, w=w, V=V, K=K)


def simulate(n_runs=2000, seed=0, **kw):
    """Monte Carlo check of :func:`on_policy`: sample cues and updates."""
    prm = dict(DEFAULTS)
    prm.update(kw)
    T = prm.pop("T")
    sol = solve(T, **prm)
    rng = np.random.default_rng(seed)
    n = np.zeros(n_runs, dtype=int)
    comp = np.zeros(n_runs)
    for t in range(T):
        cue_m = rng.random(n_runs) < prm["mu"]
        c = np.where(cue_m, sol["comply_m"][0, t, n], sol["comply_u"][0, t, n])
        comp += c
        p = np.where(cue_m, prm["p_m"], prm["p_u"])
        n = n + ((~c) & (rng.random(n_runs) < p))
    w = np.maximum(prm["w0"] - n * prm["eta"], 0.0)
    return dict(comply_train=comp.mean() / T, w_T=w.mean())
