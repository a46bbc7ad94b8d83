"""Bits of optimization on a selection score versus on a correlated goal.

Definitions used throughout (all logs base 2, so everything is in bits):

* A *baseline* distribution P0 over outcomes and a real-valued criterion u.
  The optimization achieved by an outcome x is Yudkowsky's

      OP_u(x) = -log2 P0(u(X) >= u(x)),

  the improbability, under the baseline, of doing at least as well.
* Under P0 itself (continuous u) OP_u is -log2 of a Uniform(0, 1) variable, so
  its mean is 1/ln 2 ~ 1.443 bits.  A selection process that produces outcome
  distribution Q therefore exerts ``E_Q[OP_u] - 1/ln 2`` *excess* bits on u;
  that is the number reported here as "bits".

Models:

* **Best-of-n.**  n candidates, each with a selection score S and a goal Z.
  S = Z + X with Z the goal and X an independent error, both scaled so that
  corr(S, Z) = rho.  The candidate with the largest S is kept.  Bits on S are
  exactly ``(H_n - 1)/ln 2`` (H_n the n-th harmonic number) whatever the
  distributions; bits on Z depend on rho and on the tails of Z and X.  They are
  computed by quadrature (no Monte Carlo): E[h(Z) | S = s] on a grid of s,
  integrated against the law of max(S_1..S_n), with h(z) = -log2 P0(Z >= z).
  A seeded Monte Carlo version is provided as a check.
* **Generations.**  A Gaussian generator over (Z, X); each generation keeps the
  top fraction q of its samples by S = Z + X and the next generator is fitted
  to the kept samples (moment matching).  Two variants: ``collapse`` (fit mean
  and covariance: diversity shrinks) and ``fresh`` (fit the mean, keep the
  original covariance: diversity is restored each round, e.g. by sampling
  temperature or mixing in fresh data).  Computed exactly from truncated-normal
  moments; a seeded Monte Carlo check is provided.

Pure numpy/scipy; returns dicts of arrays; never plots.
"""

from __future__ import annotations

import numpy as np
from scipy import special

LN2 = np.log(2.0)
BASELINE_BITS = 1.0 / LN2  # E[-log2 U], U ~ Uniform(0, 1)


# ---------------------------------------------------------------------------
# Closed forms for selection on the score itself
# ---------------------------------------------------------------------------


def harmonic(n):
    """H_n for integer or float n >= 1 (digamma form)."""
    n = np.asarray(n, dtype=float)
    return special.digamma(n + 1.0) + np.euler_gamma


def score_bits_best_of_n(n):
    """Excess Yudkowsky bits on the selection score for best-of-n: (H_n - 1)/ln 2."""
    return (harmonic(n) - 1.0) / LN2


def kl_bits_best_of_n(n):
    """KL(best-of-n || base) in bits for a continuous score: log2 n - (n-1)/(n ln 2)."""
    n = np.asarray(n, dtype=float)
    return np.log2(n) - (n - 1.0) / (n * LN2)


def score_bits_threshold(q):
    """Keeping a fraction q (conditioning on S above its (1-q) quantile): log2(1/q) bits,
    both as excess Yudkowsky bits on S and as KL."""
    return -np.log2(np.asarray(q, dtype=float))


# ---------------------------------------------------------------------------
# Distributions (standardised to unit variance)
# ---------------------------------------------------------------------------


def _t_scale(df):
    return np.sqrt((df - 2.0) / df)  # multiply a t_df variable by this to get variance 1


def _pdf(x, kind, df):
    if kind == "normal":
        return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    c = _t_scale(df)
    y = x / c
    logc = special.gammaln((df + 1) / 2) - special.gammaln(df / 2) - 0.5 * np.log(df * np.pi)
    return np.exp(logc - (df + 1) / 2 * np.log1p(y * y / df)) / c


def _sf(x, kind, df):
    if kind == "normal":
        return special.ndtr(-x)
    return special.stdtr(df, -x / _t_scale(df))


def _neglog2_sf(x, kind, df):
    if kind == "normal":
        return -special.log_ndtr(-x) / LN2
    return -np.log(special.stdtr(df, -x / _t_scale(df))) / LN2


def _sinh_grid(half_width, n_points, scale):
    u = np.linspace(-np.arcsinh(half_width / scale), np.arcsinh(half_width / scale), n_points)
    return scale * np.sinh(u)


def _trap_weights(x):
    w = np.zeros_like(x)
    d = np.diff(x)
    w[:-1] += d / 2
    w[1:] += d / 2
    return w


# ---------------------------------------------------------------------------
# Best-of-n: bits on the goal
# ---------------------------------------------------------------------------


