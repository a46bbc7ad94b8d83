"""Figures for the post "bits-of-optimization": bits on a selection score vs on a correlated goal."""

import numpy as np

from experiments import optimization_bits as E
from figures.figlib import plt, save

N_VALUES = 2.0 ** np.arange(1, 21)  # 2 .. ~10^6 candidates
RHOS = [1.0, 0.7, 0.3, 0.1, 0.03]
TAIL_RHO = 0.5
TAIL_CASES = [
    ("normal goal, normal error", dict()),
    ("normal goal, t(5) error", dict(error="t", error_df=5.0)),
    ("normal goal, t(3) error", dict(error="t", error_df=3.0)),
    ("normal goal, t(2.5) error", dict(error="t", error_df=2.5)),
    ("t(3) goal, normal error", dict(goal="t", goal_df=3.0)),
]
GEN_RHOS = [0.9, 0.5, 0.2]
GEN_Q = 0.5
N_GEN = 10
GRID = (900, 700)  # quadrature points in s and in z (or x)


def fig_best_of_n():
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.6), sharey=True)
    ax = axes[0]
    ax.plot(N_VALUES, np.log2(N_VALUES), color="0.3", ls=":", lw=1.4, label="log2 n (upper bound)")
    ax.plot(N_VALUES, E.kl_bits_best_of_n(N_VALUES), color="0.3", ls="--", lw=1.2, label="KL(best-of-n ‖ base), bits")
    table = {}
    for rho in RHOS:
        r = E.goal_bits_best_of_n(N_VALUES, rho, n_s=GRID[0], n_z=GRID[1])
        table[str(rho)] = r["goal_bits"].tolist()
        lab = "ρ = 1 (bits on the score itself)" if rho == 1.0 else f"goal, ρ = {rho:g}"
        ax.plot(N_VALUES, r["goal_bits"], marker="o", ms=2.5, label=lab)
    ax.set_xscale("log", base=10)
    ax.set_xlabel("n (candidates compared, best kept)")
    ax.set_ylabel("excess optimization (bits)")
    ax.set_yscale("log")
    ax.set_ylim(0.01, 30)
    ax.set_title("(a) Gaussian goal and error", fontsize=10)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    ax = axes[1]
    ax.plot(N_VALUES, E.score_bits_best_of_n(N_VALUES), color="0.3", ls=":", lw=1.4, label="bits on the score (any continuous law)")
    tails = {}
    for lab, kw in TAIL_CASES:
        r = E.goal_bits_best_of_n(N_VALUES, TAIL_RHO, n_s=GRID[0], n_z=GRID[1], **kw)
        tails[lab] = r["goal_bits"].tolist()
        ax.plot(N_VALUES, r["goal_bits"], marker="o", ms=2.5, label=f"bits on goal: {lab}")
    ax.set_xscale("log", base=10)
    ax.set_xlabel("n (candidates compared, best kept)")
    ax.set_title(f"(b) tails at fixed correlation ρ = {TAIL_RHO:g}", fontsize=10)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    save(
        fig,
        "optimization_bits_best_of_n",
        params={
            "n_values": N_VALUES.tolist(),
            "rhos": RHOS,
            "tail_rho": TAIL_RHO,
            "tail_cases": [lab for lab, _ in TAIL_CASES],
            "method": f"quadrature (n_s={GRID[0]}, n_z={GRID[1]})",
        },
    )
    return table, tails


def fig_generations():
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4), sharey=True)
    out = {}
    for ax, variant, title in [
        (axes[0], "fresh", "(a) diversity restored each round"),
        (axes[1], "collapse", "(b) learner refits to the kept samples"),
    ]:
        r0 = E.generations(GEN_RHOS[0], GEN_Q, N_GEN, variant)
        ax.plot(r0["gen"], r0["budget_bits"], color="0.3", ls=":", lw=1.4, label="selection budget, G·log2(1/q)")
        ax.plot(r0["gen"], r0["score_bits"], color="0.3", ls="-", lw=1.4, label="bits on the score")
        ax.plot(r0["gen"], r0["kl_bits"], color="0.3", ls="--", lw=1.2, label="KL(generator ‖ base), bits")
        for rho in GEN_RHOS:
            r = E.generations(rho, GEN_Q, N_GEN, variant)
            out[f"{variant}_{rho}"] = r["goal_bits"].tolist()
            ax.plot(r["gen"], r["goal_bits"], marker="o", ms=3, label=f"bits on goal, ρ = {rho:g}")
        out[f"{variant}_score"] = r0["score_bits"].tolist()
        out[f"{variant}_kl"] = r0["kl_bits"].tolist()
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_xlabel("generation G (each keeps the top half by score)")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("optimization relative to generation 0 (bits)")
    axes[0].legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(1.05, -0.2), ncol=3)
    save(fig, "optimization_bits_generations", params={"rhos": GEN_RHOS, "q": GEN_Q, "n_gen": N_GEN, "variants": ["fresh", "collapse"]})
    return out


if __name__ == "__main__":
    import json
    import sys

    t, tails = fig_best_of_n()
    g = fig_generations()
    if "--print" in sys.argv:
        np.set_printoptions(precision=3)
        print(
            json.dumps(
                {
                    "rho": {k: [round(x, 3) for x in v] for k, v in t.items()},
                    "tails": {k: [round(x, 3) for x in v] for k, v in tails.items()},
                    "gen": {k: [round(x, 2) for x in v] for k, v in g.items()},
                },
                indent=0,
            )
        )
