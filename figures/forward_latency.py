"""Figures for the post "agi-forward-pass-speed": latency-model calibration and the speed distribution."""

import numpy as np

from experiments import forward_latency as E
from figures.figlib import plt, save

N, SEED = 50_000, 0
TOKENS_PER_WORD = 1.3  # assumption used to convert human words/minute to tokens/s

LABELS = {
    "N": "active parameters N",
    "bpp": "bytes per parameter",
    "kv": "KV/state bytes (fraction)",
    "bw_tbs": "bandwidth per chip",
    "eta": "bandwidth efficiency",
    "k": "chips per instance k",
    "layers": "layers L",
    "tau_us": "per-layer overhead",
    "t_sync_us": "all-reduce latency",
    "deploy": "cost-driven slowdown",
    "spec": "speculative speedup",
    "human": "human tokens/s",
    "verbosity": "verbosity (tokens/thought)",
}


def calibration_figure():
    m = E.load_measurements()
    f = E.fit_decode(m)
    fe = E.fit_decode(m, mode="decode_eager")
    pub = E.published_checks()
    bt = E.batching_tradeoff(m)

    fig, axs = plt.subplots(2, 2, figsize=(11.0, 8.2))
    ax, rx, px, bx = axs.ravel()

    # (a) measured vs fitted step latency.
    for i, b in enumerate([1, 8, 64]):
        s = f["batch"] == b
        ax.loglog(f["predicted_ms"][s], f["measured_ms"][s], "o", color=f"C{i}", ms=6, label=f"CUDA graph, batch {b}")
    se = fe["batch"] == 1
    ax.loglog(f["predicted_ms"][f["batch"] == 1], fe["measured_ms"][se], "x", color="C3", ms=6, label="eager (not in fit), batch 1")
    lim = [0.2, 40]
    ax.plot(lim, lim, "k--", lw=1, label="measured = fitted")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("fitted step latency (ms)")
    ax.set_ylabel("measured step latency on one H100 (ms)")
    ax.legend(fontsize=9, loc="upper left")
    ax.text(
        0.97,
        0.03,
        f"(a)  BW_eff = {f['bw_eff_tbs']:.2f} TB/s, τ = {f['tau_us']:.1f} µs/layer",
        transform=ax.transAxes,
        ha="right",
        fontsize=9,
    )

    # (b) residuals: in-sample and leave-one-model-out.
    x = f["params_b"] * (1 + 0.06 * (np.log2(f["batch"]) / 6 - 0.5))
    rx.semilogx(x, 100 * f["rel_resid"], "o", color="C0", label="in-sample")
    rx.semilogx(x, 100 * f["lomo_rel"], "s", mfc="none", color="C1", label="leave one model size out")
    rx.axhline(0, color="k", lw=0.8)
    rx.set_xlabel("model size (billion parameters)")
    rx.set_ylabel("residual, (measured - fitted) / measured (%)")
    rx.set_ylim(-8, 8)
    rx.legend(fontsize=9, loc="upper right")
    rx.text(0.03, 0.03, "(b)", transform=rx.transAxes, fontsize=10)

    # (c) per-layer time budget: ours and published points.
    names = ["H100, 1 chip (this fit):\nfixed cost per layer"]
    vals = [f["tau_us"]]
    for p in pub:
        names.append(p["name"].replace(", ", ",\n", 1) + ":\nwhole step / layers")
        vals.append(p["per_layer_budget_us"])
    yy = np.arange(len(names))[::-1]
    px.barh(yy, vals, color=["C0", "C1", "C2", "C2"])
    palm = pub[0]
    px.barh(yy[1], palm["bandwidth_floor_s"] / palm["layers"] * 1e6, color="C7", label="of which: bandwidth floor")
    px.set_yticks(yy)
    px.set_yticklabels(names, fontsize=9)
    px.set_xscale("log")
    px.set_xlabel("time per layer per generated token (microseconds)")
    for yv, v in zip(yy, vals):
        px.text(v * 1.1, yv, f"{v:.1f}", va="center", fontsize=9)
    px.set_xlim(1, 2000)
    px.legend(fontsize=9, loc="lower right")
    px.text(0.97, 0.93, "(c)", transform=px.transAxes, ha="right", fontsize=10)

    # (d) batching: serial speed per sequence vs throughput per GPU.
    # Skip the palette's yellow (C6), which vanishes on the page background.
    model_colors = ["C0", "C1", "C2", "C3", "C4", "C5", "C7"]
    for i, (name, d) in enumerate(bt.items()):
        per_seq = 1e3 / d["step_ms"]
        bx.loglog(d["tokens_per_s"], per_seq, "o-", color=model_colors[i % len(model_colors)], ms=4, label=name)
        for b, xx, yv in zip(d["batch"], d["tokens_per_s"], per_seq):
            if name in ("0.1B", "2.7B"):
                bx.annotate(f"b={int(b)}", (xx, yv), fontsize=8, xytext=(3, 3), textcoords="offset points")
    bx.set_xlabel("throughput of one H100 (tokens/s, all sequences)")
    bx.set_ylabel("serial speed of one sequence (tokens/s)")
    bx.set_xlim(25, 6e4)
    bx.set_ylim(30, 4000)
    bx.legend(fontsize=8.5, ncol=2, loc="upper left", title="model", title_fontsize=8.5)
    bx.text(0.97, 0.93, "(d)", transform=bx.transAxes, ha="right", fontsize=10)

    fig.tight_layout()
    save(
        fig,
        "forward_latency_calibration",
        params={
            "data": "experiments/data/forward-latency/h100-2026-11-26.csv",
            "fit": "median_ms = t0 + (weight_gb + kv_gb)/BW_eff + layers*tau, NNLS, decode_graph rows",
            "published": [p["name"] for p in pub],
        },
    )
    return f, fe, pub


