"""How fast is one forward pass of a large transformer, and how does that compare with a human?

This module does three things, all pure numpy/scipy and deterministic (seeded with
``numpy.random.default_rng(seed)`` where random):

1. **Calibration on real measurements.**  ``load_measurements`` reads the H100
   latency table measured for this project (``experiments/data/forward-latency``;
   GPT-style decoder layers, bf16, KV cache of 2,048 tokens, one H100 80GB SXM).
   ``fit_decode`` fits the per-token decode latency of the CUDA-graph runs with a
   three-term latency model

       t = t0 + bytes / BW_eff + L * tau

   (fixed cost ``t0``, bytes read from memory at an *effective* bandwidth
   ``BW_eff``, and a fixed cost ``tau`` per layer) by non-negative least squares,
   and reports in-sample and leave-one-model-out residuals.  ``fit_prefill``
   reports the achieved fraction of the dense bf16 peak during a 2,048-token prefill.

2. **A hardware-grounded latency model for one model instance spread over k
   accelerators** (``token_latency``): a decode step reads the active weights
   (plus KV cache and other state, a fraction ``kv`` of the weight bytes) from
   memory split over ``k`` chips, is bounded below by arithmetic at batch ``b``,
   and pays per layer a fixed compute overhead ``tau`` plus ``syncs`` all-reduce
   latencies ``t_sync`` whenever ``k > 1`` (tensor parallelism needs two
   all-reduces per layer):

       t = max(N bpp (1+kv) / (k BW eta),  2 N b / (k F mfu)) + L (tau + syncs t_sync [k>1])

3. **A Monte Carlo over stated ranges** (``monte_carlo``) for the first
   AGI-level model, separating *serial speed* (tokens/s of one instance),
   *effective cognitive speed* (human-equivalent tokens/s after dividing by a
   verbosity factor) and their ratio to a human rate; ``tornado`` does one-at-a-
   time sensitivities and ``spearman`` rank correlations.

Units: seconds, bytes, FLOP unless a name says otherwise (``_ms``, ``_us``, ``_gb``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy.optimize import nnls
from scipy.stats import spearmanr

DATA = Path(__file__).resolve().parent / "data" / "forward-latency" / "h100-2026-11-26.csv"
CONTEXT = 2048  # KV-cache length of the decode measurements
H100_BW_TBS = 3.35  # H100 SXM HBM3 peak bandwidth, TB/s (as used in measure.py)
H100_BF16_TFLOPS = 989.0  # dense bf16 peak, TFLOP/s (as used in measure.py)


# --------------------------------------------------------------------------- data
def load_measurements(path: Path | str = DATA) -> dict[str, np.ndarray]:
    """Read the measured CSV into column arrays (numbers as float, labels as str)."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, np.ndarray] = {}
    for key in rows[0]:
        vals = [r[key] for r in rows]
        try:
            out[key] = np.array([float(v) for v in vals])
        except ValueError:
            out[key] = np.array(vals)
    # KV-cache bytes read per decode step: K and V, every layer, every sequence, bf16.
    out["kv_gb"] = 2 * out["layers"] * out["batch"] * CONTEXT * out["d_model"] * 2 / 1e9
    return out


def _select(m: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in m.items()}