def goal_bits_best_of_n(n_values, rho, error="normal", error_df=None, goal="normal", goal_df=None, n_s=1500, n_z=1400):
    """Excess Yudkowsky bits on the goal Z when the best of n candidates by S = Z + X is kept.

    Z has unit variance (normal or Student-t with ``goal_df``); X is independent with
    variance 1/rho^2 - 1 (normal or Student-t with ``error_df``), so corr(S, Z) = rho.
    Returns a dict with ``n``, ``goal_bits``, ``score_bits`` and the mean of Z.
    """
    n_values = np.asarray(n_values, dtype=float)
    score_bits = score_bits_best_of_n(n_values)
    if rho >= 1.0:
        return {"n": n_values, "goal_bits": score_bits.copy(), "score_bits": score_bits, "goal_mean": np.full_like(n_values, np.nan)}
    sigma = np.sqrt(1.0 / rho**2 - 1.0)
    n_max = float(n_values.max())
    if goal != "normal" and error != "normal":
        raise ValueError("at least one of goal and error must be normal")
    heavy = (goal != "normal") or (error != "normal")
    s_half = 2.0e5 if heavy else 16.0 * np.sqrt(1.0 + sigma**2)
    s = _sinh_grid(s_half, n_s, 0.3 * np.sqrt(1.0 + sigma**2))
    if goal == "normal":
        # Integrate over the (light-tailed) goal z on a fine uniform grid.
        z = np.linspace(-14.0, 14.0, n_z)
        wz = _trap_weights(z) * _pdf(z, goal, goal_df)
        h = _neglog2_sf(z, goal, goal_df)[None, :]
        zz = z[None, :]
        d = (s[:, None] - z[None, :]) / sigma
        joint = _pdf(d, error, error_df) / sigma * wz[None, :]
        sf_s = (_sf(d, error, error_df) * wz[None, :]).sum(axis=1)
    else:
        # Heavy-tailed goal, normal error: integrate over the error x instead; z = s - x.
        x = np.linspace(-14.0 * sigma, 14.0 * sigma, n_z)
        wx = _trap_weights(x) * _pdf(x / sigma, "normal", None) / sigma
        zz = s[:, None] - x[None, :]
        h = _neglog2_sf(zz, goal, goal_df)
        joint = _pdf(zz, goal, goal_df) * wx[None, :]
        sf_s = (_sf(zz, goal, goal_df) * wx[None, :]).sum(axis=1)
    f_s = joint.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = (joint * h).sum(axis=1) / f_s
        zbar = (joint * zz).sum(axis=1) / f_s
    sf_s = np.clip(sf_s, 0.0, 1.0)
    # The grid must hold essentially all the mass of max(S_1..S_n).
    if not (sf_s[0] > 1 - 1e-9 and n_max * sf_s[-1] < 1e-6):
        raise ValueError("s grid too narrow for these n")
    gm = 0.5 * (g[1:] + g[:-1])
    zm = 0.5 * (zbar[1:] + zbar[:-1])
    out_bits, out_mean = [], []
    base = None
    for n in np.concatenate([[1.0], n_values]):
        with np.errstate(divide="ignore"):
            cdf_max = np.exp(n * np.log1p(-sf_s))
        mass = np.diff(cdf_max)
        ok = mass > 0
        if np.any(~np.isfinite(gm[ok])):
            bad = mass[ok & ~np.isfinite(gm)].sum()
            if bad > 1e-9:
                raise ValueError("conditional expectation undefined where max(S) has mass")
        ok &= np.isfinite(gm)
        tot = mass[ok].sum()
        val = (gm[ok] * mass[ok]).sum() / tot
        mval = (zm[ok] * mass[ok]).sum() / tot
        if base is None:
            base = val
            continue
        out_bits.append(val - base)
        out_mean.append(mval)
    return {
        "n": n_values,
        "goal_bits": np.array(out_bits),
        "score_bits": score_bits,
        "goal_mean": np.array(out_mean),
        "baseline_check": base,
    }


def goal_bits_best_of_n_mc(n, rho, error="normal", error_df=None, goal="normal", goal_df=None, trials=4000, seed=0):
    """Seeded Monte Carlo version of :func:`goal_bits_best_of_n` for one n (a check)."""
    rng = np.random.default_rng(seed)
    n = int(n)

    def draw(kind, df, size):
        if kind == "normal":
            return rng.standard_normal(size)
        return rng.standard_t(df, size) * _t_scale(df)

    zz = draw(goal, goal_df, (trials, n))
    if rho >= 1.0:
        ss = zz
    else:
        ss = zz + np.sqrt(1.0 / rho**2 - 1.0) * draw(error, error_df, (trials, n))
    idx = np.argmax(ss, axis=1)
    zsel = zz[np.arange(trials), idx]
    bits = _neglog2_sf(zsel, goal, goal_df)
    return {
        "goal_bits": float(bits.mean() - BASELINE_BITS),
        "stderr": float(bits.std(ddof=1) / np.sqrt(trials)),
        "score_bits": float(score_bits_best_of_n(n)),
    }