def distribution_figure():
    res = E.monte_carlo(n=N, seed=SEED)
    tor = E.tornado()
    fig = plt.figure(figsize=(11.0, 9.0))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.05])
    lx = fig.add_subplot(gs[0, 0])
    cx = fig.add_subplot(gs[0, 1])
    tx = fig.add_subplot(gs[1, :])

    # (a) a ladder of speeds in tokens/s.
    m = E.load_measurements()
    s32 = (m["model"] == "32B") & (m["mode"] == "decode_graph")
    items = [
        ("typing, 52 wpm", 52 * TOKENS_PER_WORD / 60, "C1"),
        ("reading aloud, 183 wpm", 183 * TOKENS_PER_WORD / 60, "C1"),
        ("silent reading, 238 wpm", 238 * TOKENS_PER_WORD / 60, "C1"),
        ("32B model, 1 H100 (measured)", 1e3 / m["median_ms"][s32][0], "C0"),
        ("PaLM 540B, 64 TPU v4", 1 / 0.029, "C0"),
        ("Llama 3.1 405B, Cerebras", 969.0, "C0"),
        ("first AGI, serial (median)", res["percentiles"]["deployed_tps"][50], "C2"),
        ("first AGI, effective (median)", res["percentiles"]["effective_tps"][50], "C2"),
    ]
    yy = np.arange(len(items))[::-1]
    for y, (name, v, c) in zip(yy, items):
        lx.barh(y, v, color=c)
        lx.text(v * 1.15, y, f"{v:.3g}", va="center", fontsize=9)
    lo, hi = res["percentiles"]["deployed_tps"][5], res["percentiles"]["deployed_tps"][95]
    lx.plot([lo, hi], [yy[-2]] * 2, "k-", lw=1.2)
    lo, hi = res["percentiles"]["effective_tps"][5], res["percentiles"]["effective_tps"][95]
    lx.plot([lo, hi], [yy[-1]] * 2, "k-", lw=1.2, label="5-95% range")
    lx.set_yticks(yy)
    lx.set_yticklabels([i[0] for i in items], fontsize=9)
    lx.set_xscale("log")
    lx.set_xlim(0.5, 5000)
    lx.set_xlabel("tokens per second (human: words x 1.3)")
    lx.legend(fontsize=9, loc="lower right")
    lx.text(0.97, 0.93, "(a)", transform=lx.transAxes, ha="right", fontsize=10)

    # (b) CDFs of the speed ratios.
    for key, lab, c in [("serial_ratio", "serial speed / human rate", "C0"), ("ratio", "effective speed / human rate", "C2")]:
        v = np.sort(np.log10(res[key]))
        cx.plot(v, np.arange(1, len(v) + 1) / len(v), color=c, lw=2, label=lab)
    cx.axvline(0, color="k", ls="--", lw=1)
    cx.text(-0.1, 0.45, "slower than\na human", fontsize=9, ha="right")
    cx.set_xlabel("AI / human speed ratio (log10)")
    cx.set_ylabel("cumulative probability")
    cx.set_xlim(-2.5, 3.5)
    cx.legend(fontsize=9, loc="upper left", bbox_to_anchor=(0.0, 0.9))
    cx.text(0.03, 0.93, f"(b)  P(effective < human) = {res['p_slower']:.2f}", transform=cx.transAxes, fontsize=9.5)

    # (c) tornado on log10(effective ratio).
    rows = tor["rows"]
    base = tor["base_log10"]
    yy = np.arange(len(rows))[::-1]
    for y, (name, lo_v, hi_v, _) in zip(yy, rows):
        tx.barh(y, lo_v - base, left=base, color="C3", alpha=0.8)
        tx.barh(y, hi_v - base, left=base, color="C0", alpha=0.8)
    from matplotlib.patches import Patch

    handles = [
        Patch(color="C3", alpha=0.8, label="input at its 10th percentile"),
        Patch(color="C0", alpha=0.8, label="input at its 90th percentile"),
    ]
    tx.axvline(base, color="k", lw=1)
    tx.axvline(0, color="k", ls="--", lw=1)
    tx.set_yticks(yy)
    tx.set_yticklabels([LABELS[r[0]] for r in rows], fontsize=9)
    tx.set_xlabel("log10 effective speed ratio (others at medians)")
    tx.legend(handles=handles, fontsize=9, loc="lower right")
    tx.text(0.03, 0.93, "(c)", transform=tx.transAxes, fontsize=10)

    fig.tight_layout()
    save(
        fig,
        "forward_latency_distribution",
        params={
            "n": N,
            "seed": SEED,
            "ranges": {k: list(v) for k, v in E.DEFAULT_RANGES.items()},
            "tornado_quantiles": [tor["lo_q"], tor["hi_q"]],
            "tokens_per_word": TOKENS_PER_WORD,
        },
    )
    return res, tor


