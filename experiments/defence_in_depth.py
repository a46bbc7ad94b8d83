"""Defence in depth with correlated layers.

A misaligned model passes through a stack of K safety layers (evals, monitors,
probes, audits).  Layer i *misses* it with marginal probability ``q_i``.  If the
misses were independent, the probability that every layer misses would be the
product ``prod_i q_i``.  They are not independent: the same underlying skill at
evasion (situational awareness, ability to look benign, to avoid verbalising
intent) helps against many layers at once.

Latent-factor (Gaussian copula) model
-------------------------------------
Each layer i has a latent "evasion margin"

    X_i = a_i * G + b_i * F_{k(i)} + c_i * E_i,   c_i = sqrt(1 - a_i^2 - b_i^2),

with G (global evasion skill), F_k (skill against layer *family* k: behavioural,
white-box, ...) and E_i (layer-specific noise) independent standard normals.
Layer i misses iff X_i > t_i, with t_i = Phi^{-1}(1 - q_i), so P(miss_i) = q_i
exactly.  The latent correlation of two layers is a_i a_j (+ b_i b_j if they are
in the same family).  With one family and a_i = sqrt(rho), b_i = 0 this is the
one-factor Gaussian copula

    P(miss_i | G = z) = Phi((sqrt(rho) z - t_i) / sqrt(1 - rho)).

P(all miss) is computed by nested quadrature on a fixed grid (conditional on G
the families are independent; conditional on G and F_k the layers in family k
are independent), and checked against Monte Carlo.

Two-type mixture model
----------------------
With probability ``pi`` the model is a "universal evader" that every layer
misses; otherwise layers miss independently with q_i' = (q_i - pi) / (1 - pi),
so marginals are again q_i.  P(all miss) = pi + (1 - pi) prod q_i'.  This is the
"beta-factor" common-cause model of reliability engineering, and it has a floor
at pi however many layers are added.

Everything is pure numpy/scipy; random draws use numpy.random.default_rng(seed).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

# Quadrature grids for expectations over standard normal factors: a fine grid
# for the global factor and a coarser one for family factors (2-D integrals).
_GRID_N = 801
_Z = np.linspace(-8.5, 8.5, _GRID_N)
_W = np.exp(-0.5 * _Z**2)
_W = _W / _W.sum()
_FGRID_N = 201
_ZF = np.linspace(-8.0, 8.0, _FGRID_N)
_WF = np.exp(-0.5 * _ZF**2)
_WF = _WF / _WF.sum()

_C_MIN = 1e-6  # smallest idiosyncratic scale allowed (rho = 1 is handled as a limit)


# --------------------------------------------------------------------------
# Layer specifications
# --------------------------------------------------------------------------


def make_layers(q, a, b=0.0, family=0):
    """Return a layer table (dict of equal-length arrays).

    q: marginal miss probabilities; a: loadings on the global factor;
    b: loadings on the family factor; family: integer family labels.
    Scalars broadcast to the length of ``q``.
    """
    q = np.atleast_1d(np.asarray(q, dtype=float))
    n = q.size
    a = np.broadcast_to(np.asarray(a, dtype=float), (n,)).copy()
    b = np.broadcast_to(np.asarray(b, dtype=float), (n,)).copy()
    family = np.broadcast_to(np.asarray(family, dtype=int), (n,)).copy()
    if np.any((q <= 0) | (q >= 1)):
        raise ValueError("miss probabilities must lie strictly in (0, 1)")
    if np.any(a**2 + b**2 > 1 + 1e-12):
        raise ValueError("need a^2 + b^2 <= 1 for every layer")
    return {"q": q, "a": a, "b": b, "family": family}


def concat_layers(*tables):
    """Stack several layer tables into one."""
    return {k: np.concatenate([t[k] for t in tables]) for k in ("q", "a", "b", "family")}


def latent_correlation(layers):
    """Matrix of latent correlations between layers."""
    a, b, fam = layers["a"], layers["b"], layers["family"]
    r = np.outer(a, a) + np.outer(b, b) * (fam[:, None] == fam[None, :])
    np.fill_diagonal(r, 1.0)
    return r


# --------------------------------------------------------------------------
# Exact (quadrature) probabilities
# --------------------------------------------------------------------------


def _cond_miss(q, a, b, g, f):
    """P(miss | G=g, F=f) for one layer, broadcasting over g and f."""
    t = ndtri(1.0 - q)
    c = np.sqrt(max(1.0 - a * a - b * b, 0.0))
    if c < _C_MIN:
        # Deterministic given the factors: a limit of the smooth formula.
        return (a * g + b * f > t).astype(float)
    return ndtr((a * g + b * f - t) / c)


def _family_product(q, a, b, idx, g, f):
    """Product over the layers idx of P(miss | g, f), grouping identical layers."""
    keys = {}
    for i in idx:
        key = (float(q[i]), float(a[i]), float(b[i]))
        keys[key] = keys.get(key, 0) + 1
    prod = 1.0
    for (qi, ai, bi), count in keys.items():
        prod = prod * _cond_miss(qi, ai, bi, g, f) ** count
    return prod


def p_all_miss(layers):
    """Probability that every layer misses, under the latent-factor model."""
    q, a, b, fam = layers["q"], layers["a"], layers["b"], layers["family"]
    g = _Z[:, None]  # global factor along axis 0
    f = _ZF[None, :]  # family factor along axis 1
    log_given_g = np.zeros(_GRID_N)
    for k in np.unique(fam):
        idx = np.flatnonzero(fam == k)
        if np.all(b[idx] == 0):
            fam_given_g = np.broadcast_to(_family_product(q, a, b, idx, _Z, 0.0), (_GRID_N,))
        else:
            fam_given_g = _family_product(q, a, b, idx, g, f) @ _WF
        log_given_g = log_given_g + np.log(np.maximum(fam_given_g, 1e-300))
    return float(np.exp(log_given_g) @ _W)


def p_all_miss_independent(layers):
    """The naive product of marginal miss probabilities."""
    return float(np.prod(layers["q"]))


def p_all_miss_one_factor(q, rho):
    """P(all miss) for equicorrelated layers: one factor, latent correlation rho.

    ``q`` is an array of marginal miss probabilities; rho in [0, 1].
    """
    q = np.atleast_1d(np.asarray(q, dtype=float))
    if rho >= 1.0:
        return float(q.min())
    return p_all_miss(make_layers(q, np.sqrt(rho)))


def pairwise_joint_miss(q, rho):
    """P(two equicorrelated layers with miss prob q both miss)."""
    return p_all_miss_one_factor([q, q], rho)


def miss_correlation(q, rho):
    """Correlation (phi coefficient) of the two miss indicators implied by rho."""
    p2 = pairwise_joint_miss(q, rho)
    return (p2 - q * q) / (q * (1 - q))


def effective_layers(p_all, q_ref):
    """Number of independent layers of miss probability q_ref giving p_all."""
    return float(np.log(p_all) / np.log(q_ref))


# --------------------------------------------------------------------------
# Two-type mixture ("beta-factor") model
# --------------------------------------------------------------------------


def p_all_miss_mixture(q, pi):
    """P(all miss) when a fraction pi of misaligned models evades every layer."""
    q = np.atleast_1d(np.asarray(q, dtype=float))
    if pi < 0 or pi > q.min():
        raise ValueError("need 0 <= pi <= min(q)")
    q_rest = (q - pi) / (1 - pi)
    return float(pi + (1 - pi) * np.prod(q_rest))


def mixture_pi_matching_pairwise(q, rho):
    """The mixture weight pi whose pairwise joint miss equals the copula's."""
    target = pairwise_joint_miss(q, rho)
    if target <= q * q + 1e-15:
        return 0.0

    def gap(pi):
        qr = (q - pi) / (1 - pi)
        return pi + (1 - pi) * qr * qr - target

    return float(brentq(gap, 0.0, q - 1e-12))