def small_rho_slope():
    """d/d(mu) E[-log2 P(Z >= Z + mu)] at mu = 0 for standard normal Z: E[hazard(Z)]/ln 2.

    For a small correlation, bits on a normal goal after best-of-n are about
    rho * E[max of n standard normals] * this slope (first order in rho).
    """
    z = np.linspace(-12, 12, 48001)
    haz = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi) / special.ndtr(-z)
    pdf = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    return float(np.trapezoid(pdf * haz, z) / LN2)


def expected_max_normal(n_values):
    """E[max of n iid standard normals], by quadrature."""
    x = np.linspace(-10, 12, 22001)
    out = []
    for n in np.atleast_1d(n_values):
        cdf = special.ndtr(x) ** n
        # E[M] = int_0^inf (1 - F^n) - int_-inf^0 F^n
        pos = x >= 0
        out.append(np.trapezoid(1 - cdf[pos], x[pos]) - np.trapezoid(cdf[~pos], x[~pos]))
    return np.array(out)


# ---------------------------------------------------------------------------
# Generations: selection that compounds through a learner
# ---------------------------------------------------------------------------

_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(120)
_GH_W = _GH_W / np.sqrt(2 * np.pi)


def _normal_excess_bits(mean, var):
    """E[-log2 P0(Z >= Y)] - 1/ln 2 for Y ~ N(mean, var) and baseline Z ~ N(0, 1)."""
    y = mean + np.sqrt(var) * _GH_X
    return float((_GH_W * (-special.log_ndtr(-y) / LN2)).sum() - BASELINE_BITS)


def _kl_gauss_bits(m, c, c0):
    c0i = np.linalg.inv(c0)
    k = len(m)
    val = 0.5 * (np.trace(c0i @ c) + m @ c0i @ m - k + np.log(np.linalg.det(c0) / np.linalg.det(c)))
    return float(val / LN2)


def generations(rho, q, n_gen, variant="fresh"):
    """Iterated top-q filtering with a Gaussian learner refitted each round.

    Generation 0 is the baseline P0: (Z, X) ~ N(0, diag(1, 1/rho^2 - 1)), S = Z + X.
    Each round keeps the top fraction q by S (exact truncated-normal moments) and the
    next generator is N(mean of kept, C), with C the kept covariance (``collapse``) or
    the original covariance (``fresh``).  Reports, for each generation 0..n_gen,
    excess Yudkowsky bits on Z and on S relative to P0, the KL of the generator from
    P0 (bits), and the cumulative selection budget n_gen * log2(1/q).
    """
    if not 0 < rho < 1:
        raise ValueError("need 0 < rho < 1")
    sig2 = 1.0 / rho**2 - 1.0
    c0 = np.diag([1.0, sig2])
    w = np.array([1.0, 1.0])
    s0_sd = np.sqrt(w @ c0 @ w)
    c_thr = special.ndtri(1.0 - q)
    lam = np.exp(-0.5 * c_thr**2) / np.sqrt(2 * np.pi) / q
    m = np.zeros(2)
    c = c0.copy()
    rows = []
    for gen in range(n_gen + 1):
        s_mean = w @ m
        s_var = w @ c @ w
        rows.append(
            (
                gen,
                _normal_excess_bits(m[0], c[0, 0]),
                _normal_excess_bits(s_mean / s0_sd, s_var / s0_sd**2),
                _kl_gauss_bits(m, c, c0),
                gen * np.log2(1.0 / q),
                m[0],
                m[1],
                c[0, 0],
            )
        )
        sd = np.sqrt(s_var)
        cw = c @ w
        m = m + cw / sd * lam
        c_sel = c - np.outer(cw, cw) / s_var * lam * (lam - c_thr)
        c = c_sel if variant == "collapse" else c0.copy()
    arr = np.array(rows)
    return {
        "gen": arr[:, 0].astype(int),
        "goal_bits": arr[:, 1],
        "score_bits": arr[:, 2],
        "kl_bits": arr[:, 3],
        "budget_bits": arr[:, 4],
        "goal_mean": arr[:, 5],
        "error_mean": arr[:, 6],
        "goal_var": arr[:, 7],
        "rho": rho,
        "q": q,
        "variant": variant,
    }


def generations_mc(rho, q, n_gen, variant="fresh", samples=200_000, seed=0):
    """Seeded Monte Carlo version of :func:`generations` (a check): sample, filter, refit."""
    rng = np.random.default_rng(seed)
    sig2 = 1.0 / rho**2 - 1.0
    c0 = np.diag([1.0, sig2])
    m = np.zeros(2)
    c = c0.copy()
    goal_bits = []
    for gen in range(n_gen + 1):
        x = rng.multivariate_normal(m, c, size=samples)
        goal_bits.append(float((-special.log_ndtr(-x[:, 0]) / LN2).mean() - BASELINE_BITS))
        s = x.sum(axis=1)
        keep = x[s >= np.quantile(s, 1.0 - q)]
        m = keep.mean(axis=0)
        c = np.cov(keep.T) if variant == "collapse" else c0.copy()
    return {"gen": np.arange(n_gen + 1), "goal_bits": np.array(goal_bits)}