# ---------------------------------------------------------------- calibration fits
def fit_decode(m: dict[str, np.ndarray] | None = None, mode: str = "decode_graph") -> dict:
    """Fit step latency = t0 + (weights+KV bytes)/BW_eff + layers*tau on one decode mode.

    Returns coefficients (t0_ms, bw_eff_tbs, tau_us, eta = BW_eff / 3.35 TB/s),
    predictions, in-sample residuals, and leave-one-model-out (LOMO) residuals in
    which every row of one model size is predicted from a fit to the other sizes.
    """
    m = load_measurements() if m is None else m
    d = _select(m, m["mode"] == mode)
    gb = d["weight_gb"] + d["kv_gb"]
    X = np.column_stack([np.ones_like(gb), gb, d["layers"]])
    y = d["median_ms"]
    coef, _ = nnls(X, y)
    pred = X @ coef
    resid = y - pred
    rel = resid / y
    ss_res = float(np.sum(resid**2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    lomo = np.empty_like(y)
    for name in np.unique(d["model"]):
        held = d["model"] == name
        c, _ = nnls(X[~held], y[~held])
        lomo[held] = X[held] @ c
    lomo_rel = (y - lomo) / y
    return {
        "mode": mode,
        "n": int(len(y)),
        "t0_ms": float(coef[0]),
        "bw_eff_tbs": float(1.0 / coef[1]) if coef[1] > 0 else float("inf"),
        "eta": float((1.0 / coef[1]) / H100_BW_TBS) if coef[1] > 0 else float("inf"),
        "tau_us": float(coef[2] * 1e3),
        "r2": 1.0 - ss_res / ss_tot,
        "model": d["model"],
        "batch": d["batch"],
        "params_b": d["params_b"],
        "layers": d["layers"],
        "bytes_gb": gb,
        "measured_ms": y,
        "predicted_ms": pred,
        "resid_ms": resid,
        "rel_resid": rel,
        "max_abs_rel": float(np.max(np.abs(rel))),
        "median_abs_rel": float(np.median(np.abs(rel))),
        "lomo_pred_ms": lomo,
        "lomo_rel": lomo_rel,
        "lomo_max_abs_rel": float(np.max(np.abs(lomo_rel))),
        "lomo_median_abs_rel": float(np.median(np.abs(lomo_rel))),
        "floor_ms": gb / H100_BW_TBS,
    }


def fit_prefill(m: dict[str, np.ndarray] | None = None) -> dict:
    """Achieved dense-bf16 utilisation of the 2,048-token prefill runs (2*N*T FLOP)."""
    m = load_measurements() if m is None else m
    d = _select(m, m["mode"] == "prefill")
    flop = 2 * d["params_b"] * 1e9 * d["tokens"]
    achieved_tflops = flop / (d["median_ms"] * 1e-3) / 1e12
    return {
        "model": d["model"],
        "params_b": d["params_b"],
        "median_ms": d["median_ms"],
        "achieved_tflops": achieved_tflops,
        "mfu": achieved_tflops / H100_BF16_TFLOPS,
    }


def launch_overhead(m: dict[str, np.ndarray] | None = None) -> dict:
    """Per-layer time saved by replaying the batch-1 decode step as a CUDA graph."""
    m = load_measurements() if m is None else m
    e = _select(m, (m["mode"] == "decode_eager") & (m["batch"] == 1))
    g = _select(m, (m["mode"] == "decode_graph") & (m["batch"] == 1))
    assert list(e["model"]) == list(g["model"])
    per_layer_us = (e["median_ms"] - g["median_ms"]) / e["layers"] * 1e3
    return {"model": e["model"], "per_layer_us": per_layer_us, "eager_ms": e["median_ms"], "graph_ms": g["median_ms"]}


def batching_tradeoff(m: dict[str, np.ndarray] | None = None) -> dict:
    """Per-sequence step latency and per-GPU throughput against batch size (graph mode)."""
    m = load_measurements() if m is None else m
    g = _select(m, m["mode"] == "decode_graph")
    out = {}
    for name in dict.fromkeys(g["model"]):
        s = g["model"] == name
        out[str(name)] = {"batch": g["batch"][s], "step_ms": g["median_ms"][s], "tokens_per_s": g["batch"][s] / (g["median_ms"][s] * 1e-3)}
    return out


# ------------------------------------------------------------------ latency model
def token_latency(N, bpp, kv, bw_tbs, eta, k, layers, tau_us, t_sync_us, batch=1.0, flops_tf=2000.0, mfu=0.5, syncs=2.0):
    """Seconds per decode step of one model instance (vectorised over numpy arrays).

    N active parameters; bpp bytes per parameter; kv extra bytes read per step as a
    fraction of the weight bytes; bw_tbs peak memory bandwidth per accelerator (TB/s);
    eta achieved fraction of it; k accelerators holding one replica (tensor-parallel);
    layers; tau_us fixed per-layer compute overhead; t_sync_us latency of one
    all-reduce; batch sequences decoded together; flops_tf peak dense TFLOP/s per
    accelerator at the weight precision; mfu achieved fraction of it.
    """
    N, k = np.asarray(N, float), np.asarray(k, float)
    mem = N * bpp * (1.0 + kv) / (k * bw_tbs * 1e12 * eta)
    comp = 2.0 * N * batch / (k * flops_tf * 1e12 * mfu)
    sync = np.where(k > 1, syncs * np.asarray(t_sync_us, float), 0.0)
    over = layers * (np.asarray(tau_us, float) + sync) * 1e-6
    return np.maximum(mem, comp) + over


def decompose(N, bpp, kv, bw_tbs, eta, k, layers, tau_us, t_sync_us, syncs=2.0) -> dict:
    """The memory term and the per-layer term of ``token_latency`` (batch 1), seconds."""
    mem = N * bpp * (1.0 + kv) / (k * bw_tbs * 1e12 * eta)
    sync = syncs * t_sync_us if k > 1 else 0.0
    return {"memory_s": mem, "per_layer_s": layers * (tau_us + sync) * 1e-6}


# Published serial-speed points, used as out-of-sample checks (see the post for sources).
# Fields: name, active params, bytes/param, layers, chips k, per-chip bandwidth TB/s,
# measured seconds per token.
PUBLISHED = [
    # Pope et al. 2023: PaLM 540B, int8 weights, 64 TPU v4 chips, 29 ms/token (low batch).
    {"name": "PaLM 540B, 64 TPU v4 (Pope et al.)", "N": 540e9, "bpp": 1.0, "layers": 118, "k": 64, "bw_tbs": 1.2, "s_per_token": 0.029},
    # Cerebras 2024: Llama 3.1 405B at 969 tokens/s (bf16, wafer-scale SRAM).
    {
        "name": "Llama 3.1 405B, Cerebras (969 tok/s)",
        "N": 405e9,
        "bpp": 2.0,
        "layers": 126,
        "k": None,
        "bw_tbs": None,
        "s_per_token": 1 / 969,
    },
    # Cerebras 2024: Llama 3.1 70B at 450 tokens/s (bf16).
    {"name": "Llama 3.1 70B, Cerebras (450 tok/s)", "N": 70e9, "bpp": 2.0, "layers": 80, "k": None, "bw_tbs": None, "s_per_token": 1 / 450},
]


def published_checks() -> list[dict]:
    """Implied per-layer time budget of each published point, and (where the chip
    count and bandwidth are known) the bandwidth floor and the per-layer overhead
    that the measured latency implies beyond it."""
    out = []
    for p in PUBLISHED:
        row = dict(p)
        row["per_layer_budget_us"] = p["s_per_token"] / p["layers"] * 1e6
        if p["k"]:
            floor = p["N"] * p["bpp"] / (p["k"] * p["bw_tbs"] * 1e12)
            row["bandwidth_floor_s"] = floor
            row["implied_overhead_per_layer_us"] = (p["s_per_token"] - floor) / p["layers"] * 1e6
        out.append(row)
    return out


# --------------------------------------------------------------------- Monte Carlo
# (low, high, distribution) for each input; the post gives the reasons for each range.
DEFAULT_RANGES: dict[str, tuple[float, float, str]] = {
    "N": (1e11, 1e13, "loguniform"),  # active parameters per token of the first AGI
    "bpp": (0.5, 2.0, "loguniform"),  # bytes per parameter (FP4 .. BF16)
    "kv": (0.1, 1.0, "uniform"),  # KV cache + other state read, fraction of weights
    "bw_tbs": (3.35, 30.0, "loguniform"),  # memory bandwidth per accelerator, TB/s
    "eta": (0.55, 0.90, "uniform"),  # achieved fraction of peak bandwidth
    "k": (8.0, 512.0, "loguniform"),  # accelerators serving one instance
    "layers": (60.0, 250.0, "uniform"),  # serial layers per forward pass
    "tau_us": (2.0, 30.0, "loguniform"),  # fixed compute overhead per layer, µs
    "t_sync_us": (3.0, 100.0, "loguniform"),  # latency of one all-reduce, µs
    "deploy": (1.0, 4.0, "loguniform"),  # slowdown from batching for cost (deployed/achievable)
    "spec": (1.0, 3.0, "uniform"),  # speedup from speculative / multi-token decoding
    "human": (1.1, 8.0, "loguniform"),  # human serial verbal rate, tokens/s
    "verbosity": (1.0, 20.0, "loguniform"),  # model tokens per human-equivalent token
}


def _draw(rng, lo, hi, kind, n):
    if kind == "loguniform":
        return 10 ** rng.uniform(np.log10(lo), np.log10(hi), n)
    if kind == "uniform":
        return rng.uniform(lo, hi, n)
    raise ValueError(kind)


def _median_value(lo, hi, kind):
    return float(np.sqrt(lo * hi)) if kind == "loguniform" else 0.5 * (lo + hi)


def _quantile_value(lo, hi, kind, q):
    if kind == "loguniform":
        return float(10 ** (np.log10(lo) + q * (np.log10(hi) - np.log10(lo))))
    return lo + q * (hi - lo)


def speeds(x: dict) -> dict:
    """Serial speed, effective speed and the AI/human ratios from one set of inputs."""
    t = token_latency(x["N"], x["bpp"], x["kv"], x["bw_tbs"], x["eta"], x["k"], x["layers"], x["tau_us"], x["t_sync_us"])
    achievable = x["spec"] / t  # tokens/s, latency-optimised serving
    deployed = achievable / x["deploy"]  # tokens/s, cost-optimised serving
    effective = deployed / x["verbosity"]  # human-equivalent tokens/s
    return {
        "latency_s": t,
        "achievable_tps": achievable,
        "deployed_tps": deployed,
        "effective_tps": effective,
        "serial_ratio": deployed / x["human"],
        "ratio": effective / x["human"],
    }


def monte_carlo(n: int = 200_000, seed: int = 0, ranges: dict | None = None) -> dict:
    """Sample every input independently from its range and return the speed distribution."""
    ranges = DEFAULT_RANGES if ranges is None else ranges
    rng = np.random.default_rng(seed)
    x = {k: _draw(rng, lo, hi, kind, n) for k, (lo, hi, kind) in ranges.items()}
    s = speeds(x)
    qs = [5, 25, 50, 75, 95]
    pct = {
        key: {q: float(np.percentile(s[key], q)) for q in qs}
        for key in ("latency_s", "achievable_tps", "deployed_tps", "effective_tps", "serial_ratio", "ratio")
    }
    mem = x["N"] * x["bpp"] * (1 + x["kv"]) / (x["k"] * x["bw_tbs"] * 1e12 * x["eta"])
    return {
        "n": n,
        "seed": seed,
        "inputs": x,
        **s,
        "percentiles": pct,
        "p_slower": float(np.mean(s["ratio"] < 1.0)),
        "p_serial_slower": float(np.mean(s["serial_ratio"] < 1.0)),
        "p_10x_faster": float(np.mean(s["ratio"] >= 10.0)),
        "p_latency_overhead_dominant": float(np.mean(s["latency_s"] - mem > mem)),
    }


def tornado(ranges: dict | None = None, key: str = "ratio", lo_q: float = 0.1, hi_q: float = 0.9) -> dict:
    """One-at-a-time sensitivity: move each input to its lo_q / hi_q quantile with all
    others at their medians; report log10 of the output at both ends and the base."""
    ranges = DEFAULT_RANGES if ranges is None else ranges
    base = {k: np.array([_median_value(lo, hi, kind)]) for k, (lo, hi, kind) in ranges.items()}
    b = float(np.log10(speeds(base)[key][0]))
    rows = []
    for name, (lo, hi, kind) in ranges.items():
        vals = []
        for q in (lo_q, hi_q):
            x = dict(base)
            x[name] = np.array([_quantile_value(lo, hi, kind, q)])
            vals.append(float(np.log10(speeds(x)[key][0])))
        rows.append((name, vals[0], vals[1], abs(vals[1] - vals[0])))
    rows.sort(key=lambda r: r[3], reverse=True)
    return {"base_log10": b, "rows": rows, "lo_q": lo_q, "hi_q": hi_q}


def spearman(res: dict, key: str = "ratio") -> dict[str, float]:
    """Spearman rank correlation of each sampled input with the chosen output."""
    y = res[key]
    return {k: float(spearmanr(v, y)[0]) for k, v in res["inputs"].items()}


# Alternative range sets for a robustness table: each entry overrides some ranges.
SCENARIOS: dict[str, dict[str, tuple[float, float, str]]] = {
    "baseline": {},
    "verbose reasoning (verbosity 3-100)": {"verbosity": (3.0, 100.0, "loguniform")},
    "stalled hardware (BW 3.35-8, k 8-72, sync 10-100 us)": {
        "bw_tbs": (3.35, 8.0, "loguniform"),
        "k": (8.0, 72.0, "loguniform"),
        "t_sync_us": (10.0, 100.0, "loguniform"),
    },
    "cost-first serving (deploy 2-10, no speculation)": {"deploy": (2.0, 10.0, "loguniform"), "spec": (1.0, 1.0, "uniform")},
    "huge model (N 3e12-3e13 active)": {"N": (3e12, 3e13, "loguniform")},
    "all pessimistic together": {
        "verbosity": (3.0, 100.0, "loguniform"),
        "bw_tbs": (3.35, 8.0, "loguniform"),
        "k": (8.0, 72.0, "loguniform"),
        "t_sync_us": (10.0, 100.0, "loguniform"),
        "deploy": (2.0, 10.0, "loguniform"),
        "spec": (1.0, 1.0, "uniform"),
        "N": (3e12, 3e13, "loguniform"),
    },
}


def scenario_table(n: int = 50_000, seed: int = 0) -> list[dict]:
    """Median ratios and P(slower than a human) under each alternative range set."""
    out = []
    for name, override in SCENARIOS.items():
        res = monte_carlo(n=n, seed=seed, ranges={**DEFAULT_RANGES, **override})
        out.append(
            {
                "scenario": name,
                "median_serial_tps": res["percentiles"]["deployed_tps"][50],
                "median_serial_ratio": res["percentiles"]["serial_ratio"][50],
                "median_ratio": res["percentiles"]["ratio"][50],
                "p_serial_slower": res["p_serial_slower"],
                "p_slower": res["p_slower"],
            }
        )
    return out