# --------------------------------------------------------------------------
# Monte Carlo check
# --------------------------------------------------------------------------


def p_all_miss_mc(layers, n=200_000, seed=0):
    """Monte Carlo estimate of P(all miss) with its standard error."""
    rng = np.random.default_rng(seed)
    q, a, b, fam = layers["q"], layers["a"], layers["b"], layers["family"]
    fams = np.unique(fam)
    g = rng.standard_normal(n)
    f = {k: rng.standard_normal(n) for k in fams}
    all_miss = np.ones(n, dtype=bool)
    for i in range(q.size):
        c = np.sqrt(max(1.0 - a[i] ** 2 - b[i] ** 2, 0.0))
        x = a[i] * g + b[i] * f[fam[i]] + c * rng.standard_normal(n)
        all_miss &= x > ndtri(1.0 - q[i])
    p = all_miss.mean()
    return {"p": float(p), "se": float(np.sqrt(p * (1 - p) / n)), "n": n, "seed": seed}


# --------------------------------------------------------------------------
# Experiments used by the figures and the post
# --------------------------------------------------------------------------

DEFAULTS = {
    "q": 0.5,
    "rhos": (0.0, 0.3, 0.6, 0.9),
    "k_max": 12,
}


def sweep_k_rho(q=DEFAULTS["q"], rhos=DEFAULTS["rhos"], k_max=DEFAULTS["k_max"]):
    """P(all K miss) and effective layer count for equal layers, K = 1..k_max."""
    ks = np.arange(1, k_max + 1)
    out = {"k": ks, "q": q, "rhos": np.asarray(rhos, dtype=float)}
    p = np.zeros((len(rhos), ks.size))
    keff = np.zeros_like(p)
    pmix = np.zeros_like(p)
    pis = np.zeros(len(rhos))
    for r, rho in enumerate(rhos):
        pis[r] = mixture_pi_matching_pairwise(q, rho)
        for j, k in enumerate(ks):
            p[r, j] = p_all_miss_one_factor(np.full(k, q), rho)
            keff[r, j] = effective_layers(p[r, j], q)
            pmix[r, j] = p_all_miss_mixture(np.full(k, q), pis[r])
    out.update(
        {"p_all": p, "k_eff": keff, "p_mix": pmix, "pi_matched": pis, "miss_corr": np.array([miss_correlation(q, rho) for rho in rhos])}
    )
    return out