def main():
    f, fe, pub = calibration_figure()
    res, tor = distribution_figure()
    return f, fe, pub, res, tor


if __name__ == "__main__":
    f, fe, pub, res, tor = main()
    keys = ["t0_ms", "bw_eff_tbs", "eta", "tau_us", "r2", "max_abs_rel", "median_abs_rel", "lomo_max_abs_rel", "lomo_median_abs_rel"]
    print("graph fit", {k: round(f[k], 4) for k in keys})
    print("eager fit", {k: round(fe[k], 4) for k in keys})
    print("prefill mfu", np.round(E.fit_prefill()["mfu"], 3))
    print("launch overhead us/layer", np.round(E.launch_overhead()["per_layer_us"], 1))
    for p in pub:
        print(p["name"], {k: round(v, 4) for k, v in p.items() if isinstance(v, float)})
    for k, v in res["percentiles"].items():
        print(k, {q: f"{x:.3g}" for q, x in v.items()})
    print(
        "P(slower)",
        res["p_slower"],
        "P(serial slower)",
        res["p_serial_slower"],
        "P(>=10x)",
        res["p_10x_faster"],
        "P(overhead dominant)",
        res["p_latency_overhead_dominant"],
    )
    print("tornado base", round(tor["base_log10"], 3))
    for r in tor["rows"]:
        print("  ", r[0], round(r[1], 3), round(r[2], 3), round(r[3], 3))
    print("spearman", {k: round(v, 3) for k, v in E.spearman(res).items()})
