"""Figure for the post "takeover-scenario": how many human-speed copies the training cluster can run."""

import numpy as np

from experiments import takeover_copies as E
from figures.figlib import plt, save

N, SEED = 100_000, 0

LABELS = {
    "C": "training compute C",
    "u_inf": "inference utilisation",
    "verbosity": "verbosity (tokens/human token)",
    "r": "tokens per parameter r",
    "T": "training duration T",
    "wpm": "human words per minute",
    "u_train": "training utilisation",
    "tokens_per_word": "tokens per word",
}


def main():
    res = E.monte_carlo(n=N, seed=SEED)
    cond = E.conditional_on_compute([1e26, 1e27, 1e28, 1e29, 1e30], n=10_000, seed=1)
    logc = np.log10(res["copies"])

    fig = plt.figure(figsize=(8.0, 7.0))
    top = fig.add_gridspec(1, 2, left=0.08, right=0.98, top=0.97, bottom=0.64, wspace=0.38)
    ax, cx = fig.add_subplot(top[0, 0]), fig.add_subplot(top[0, 1])
    lx = fig.add_axes([0.08, 0.44, 0.9, 0.11])
    lx.axis("off")
    bx = fig.add_gridspec(1, 1, left=0.33, right=0.98, top=0.38, bottom=0.07).subplots()
    karn = (np.log10(2e8), np.log10(9e8))

    # (a) distribution of concurrent human-speed copies, with reference claims.
    ax.hist(logc, bins=70, density=True, color="C0", alpha=0.8, label="Monte Carlo over sourced ranges (a)")
    ax.axvline(np.log10(res["percentiles"][50]), color="k", ls="--", lw=1.2, label=f"median ({res['percentiles'][50]:.2g}) (a)")
    ax.axvline(6.0, color="C2", lw=1.8, label="Steinhardt (2023): at least 1 million")
    ax.axvspan(*karn, color="C1", alpha=0.4, label="Karnofsky (2022): several hundred million")
    ax.set_xlabel("concurrent human-speed copies (log10)")
    ax.set_ylabel("probability density")
    ax.set_xlim(3.5, 9.5)
    ax.set_ylim(0, 1.0)
    ax.set_title("(a)", loc="left", fontsize=10)

    # (b) copies as a function of training compute, other inputs still uncertain.
    lc = np.log10(cond["C"])
    cx.fill_between(lc, np.log10(cond["p5"]), np.log10(cond["p95"]), color="C0", alpha=0.25, label="5–95% over the other inputs (b)")
    cx.plot(lc, np.log10(cond["p50"]), "o-", color="C0", ms=4, label="median at fixed compute (b)")
    cx.axhline(6.0, color="C2", lw=1.8)
    cx.axhspan(*karn, color="C1", alpha=0.4)
    cx.set_xlabel("training compute C (log10 FLOP)")
    cx.set_ylabel("concurrent human-speed\ncopies (log10)")
    cx.set_ylim(3.5, 9.5)
    cx.set_title("(b)", loc="left", fontsize=10)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = cx.get_legend_handles_labels()
    lx.legend(h1 + h2, l1 + l2, loc="center", ncol=2, fontsize=8.5)

    # (c) exact variance decomposition of log10(copies).
    shares = sorted(res["shares"].items(), key=lambda kv: kv[1])
    bx.barh([LABELS[k] for k, _ in shares], [100 * v for _, v in shares], color="C0")
    bx.set_xlabel("share of variance of log10(copies) (%)")
    bx.set_title("(c)", loc="left", fontsize=10)
    for i, (_, v) in enumerate(shares):
        bx.text(100 * v + 0.5, i, f"{100 * v:.1f}", va="center", fontsize=8.5)
    bx.set_xlim(0, 50)
    bx.grid(axis="y", visible=False)

    params = {
        "n": N,
        "seed": SEED,
        "ranges": {k: list(v) for k, v in E.DEFAULT_RANGES.items()},
        "conditional_C": cond["C"].tolist(),
        "conditional_n": 10_000,
        "conditional_seeds": "1..5",
        "hours_per_day": 8.0,
        "reuse": 1.0,
    }
    save(fig, "takeover_copies", params=params)
    return res, cond


if __name__ == "__main__":
    res, cond = main()
    print("percentiles", {k: f"{v:.3g}" for k, v in res["percentiles"].items()})
    print("workers", {k: f"{v:.3g}" for k, v in res["worker_percentiles"].items()})
    print("P>=1e6", res["p_ge_1e6"], "P>=2e8", res["p_ge_2e8"])
    print("shares", {k: round(v, 3) for k, v in res["shares"].items()})
    print(
        "conditional",
        {f"{c:.0e}": (f"{a:.3g}", f"{b:.3g}", f"{d:.3g}") for c, a, b, d in zip(cond["C"], cond["p5"], cond["p50"], cond["p95"])},
    )