def diversify_vs_stack(n_base=4, n_add=6, q=0.5, a_global=0.5, b_behav=0.75, b_white=0.0):
    """Add layers to a behavioural stack: more behavioural layers vs white-box ones.

    Base stack: ``n_base`` behavioural layers (family 0), loadings a_global on G
    and b_behav on the behavioural factor.  Strategy "stack" adds more of the
    same; strategy "diversify" adds white-box layers (family 1) that share only
    the global factor (loading a_global) plus their own family loading b_white.
    Returns P(all miss) after adding m = 0..n_add layers under each strategy and
    under independence.
    """
    base = make_layers(np.full(n_base, q), a_global, b_behav, 0)
    ms = np.arange(0, n_add + 1)
    stack, div, indep = [], [], []
    for m in ms:
        add_b = make_layers(np.full(max(m, 1), q), a_global, b_behav, 0)
        add_w = make_layers(np.full(max(m, 1), q), a_global, b_white, 1)
        if m == 0:
            stack.append(p_all_miss(base))
            div.append(p_all_miss(base))
        else:
            stack.append(p_all_miss(concat_layers(base, add_b)))
            div.append(p_all_miss(concat_layers(base, add_w)))
        indep.append(q ** (n_base + m))
    return {
        "m": ms,
        "stack": np.array(stack),
        "diversify": np.array(div),
        "independent": np.array(indep),
        "n_base": n_base,
        "q": q,
        "a_global": a_global,
        "b_behav": b_behav,
        "b_white": b_white,
        "rho_within_behav": a_global**2 + b_behav**2,
        "rho_across": a_global**2,
    }


def marginal_value_grid(n_base=4, q=0.5, a_grid=None, rho_within=0.81):
    """Ratio P_all(add behavioural) / P_all(add white-box) for ONE added layer.

    The within-behavioural latent correlation is held at ``rho_within`` while the
    share that is global (a^2) varies along ``a_grid`` (as a^2 / rho_within).
    """
    if a_grid is None:
        a_grid = np.sqrt(np.linspace(0.0, 0.99, 10) * rho_within)
    ratios, p_stack, p_div = [], [], []
    for a in a_grid:
        b = np.sqrt(max(rho_within - a * a, 0.0))
        base = make_layers(np.full(n_base, q), a, b, 0)
        s = p_all_miss(concat_layers(base, make_layers([q], a, b, 0)))
        d = p_all_miss(concat_layers(base, make_layers([q], a, 0.0, 1)))
        p_stack.append(s)
        p_div.append(d)
        ratios.append(s / d)
    return {
        "global_share": np.asarray(a_grid) ** 2 / rho_within,
        "ratio": np.array(ratios),
        "p_stack": np.array(p_stack),
        "p_div": np.array(p_div),
        "n_base": n_base,
        "q": q,
        "rho_within": rho_within,
    }


# The illustrative "kitchen-sink" stack used in the post.  Miss probabilities
# against a *capable, situationally aware* misaligned model are GUESSES, not
# measurements; the families encode which layers share an observation channel.
PIPELINE = (
    # name, family, q (guess), stage ("pre": once per model; "run": every attempt)
    ("capability and propensity evals", "behavioural", 0.6, "pre"),
    ("automated red-teaming and honeypots", "behavioural", 0.6, "pre"),
    ("chain-of-thought monitor", "behavioural", 0.5, "run"),
    ("trusted action monitor (control)", "behavioural", 0.5, "run"),
    ("untrusted monitor with anti-collusion", "behavioural", 0.7, "run"),
    ("activation probes", "white-box", 0.5, "run"),
    ("interpretability audit", "white-box", 0.6, "pre"),
)
_FAMILY_ID = {"behavioural": 0, "white-box": 1}


def pipeline_per_model(pipeline=PIPELINE):
    """Boolean mask of the pipeline layers that act once per model."""
    return np.array([p[3] == "pre" for p in pipeline])


def pipeline_layers(a_global=0.5, b_family=0.6, pipeline=PIPELINE):
    """Layer table for the illustrative pipeline with common loadings."""
    q = [p[2] for p in pipeline]
    fam = [_FAMILY_ID[p[1]] for p in pipeline]
    return make_layers(q, a_global, b_family, fam)


def pipeline_sensitivity(a_grid=None, b_family=0.6, pipeline=PIPELINE):
    """P(all layers miss) for the pipeline as the global loading varies.

    Also returns P(all behavioural layers miss) and P(all white-box layers miss)
    under the same model, and the independence baseline.
    """
    if a_grid is None:
        a_grid = np.linspace(0.0, 0.77, 8)
    q = np.array([p[2] for p in pipeline])
    fam = np.array([_FAMILY_ID[p[1]] for p in pipeline])
    p_fac, p_beh, p_wb = [], [], []
    for a in a_grid:
        layers = pipeline_layers(a, b_family, pipeline)
        p_fac.append(p_all_miss(layers))
        sub = {k: v[fam == 0] for k, v in layers.items()}
        p_beh.append(p_all_miss(sub))
        sub = {k: v[fam == 1] for k, v in layers.items()}
        p_wb.append(p_all_miss(sub))
    return {
        "a_global": np.asarray(a_grid),
        "b_family": b_family,
        "p_factor": np.array(p_fac),
        "p_behavioural": np.array(p_beh),
        "p_whitebox": np.array(p_wb),
        "p_independent": float(np.prod(q)),
        "rho_within": np.asarray(a_grid) ** 2 + b_family**2,
        "rho_across": np.asarray(a_grid) ** 2,
        "names": [p[0] for p in pipeline],
        "q": q,
    }


# --------------------------------------------------------------------------
# Repeated attack attempts: does the stack catch the model before it succeeds?
# --------------------------------------------------------------------------


def _per_model_miss(layers, idx, g, f_by_family):
    """Probability that every layer in idx misses, for models with factors g, F_k."""
    q, a, b, fam = layers["q"], layers["a"], layers["b"], layers["family"]
    miss = np.ones_like(g)
    for i in idx:
        miss = miss * _cond_miss(q[i], a[i], b[i], g, f_by_family[fam[i]])
    return miss


def _sub(layers, mask):
    return {k: v[mask] for k, v in layers.items()}


def catch_before_success(layers, p_success=0.5, n_models=40_000, seed=0, per_model=None):
    """Probability that a misaligned model is caught before an attack succeeds.

    Each misaligned model has fixed evasion factors (G, F_k), drawn once.
    Layers flagged in ``per_model`` (pre-deployment evals, audits) act once per
    model: if any fires, the model is caught before deployment.  The remaining
    (runtime) layers act on every attack attempt: given the factors, an attempt
    is caught with probability c, independently across attempts; an uncaught
    attempt succeeds with probability ``p_success``; a catch ends the game in the
    defender's favour (incident response).  Given a model that passed the
    pre-deployment layers, the defender wins with probability
    w(c) = c / (c + (1 - c) p_success).

    Returned: the loss probability with per-model heterogeneity (the model's
    value), the value with the same *average* rates but no heterogeneity
    (pre-deployment miss and runtime catch rates plugged in as constants), and
    the value for independent layers; plus quantiles of the runtime catch rate.
    """
    n = layers["q"].size
    per_model = np.zeros(n, dtype=bool) if per_model is None else np.asarray(per_model, bool)
    rng = np.random.default_rng(seed)
    fams = np.unique(layers["family"])
    g = rng.standard_normal(n_models)
    f = {k: rng.standard_normal(n_models) for k in fams}
    pre_idx, rt_idx = np.flatnonzero(per_model), np.flatnonzero(~per_model)
    m_pre = _per_model_miss(layers, pre_idx, g, f)
    c_rt = 1.0 - _per_model_miss(layers, rt_idx, g, f)

    def win(cc):
        cc = np.asarray(cc, dtype=float)
        denom = cc + (1 - cc) * p_success
        return np.where(denom > 0, cc / np.maximum(denom, 1e-300), 0.0)

    loss = m_pre * (1.0 - win(c_rt))
    m_pre_bar = p_all_miss(_sub(layers, per_model)) if pre_idx.size else 1.0
    c_rt_bar = 1.0 - p_all_miss(_sub(layers, ~per_model)) if rt_idx.size else 0.0
    q = layers["q"]
    m_pre_ind = float(np.prod(q[per_model])) if pre_idx.size else 1.0
    c_rt_ind = 1.0 - float(np.prod(q[~per_model])) if rt_idx.size else 0.0
    return {
        "p_loss": float(loss.mean()),
        "p_loss_se": float(loss.std() / np.sqrt(n_models)),
        "p_loss_average_model": float(m_pre_bar * (1 - win(c_rt_bar))),
        "p_loss_independent": float(m_pre_ind * (1 - win(c_rt_ind))),
        "p_first_attempt_all_miss": p_all_miss(layers),
        "p_first_attempt_independent": float(np.prod(q)),
        "c_rt_mean_mc": float(c_rt.mean()),
        "c_rt_bar": float(c_rt_bar),
        "frac_passed_pre_and_c_below_0.5": float((m_pre * (c_rt < 0.5)).mean()),
        "c_rt_quantiles": np.quantile(c_rt, [0.01, 0.05, 0.1, 0.25, 0.5]),
        "p_success": p_success,
        "n_models": n_models,
        "seed": seed,
        "per_model": per_model,
    }


def catch_before_success_sweep(a_grid=None, b_family=0.6, p_success=0.5, n_models=20_000, seed=0, pipeline=PIPELINE):
    """catch_before_success for the illustrative pipeline as a_global varies."""
    if a_grid is None:
        a_grid = np.linspace(0.0, 0.77, 8)
    keys = ("p_loss", "p_loss_average_model", "p_loss_independent")
    out = {k: [] for k in keys}
    for a in a_grid:
        r = catch_before_success(pipeline_layers(a, b_family, pipeline), p_success, n_models, seed, per_model=pipeline_per_model(pipeline))
        for k in keys:
            out[k].append(r[k])
    out = {k: np.array(v) for k, v in out.items()}
    out.update({"a_global": np.asarray(a_grid), "b_family": b_family, "p_success": p_success, "n_models": n_models, "seed": seed})
    return out
